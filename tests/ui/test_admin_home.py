"""The admin's home: staff, audit trail and backups, used the way an admin would."""

from PySide6.QtCore import Qt

from groupclinic_desktop.ui.admin_home import AuditTab, BackupsTab, UsersTab
from tests.ui.conftest import ADMIN, sign_in


def open_tab(qtbot, window, label: str):  # type: ignore[no-untyped-def]
    tabs = window.admin_home.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == label)
    tabs.setCurrentIndex(index)
    return tabs.widget(index)


def test_admin_adds_a_colleague_who_can_then_sign_in(qtbot, window) -> None:
    sign_in(qtbot, window, ADMIN)
    tab = open_tab(qtbot, window, "Staff")
    assert isinstance(tab, UsersTab)
    qtbot.keyClicks(tab.name, "Sam Lee")
    tab.role.setCurrentIndex(1)  # clinician
    qtbot.keyClicks(tab.pin, "4826")
    qtbot.keyClicks(tab.pin_again, "4827")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert "not the same" in tab.message.text()
    assert "Sam Lee" not in [u.name for u in window.clinic.staff()]
    tab.pin_again.clear()
    qtbot.keyClicks(tab.pin_again, "4826")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    sam = next(u for u in window.clinic.staff() if u.name == "Sam Lee")
    assert sam.role.value == "clinician"
    # The admin stops Sam signing in; Sam's PIN then no longer opens the app.
    tab.table.selectRow([u.name for u in tab.people].index("Sam Lee"))
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)
    assert "Sam Lee" not in [u.name for u in window.clinic.staff()]


def test_admin_checks_filters_and_exports_the_audit_trail(qtbot, window, tmp_path,
                                                          monkeypatch) -> None:
    sign_in(qtbot, window, ADMIN)
    tab = open_tab(qtbot, window, "Audit trail")
    assert isinstance(tab, AuditTab)
    qtbot.mouseClick(tab.verify_button, Qt.MouseButton.LeftButton)
    assert tab.verdict.text().startswith("✓")
    qtbot.keyClicks(tab.filter, "sign_in")
    shown = [tab.table.item(r, 3).text() for r in range(tab.table.rowCount())]
    assert shown and set(shown) == {"sign_in"}
    out = tmp_path / "audit.csv"
    monkeypatch.setattr("groupclinic_desktop.ui.admin_home.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    assert out.exists() and "Wrote" in tab.verdict.text()


def test_admin_backs_up_now(qtbot, window) -> None:
    sign_in(qtbot, window, ADMIN)
    tab = open_tab(qtbot, window, "Backups")
    assert isinstance(tab, BackupsTab)
    before = tab.list.count()
    qtbot.mouseClick(tab.backup_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith("✓")
    assert tab.list.count() >= max(before, 1)
    assert any(window.clinic.location.backup_dir.glob("groupclinic-*.db"))


def test_every_admin_area_opens(qtbot, window) -> None:
    sign_in(qtbot, window, ADMIN)
    tabs = window.admin_home.tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        assert tabs.widget(i).isVisible()


def test_admin_opens_a_sessions_invitations(qtbot, window) -> None:
    sign_in(qtbot, window, ADMIN)
    tab = open_tab(qtbot, window, "Sessions and invitations")
    assert tab.table.rowCount() >= 2  # today's session and the one in four weeks
    qtbot.mouseClick(tab.invitations_button, Qt.MouseButton.LeftButton)
    qtbot.addWidget(tab.dialog)
    assert tab.dialog.isVisible() and tab.dialog.session_id == tab.sessions[0].id


def test_admin_finds_a_person_by_nhs_number(qtbot, window) -> None:
    sign_in(qtbot, window, ADMIN)
    tab = open_tab(qtbot, window, "People")
    assert tab.table.rowCount() == 10
    qtbot.keyClicks(tab.filter, "999 000 0042")
    assert [p.nhs_number for p in tab.people] == ["9990000042"]
    assert tab.table.item(0, 1).text() == "999 000 0042"


def test_admin_confirms_a_translation_and_hand_outs_drop_the_review_note(qtbot, window) -> None:

    sign_in(qtbot, window, ADMIN)
    tab = open_tab(qtbot, window, "Languages")
    assert not window.clinic.language_confirmed("pl")
    assert window.clinic.words("pl").review_note
    tab.boxes["pl"].setFocus()
    qtbot.keyClick(tab.boxes["pl"], Qt.Key.Key_Space)
    assert window.clinic.language_confirmed("pl"), tab.message.text()
    assert not window.clinic.words("pl").review_note


def test_admin_records_a_clinicians_sds_ids(qtbot, window) -> None:
    sign_in(qtbot, window, ADMIN)
    tab = open_tab(qtbot, window, "Staff")
    names = [u.name for u in tab.people]
    tab.table.selectRow(names.index("Dr Priya Shah"))
    assert tab.sds_user.text() == "" and tab.sds_role.text() == ""
    qtbot.keyClicks(tab.sds_user, "1111 2222 333X")
    qtbot.mouseClick(tab.sds_button, Qt.MouseButton.LeftButton)
    assert tab.message.text() == ("SDS user ID: '11112222333X' must be digits only. "
                                  "Nothing was saved.")
    shah = next(u for u in window.clinic.staff() if u.name == "Dr Priya Shah")
    assert shah.sds_user_id is None
    tab.sds_user.clear()
    qtbot.keyClicks(tab.sds_user, "1111 2222 3333")
    qtbot.keyClicks(tab.sds_role, "555086415105")
    qtbot.mouseClick(tab.sds_button, Qt.MouseButton.LeftButton)
    assert tab.message.text() == "Saved Dr Priya Shah's SDS IDs."
    shah = next(u for u in window.clinic.staff() if u.name == "Dr Priya Shah")
    assert (shah.sds_user_id, shah.sds_role_profile_id) == ("111122223333", "555086415105")
    row = names.index("Dr Priya Shah")
    assert tab.table.item(row, 5).text() == "111122223333"
    assert tab.table.item(row, 6).text() == "555086415105"
    entry = window.clinic.audit_entries()[-1]
    assert entry.entity == "staff_user" and entry.after["sds_user_id"] == "111122223333"
    # Choosing someone else shows their (empty) IDs, not Dr Shah's.
    tab.table.selectRow(names.index("Jo Morgan"))
    assert tab.sds_user.text() == ""
