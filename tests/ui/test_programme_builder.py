"""An admin builds a programme from the library by clicking (new measures, targets with a
source, library questionnaires, topics, minutes), then a session with it runs and exports."""

import csv
import io
import os
import tempfile
from datetime import date, time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from groupclinic_desktop.core import targets
from groupclinic_desktop.core.catalogue import Status
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role
from groupclinic_desktop.core.views.board import build_board
from groupclinic_desktop.export.batch import export_session
from groupclinic_desktop.ui.programmes import NOT_ASKED, ProgrammeEditor

from ..four_ms_scenario import staff

# Screens are saved for a person to look at, outside the repository (docs/screenshots holds
# the copies that were looked at).
SHOTS = Path(os.environ.get("GROUPCLINIC_SHOTS", tempfile.gettempdir())) / "groupclinic-screens"


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_admin_builds_a_programme_from_the_library_then_runs_and_exports_it(
    qtbot, demo: Clinic, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    admin = staff(demo, Role.ADMIN)
    with demo.acting_as(admin):
        editor = ProgrammeEditor(demo)
        qtbot.addWidget(editor)
        editor.resize(1150, 1000)
        editor.show()
        # Start from the COPD and asthma template under a name of our own.
        editor.template.setCurrentIndex(editor.template.findData("respiratory"))
        qtbot.keyClicks(editor.new_name, "Breathe Easy Tuesdays")
        click(qtbot, editor.create_button)
        assert editor.name.text() == "Breathe Easy Tuesdays"
        assert "version 1" in editor.version.text()
        # The private PHQ-9 answer can never be put on the board.
        assert editor.add_choice.findData("phq9_item9") == -1
        # Add the waist-to-height ratio and falls; take weight off.
        for key in ("waist_to_height", "falls_12m"):
            editor.add_choice.setCurrentIndex(editor.add_choice.findData(key))
            click(qtbot, editor.add_button)
        editor.measurements.setCurrentRow(editor.measurement_keys().index("weight"))
        click(qtbot, editor.remove_button)
        # A local peak flow target with its source; the tooltip gives the plausible range.
        row = editor.measurement_keys().index("peak_flow")
        assert "50-900 L/min" in editor.targets.item(row, 0).toolTip()
        editor.targets.item(row, 2).setText("300")
        editor.targets.item(row, 3).setText("Local asthma pathway, reviewed 2026")
        # Library questionnaires: PHQ-9 every time, the NAPC question every third, no GAD-7.
        editor.schedules["phq9"].setCurrentText("every")
        editor.schedules["napc_self_management"].setCurrentText("first_and_every_3")
        editor.schedules["gad7"].setCurrentText(NOT_ASKED)
        editor.topics.moveCursor(editor.topics.textCursor().MoveOperation.End)
        editor.topics.setFocus()
        qtbot.keyClick(editor.topics, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.topics, "Inhalers and the planet")
        editor.minutes["agenda"].setValue(20)
        click(qtbot, editor.save_button)
        assert "version 2" in editor.message.text(), editor.message.text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert editor.grab().save(str(SHOTS / "programme-builder.png"))
        scroll = editor.findChild(QScrollArea)
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        assert editor.grab().save(str(SHOTS / "programme-builder-questionnaires.png"))

        programme = next(p for p in demo.programmes() if p.name == "Breathe Easy Tuesdays")
        d = programme.definition or {}
        assert programme.version == 2 and programme.template_key == "respiratory"
        assert d["measurements"] == [
            "peak_flow", "spo2", "pulse", "bmi", "activity_minutes", "waist_to_height", "falls_12m"
        ]
        assert d["targets"] == {
            "peak_flow": {"above": 300.0, "source": "Local asthma pathway, reviewed 2026"}
        }
        assert d["questionnaires"]["phq9"] == "every" and "gad7" not in d["questionnaires"]
        assert d["questionnaires"]["napc_self_management"] == "first_and_every_3"
        assert d["topics"][-1] == "Inhalers and the planet"
        assert d["phase_minutes"]["agenda"] == 20
        # GAD-7 left the Mood domain with the questionnaire.
        mood = next(x for x in d["domains"] if x["key"] == "mood")
        assert mood["questionnaires"] == []

        # A target outside the plausible range is refused, naming the field; nothing changes.
        editor.targets.item(row, 2).setText("2000")
        click(qtbot, editor.save_button)
        assert "Peak flow target" in editor.message.text()
        assert "plausible range" in editor.message.text()
        assert demo.programme(programme.id).version == 2  # type: ignore[arg-type]
        # A target without a source is refused too.
        editor.targets.item(row, 2).setText("320")
        editor.targets.item(row, 3).setText("")
        click(qtbot, editor.save_button)
        assert "needs a source" in editor.message.text()
        assert demo.programme(programme.id).version == 2  # type: ignore[arg-type]

        session = demo.plan_session(
            programme.id, date.today(), time(14), "Health centre",  # type: ignore[arg-type]
            facilitator_id=staff(demo, Role.FACILITATOR).id,
            clinician_ids=[staff(demo, Role.CLINICIAN).id],
        )
        patient = demo.add_patient("9990000336", "Dee", "Ashworth", "1961-02-03", sex="female")
        demo.enrol(patient.id, programme.id)  # type: ignore[arg-type]
        demo.invite(session.id, patient.id)  # type: ignore[arg-type]
    sid, pid = session.id, patient.id
    with demo.acting_as(staff(demo, Role.FACILITATOR)):
        demo.start_session(sid)  # type: ignore[arg-type]
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
        demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)  # type: ignore[arg-type]
        demo.record_measurement(pid, "peak_flow", "280", session_id=sid)  # type: ignore[arg-type]
        demo.record_measurement(pid, "waist_to_height", "0.48", session_id=sid)  # type: ignore[arg-type]
        demo.record_measurement(pid, "falls_12m", "1", session_id=sid)  # type: ignore[arg-type]
        phq9 = {f"item{n}": 1 for n in range(1, 9)} | {"item9": 0}
        row9 = demo.record_questionnaire(sid, pid, "phq9", phq9)  # type: ignore[arg-type]
        assert (row9.score, row9.complete) == (8, True)
        demo.record_questionnaire(sid, pid, "napc_self_management", {"rating": 2})  # type: ignore[arg-type]
    # The board judges peak flow against the programme's own target (at least 300).
    board = build_board(demo, sid)  # type: ignore[arg-type]
    cell = board.rows[0].cell("peak_flow")
    assert cell.status is Status.OFF_TARGET
    assert board.column("peak_flow").target_text == "300 L/min or above"
    assert targets.status_of("waist_to_height", 0.48) is Status.ON_TARGET
    with demo.acting_as(staff(demo, Role.FACILITATOR)):
        demo.finish_session(sid)  # type: ignore[arg-type]
    with demo.acting_as(admin):
        result = export_session(demo, sid, tmp_path / "out")  # type: ignore[arg-type]
    table = next(p for p in result.files if p.name.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert {"peak_flow", "waist_to_height", "falls_12m"} <= {r["item_key"] for r in rows}
