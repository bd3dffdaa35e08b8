"""Sign-in, the idle lock, text size and contrast, and accessible names."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QWidget,
)

from groupclinic_desktop.core.clinic import SYSTEM
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.theme import SETTING_KEY, Theme
from tests.ui.conftest import CLINICIAN, FACILITATOR, sign_in, staff_id, todays_session


def test_demo_practice_is_marked_on_sign_in_and_in_the_title(window: MainWindow) -> None:
    assert window.sign_in.demo_banner.isVisible()
    assert "DEMO" in window.sign_in.demo_banner.text()
    assert "DEMO" in window.windowTitle()
    assert window.sign_in.pin.echoMode() == QLineEdit.EchoMode.Password


def test_wrong_pin_is_refused_plainly_and_the_right_one_signs_in(qtbot, window) -> None:
    sign_in(qtbot, window, ("Jo Morgan", "0000"))
    assert window.sign_in.error.text() == "That PIN is not right for Jo Morgan."
    assert window.stack.currentWidget() is window.sign_in
    assert window.clinic.actor is None
    sign_in(qtbot, window, FACILITATOR)
    assert window.clinic.actor is not None and window.clinic.actor.name == "Jo Morgan"
    assert window.stack.currentWidget() is window.home


def test_lockout_message_from_the_store_is_shown_as_it_is(qtbot, window) -> None:
    for _ in range(5):
        sign_in(qtbot, window, ("Jo Morgan", "0000"))
    sign_in(qtbot, window, FACILITATOR)
    assert window.sign_in.error.text().startswith("Too many wrong PINs for Jo Morgan")
    assert window.clinic.actor is None


def test_keyboard_only_sign_in(qtbot, window) -> None:
    names = window.sign_in.names
    names.setFocus()
    # Choose "Jo Morgan" with the arrow keys, Enter to move to the PIN.
    qtbot.keyClick(names, Qt.Key.Key_Down)
    while names.currentItem().text().split()[0] != "Jo":
        qtbot.keyClick(names, Qt.Key.Key_Down)
    qtbot.keyClick(names, Qt.Key.Key_Return)
    assert window.sign_in.pin.hasFocus()
    qtbot.keyClicks(window.sign_in.pin, "2468")
    qtbot.keyClick(window.sign_in.pin, Qt.Key.Key_Return)
    assert window.clinic.actor is not None and window.clinic.actor.name == "Jo Morgan"


def visible_text(window: QWidget) -> str:
    parts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    parts += [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]
    for view in window.findChildren(QAbstractItemView):
        if view.isVisible():
            model = view.model()
            columns = 1 if isinstance(view, QListView) else model.columnCount()
            for row in range(model.rowCount()):
                for column in range(columns):
                    parts.append(str(model.index(row, column).data() or ""))
    return "\n".join(parts)


def test_idle_lock_hides_patient_data_and_asks_the_same_person(qtbot, demo) -> None:
    window = MainWindow(demo, idle_ms=300)
    qtbot.addWidget(window)
    window.ask_before_closing = False  # torn down mid-session by the test, not a person
    window.show()
    sign_in(qtbot, window, FACILITATOR)
    session = todays_session(demo)
    window.home.start_or_resume(session.id)
    assert window.session_window is not None
    names = [e.patient.family_name for e in demo.roster(session.id)]
    assert any(name in visible_text(window) for name in names)

    with qtbot.waitSignal(window.session_window.bus.locked, timeout=3000) as locked:
        pass
    assert locked.args == [True]
    assert not window.session_window.isVisible()
    shown = visible_text(window)
    assert not any(name in shown for name in names)
    assert "Jo Morgan: type your PIN" in window.sign_in.lock_note.text()
    assert window.sign_in.selected_staff_id() == staff_id(demo, "Jo Morgan")

    with qtbot.waitSignal(window.session_window.bus.locked) as unlocked:
        qtbot.keyClicks(window.sign_in.pin, "2468")
        qtbot.keyClick(window.sign_in.pin, Qt.Key.Key_Return)
    assert unlocked.args == [False]
    assert window.session_window.isVisible()
    window.idle.stop()


def test_someone_else_can_sign_in_at_the_lock_screen(qtbot, running) -> None:
    running.lock()
    sign_in(qtbot, running, CLINICIAN)
    assert running.clinic.actor is not None and running.clinic.actor.name == "Dr Priya Shah"
    assert running.stack.currentWidget() is running.session_window


def test_idle_minutes_come_from_the_practice_setting(qtbot, demo) -> None:
    assert demo.idle_lock_minutes() == 5
    with demo.acting_as(SYSTEM):
        demo.set_setting("idle_lock_minutes", 2)
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.ask_before_closing = False  # torn down mid-session by the test, not a person
    assert window.idle.timeout_ms == 2 * 60_000


def test_text_size_and_contrast_keys_are_kept_for_next_time(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.theme.scale > 1.0
    bigger = window.theme.scale
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert 1.0 < window.theme.scale < bigger
    qtbot.keyClick(
        window,
        Qt.Key.Key_H,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.theme.high_contrast
    saved = window.clinic.setting(SETTING_KEY)
    assert saved == {"scale": window.theme.scale, "high_contrast": True}
    again = Theme(window.clinic)
    assert (again.scale, again.high_contrast) == (window.theme.scale, True)


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget.parent(), QAbstractItemView):
            continue  # the table's own corner button and editors
        is_control = isinstance(widget, QAbstractButton | QLineEdit | QAbstractItemView)
        if is_control and not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()}")
    return missing


def test_every_control_has_an_accessible_name(qtbot, running) -> None:
    assert unnamed_controls(running.session_window) == []
    running.show_home()
    assert unnamed_controls(running.home) == []
    running.lock()
    assert unnamed_controls(running.sign_in) == []


def test_only_an_admin_changes_the_idle_lock_and_only_to_sensible_minutes(qtbot, demo) -> None:
    import pytest

    from groupclinic_desktop.core.errors import InvalidInput, NotAllowed

    demo.sign_in(staff_id(demo, "Jo Morgan"), "2468")
    with pytest.raises(NotAllowed):
        demo.set_setting("idle_lock_minutes", 30)
    demo.sign_in(staff_id(demo, "Alex Turner"), "9753")
    with pytest.raises(InvalidInput, match="Idle lock"):
        demo.set_setting("idle_lock_minutes", 0)
    demo.set_setting("idle_lock_minutes", 10)
    assert demo.idle_lock_minutes() == 10
    assert demo.audit_entries()[-1].entity == "setting"


def test_each_name_shows_its_role_and_profession_first_look_and_facade_alike(
    window: MainWindow,
) -> None:
    from groupclinic_desktop.core import glance as first_look

    page = window.sign_in
    shown = [page.names.item(row).text() for row in range(page.names.count())]
    assert "Dr Priya Shah   ·   Clinician, GP" in shown
    # The first look (before the facade opens) lists the very same words, so nothing flickers.
    looked = first_look.take(window.clinic.location.data_dir)
    assert looked is not None
    assert ("Dr Priya Shah", "clinician", "GP") in {
        (s.name, s.role, s.profession) for s in looked.staff
    }
