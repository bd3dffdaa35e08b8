"""Sign-in that names whose PIN it takes, warns before a lock-out, counts it down, and lets an
admin unlock a colleague (issue 20, point 8; issue 21, point 5)."""

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from groupclinic_desktop.core.schema import StaffUser
from groupclinic_desktop.ui.main_window import MainWindow
from tests.ui.conftest import ADMIN, sign_in, staff_id


def test_no_one_is_chosen_and_the_pin_field_names_who_it_is_for(qtbot, window) -> None:
    page = window.sign_in
    assert page.selected_staff_id() is None
    assert page.pin.placeholderText() == "Choose your name first"
    # Enter with no name chosen signs nobody in.
    page.pin.setFocus()
    qtbot.keyClicks(page.pin, "9753")
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)
    assert window.clinic.actor is None and page.error.text() == "Choose your name first."
    page.choose(staff_id(window.clinic, "Jo Morgan"))
    assert page.pin.placeholderText() == "PIN for Jo Morgan"
    assert page.pin.accessibleName() == "PIN for Jo Morgan"
    assert "Jo Morgan" in page.pin_label.text()


def test_wrong_pins_say_whose_warn_then_count_down(qtbot, window) -> None:
    page = window.sign_in
    sign_in(qtbot, window, ("Jo Morgan", "5050"))
    assert page.error.text() == "That PIN is not right for Jo Morgan."
    sign_in(qtbot, window, ("Jo Morgan", "5050"))
    sign_in(qtbot, window, ("Jo Morgan", "5050"))
    assert "2 more wrong PINs" in page.error.text()
    sign_in(qtbot, window, ("Jo Morgan", "5050"))
    assert "1 more wrong PIN " in page.error.text()
    sign_in(qtbot, window, ("Jo Morgan", "5050"))
    assert page.error.text().startswith("Too many wrong PINs for Jo Morgan. Try again in 5:00")
    assert not page.sign_in_button.isEnabled()
    first = page.error.text()
    qtbot.waitUntil(lambda: page.error.text() != first, timeout=3000)
    assert "Try again in 4:5" in page.error.text()
    # Another name is not held up by Jo's lock-out.
    page.choose(staff_id(window.clinic, "Dr Priya Shah"))
    assert page.sign_in_button.isEnabled() and page.error.text() == ""
    page.choose(staff_id(window.clinic, "Jo Morgan"))
    assert "Try again in" in page.error.text()


def test_the_countdown_ends_and_says_so(qtbot, window) -> None:
    page = window.sign_in
    jo = staff_id(window.clinic, "Jo Morgan")
    page.choose(jo)
    page.locked_until[jo] = datetime.now(UTC) + timedelta(seconds=1)
    page._tick()
    assert "Try again in 0:0" in page.error.text()
    qtbot.waitUntil(lambda: page.error.text() == "Jo Morgan can try again now.", timeout=4000)
    assert page.sign_in_button.isEnabled()


def test_an_admin_sees_wrong_pins_and_unlocks_a_colleague(qtbot, window: MainWindow) -> None:
    for _ in range(5):
        sign_in(qtbot, window, ("Jo Morgan", "5050"))
    sign_in(qtbot, window, ADMIN)
    admin_home = window.admin_home
    assert admin_home is not None
    assert admin_home.sign_in_notice.isVisible()
    assert "Jo Morgan, 5 since their last sign-in; locked until" in admin_home.sign_in_notice.text()
    tabs = admin_home.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Staff")
    tabs.setCurrentIndex(index)
    staff_tab = tabs.widget(index)
    row = next(r for r, u in enumerate(staff_tab.people) if u.name == "Jo Morgan")
    assert staff_tab.table.item(row, 4).text().startswith("5 since their last sign-in")
    staff_tab.table.selectRow(row)
    qtbot.mouseClick(staff_tab.unlock_button, Qt.MouseButton.LeftButton)
    assert "Jo Morgan can sign in again" in staff_tab.message.text()
    assert staff_tab.table.item(row, 4).text() == ""
    user = next(u for u in window.clinic.staff() if u.name == "Jo Morgan")
    assert isinstance(user, StaffUser) and user.failed_sign_ins == 0 and user.locked_until is None
    assert [e.user_name for e in window.clinic.audit_entries() if e.action == "unlock"] == [
        "Alex Turner"
    ]
