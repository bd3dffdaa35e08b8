"""The community directory screen and the Signpost… picker, driven as staff would."""

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.ui.community import CommunityDirectory, ResourceDialog, SignpostDialog
from tests.ui.test_agenda import SHOTS, sign_in, todays_session


def test_directory_add_retire_export_and_import(demo: Clinic, qtbot: QtBot, tmp_path: Path) -> None:
    sign_in(demo, "Alex Turner")
    screen = CommunityDirectory(demo)
    qtbot.addWidget(screen)
    screen.resize(1100, 500)
    screen.show()
    dialog = ResourceDialog(demo, None, screen)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.fields["name"], "Riverside Strollers")
    qtbot.keyClicks(dialog.fields["offers"], "Gentle walks, all paces")
    qtbot.keyClicks(dialog.fields["when_where"], "Tuesdays 10am, library steps")
    dialog.kind.setCurrentIndex(dialog.kind.findText("Walking group"))
    dialog.save()
    screen.refresh()
    assert screen.table.item(0, 0).text() == "Riverside Strollers"
    assert screen.table.item(0, 1).text() == "Walking group"
    screen.export_csv(str(tmp_path / "dir.csv"))
    assert "Riverside Strollers" in (tmp_path / "dir.csv").read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Kind\nCafé,knitting\n", encoding="utf-8")
    screen.import_csv(str(bad))
    assert "Row 2, column 'Kind', value 'knitting'" in screen.message.text()
    good = tmp_path / "good.csv"
    good.write_text("Name,Kind,Contact\nCarers Hub,carers support,01632 960123\n", "utf-8")
    screen.import_csv(str(good))
    assert "1 added" in screen.message.text() and screen.table.rowCount() == 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.grab().save(str(SHOTS / "community-directory.png"))
    screen.table.selectRow(1)
    qtbot.mouseClick(screen.retire_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in demo.community_resources(active_only=True)] == ["Carers Hub"]


def test_signpost_picker_filters_and_records_a_referral(demo: Clinic, qtbot: QtBot) -> None:
    sign_in(demo, "Alex Turner")
    demo.add_resource("Riverside Strollers", kind="walking_group")
    hub = demo.add_resource("Carers Hub", kind="carers_support", offers="Respite and advice")
    sid = todays_session(demo, present=2)
    pid = demo.roster(sid)[0].patient.id
    sign_in(demo, "Dr Priya Shah")
    picker = SignpostDialog(demo, sid, pid)  # type: ignore[arg-type]
    qtbot.addWidget(picker)
    picker.show()
    qtbot.keyClicks(picker.search, "respite")
    visible = [
        picker.entries.item(i).text()
        for i in range(picker.entries.count())
        if not picker.entries.item(i).isHidden()
    ]
    assert len(visible) == 1 and visible[0].startswith("Carers Hub")
    qtbot.mouseClick(picker.referred, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(picker.note, "Daughter is main carer")
    picker.grab().save(str(SHOTS / "signpost-picker.png"))
    picker.save()
    (row,) = demo.signposts(session_id=sid, patient_id=pid)
    assert (row.resource_id, row.kind, row.note) == (hub.id, "referred", "Daughter is main carer")
