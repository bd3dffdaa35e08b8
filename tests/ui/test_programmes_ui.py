"""The admin edits a programme, plans a series and moves or cancels a session, by typing and
clicking; progress and outcomes screens show the store's figures."""

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.schema import Role, SessionStatus
from groupclinic_desktop.ui.outcomes import OutcomesScreen
from groupclinic_desktop.ui.programmes import NOT_ASKED, ProgrammeEditor
from groupclinic_desktop.ui.progress import ProgressView

# Screens are saved for a person to look at, outside the repository.
SHOTS = Path(tempfile.gettempdir()) / "groupclinic-screens"


def as_admin(clinic: Clinic) -> Actor:
    user = next(u for u in clinic.staff() if u.role == Role.ADMIN)
    return Actor(user.id, user.name, user.role)


@pytest.fixture
def editor(qtbot, demo: Clinic):  # type: ignore[no-untyped-def]
    with demo.acting_as(as_admin(demo)):
        widget = ProgrammeEditor(demo)
        qtbot.addWidget(widget)
        widget.resize(1100, 900)
        widget.show()
        yield widget


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_admin_edits_measurements_topics_minutes_and_questionnaires(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    pid = editor.programme_id()
    # Take total cholesterol off the board, move weight to the top, add waist.
    keys = editor.measurement_keys()
    editor.measurements.setCurrentRow(keys.index("total_cholesterol"))
    click(qtbot, editor.remove_button)
    editor.measurements.setCurrentRow(editor.measurement_keys().index("weight"))
    for _ in range(3):
        click(qtbot, editor.up_button)
    editor.add_choice.setCurrentIndex(editor.add_choice.findData("waist"))
    click(qtbot, editor.add_button)
    # A local HbA1c target, typed into the targets table.
    row = editor.measurement_keys().index("hba1c")
    editor.targets.item(row, 1).setText("58")
    editor.targets.item(row, 3).setText("Local frailty policy")
    editor.topics.clear()
    editor.topics.setFocus()
    for n, topic in enumerate(("Food", "Feet", "Sleep")):
        if n:
            qtbot.keyClick(editor.topics, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.topics, topic)
    editor.minutes["agenda"].setValue(12)
    editor.schedules["activity"].setCurrentText("every")
    editor.schedules["experience"].setCurrentText(NOT_ASKED)
    editor.name.clear()
    qtbot.keyClicks(editor.name, "Diabetes group (Tuesdays)")
    click(qtbot, editor.save_button)

    p = demo.programme(pid)
    assert p.version == 2, editor.message.text()
    assert p.name == "Diabetes group (Tuesdays)"
    assert p.definition["measurements"] == [
        "weight",
        "hba1c",
        "systolic_bp",
        "diastolic_bp",
        "bmi",
        "waist",
    ]
    assert p.definition["targets"]["hba1c"] == {"below": 58.0, "source": "Local frailty policy"}
    assert p.definition["topics"] == ["Food", "Feet", "Sleep"]
    assert p.definition["phase_minutes"]["agenda"] == 12
    assert "activity" in p.definition["questionnaires"]
    assert "experience" not in p.definition["questionnaires"]
    assert "version 2" in editor.message.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    editor.grab().save(str(SHOTS / "programme-editor.png"))


def test_a_bad_target_is_refused_with_the_reason_and_nothing_changes(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    pid = editor.programme_id()
    row = editor.measurement_keys().index("hba1c")
    editor.targets.item(row, 1).setText("900")
    editor.targets.item(row, 3).setText("typo")
    click(qtbot, editor.save_button)
    assert "HbA1c target: 900" in editor.message.text()
    assert demo.programme(pid).version == 1


def test_create_a_programme_from_a_template(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    editor.template.setCurrentIndex(editor.template.findData("heart_failure"))
    qtbot.keyClicks(editor.new_name, "Heart failure: WELLbeing Works")
    click(qtbot, editor.create_button)
    names = [p.name for p in demo.programmes()]
    assert "Heart failure: WELLbeing Works" in names
    assert editor.chooser.currentText() == "Heart failure: WELLbeing Works"
    assert "grip_strength" in editor.measurement_keys() or editor.measurement_keys()


def test_plan_a_weekly_series_then_move_and_cancel_one(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    dialog = editor.series_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    first = date.today() + timedelta(days=14)
    dialog.first_day.setDate(QDate(first))
    qtbot.keyClicks(dialog.place, "Library meeting room")
    dialog.every.setCurrentIndex(dialog.every.findData("week"))
    dialog.count.setValue(8)
    click(qtbot, dialog.ok_button)
    assert len(dialog.planned) == 8, dialog.message.text()
    days = [s.day for s in dialog.planned]
    assert days == [first + timedelta(weeks=n) for n in range(8)]

    editor._fill_sessions()
    second = dialog.planned[1]
    row = next(
        i
        for i in range(editor.sessions.count())
        if editor.sessions.item(i).data(Qt.ItemDataRole.UserRole) == second.id
    )
    editor.sessions.setCurrentRow(row)
    assert editor.move_selected(second.day + timedelta(days=1))
    assert demo.session(second.id).day == second.day + timedelta(days=1)
    assert editor.cancel_selected("Room double-booked")
    assert demo.session(second.id).status == SessionStatus.CANCELLED
    assert "(cancelled)" in editor.sessions.currentItem().text()


def test_a_series_without_a_place_is_refused_in_the_dialog(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    before = len(demo.sessions())
    dialog = editor.series_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.ok_button)
    assert "Place" in dialog.message.text()
    assert len(demo.sessions()) == before


def test_progress_view_shows_change_from_the_start(qtbot, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    programme = demo.programmes()[0]
    person = demo.patients()[0]
    view = ProgressView(demo, person.id, programme.id)
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    texts = {
        view.table.item(r, 0).text(): view.table.item(r, 3).text()
        for r in range(view.table.rowCount())
    }
    hba1c = [m.value for m in demo.measurements(patient_id=person.id, type_key="hba1c")]
    change = round(hba1c[-1] - hba1c[0])
    assert texts["HbA1c"] == ("no change" if change == 0 else f"{change:+d}".replace("-", "\u2212"))
    assert texts["Weight"] == "–"  # one value: no change yet
    view.grab().save(str(SHOTS / "progress-view.png"))
    written = view.save_pdf(tmp_path / "mine.pdf")
    assert written.read_bytes().startswith(b"%PDF")


def test_outcomes_screen_shows_the_reports_figures(qtbot, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    screen = OutcomesScreen(demo)
    qtbot.addWidget(screen)
    screen.resize(1000, 800)
    screen.show()
    assert screen.value_of("attendance", "people invited") == "10"
    assert screen.value_of("attendance", "did-not-attend rate") == "10%"
    assert screen.value_of("change", "Systolic BP (mmHg): median change") == "suppressed"
    screen.grab().save(str(SHOTS / "outcomes-screen.png"))
    csv_file = screen.export("csv", tmp_path / "o.csv")
    assert "people invited" in csv_file.read_text()
    assert screen.export("pdf", tmp_path / "o.pdf").read_bytes().startswith(b"%PDF")
