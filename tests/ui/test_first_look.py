"""The start-up: the window is painted from a glance at the store, and the store opens behind it.

The first paint lists the staff before the Clinic facade (SQLAlchemy and the schema) is even
imported; a PIN typed before the store is open and checked waits for it; a store that fails the
check behind the window is refused before anyone signs in or anything is written.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from groupclinic_desktop.core import glance, store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.glance import Glance
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.ui import first_paint
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.opening import StoreOpener
from groupclinic_desktop.ui.sign_in import WAITING_TEXT
from groupclinic_desktop.ui.store_problem import StoreProblemDialog
from groupclinic_desktop.ui.theme import SETTING_KEY
from tests.core.test_glance import corrupt_page, root_page
from tests.ui.test_store_problem import answer

# What the first paint must not wait for: whole packages, then modules by name.
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "pydantic", "httpx", "matplotlib", "reportlab",
         "keyring", "filelock", "secrets", "uuid", "platformdirs")
HEAVY_OURS = ("logging.handlers", "groupclinic_desktop.core.clinic",
              "groupclinic_desktop.core.schema",
              "groupclinic_desktop.commands.", "groupclinic_desktop.export",
              "groupclinic_desktop.sync", "groupclinic_desktop.ui.session_window")

FIRST_PAINT = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    HEAVY, HEAVY_OURS = json.loads(sys.argv[2])
    app = QApplication(sys.argv[:1])
    seen = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if not seen and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
                names = obj.sign_in.names
                seen.update(
                    names=[names.item(i).text() for i in range(names.count())],
                    facade=obj.clinic is not None,
                    # PySide builds Qt's whole namespace of enums on its first use (~20 ms)
                    qt_namespace="Qt" in vars(sys.modules["PySide6.QtCore"]),
                    title=obj.windowTitle(),
                    loaded=sorted(
                        m for m in sys.modules
                        if m.split(".")[0] in HEAVY or m.startswith(tuple(HEAVY_OURS))
                    ),
                )
                print(json.dumps(seen), flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    watcher = FirstPaint(app)
    app.installEventFilter(watcher)
    from groupclinic_desktop import cli

    sys.exit(cli.main(["--data-dir", sys.argv[1]]))
    """
)


def first_look(qtbot, data_dir: Path) -> tuple[MainWindow, StoreOpener, Glance]:  # type: ignore[no-untyped-def]
    """The window as run_app makes it, but the store opens only when the test says start()."""
    seen = glance.take(data_dir)
    assert seen is not None
    window = MainWindow(glance=seen)
    qtbot.addWidget(window)
    opener = StoreOpener(window, seen, data_dir)
    window.show()
    return window, opener, seen


def type_pin(qtbot, window: MainWindow, seen: Glance, name: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    page = window.sign_in
    page.choose(next(s.id for s in seen.staff if s.name == name))
    page.pin.setFocus()
    qtbot.keyClicks(page.pin, pin)
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)


def test_the_first_paint_lists_the_staff_before_the_facade_is_open(
    demo_dir: Path, tmp_path: Path
) -> None:
    script = tmp_path / "first_paint.py"
    script.write_text(FIRST_PAINT)
    result = subprocess.run(
        [sys.executable, str(script), str(demo_dir), json.dumps([HEAVY, HEAVY_OURS])],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.splitlines()[0])
    assert [n.split()[0] for n in seen["names"]] == ["Alex", "Dr", "Jo", "Sam"]
    assert "Jo Morgan" in seen["names"][2] and "Facilitator" in seen["names"][2]
    assert "DEMO" in seen["title"]
    assert seen["facade"] is False
    assert seen["qt_namespace"] is False
    assert seen["loaded"] == []
    assert "Traceback" not in result.stderr


def test_the_first_paints_plain_numbers_are_qts_own_values() -> None:
    assert Qt.ItemDataRole.UserRole.value == first_paint.USER_ROLE
    assert Qt.ItemDataRole.AccessibleTextRole.value == first_paint.ACCESSIBLE_TEXT_ROLE
    assert Qt.ConnectionType.QueuedConnection.value == first_paint.QUEUED
    assert Qt.ScrollBarPolicy.ScrollBarAlwaysOff.value == first_paint.SCROLL_BAR_ALWAYS_OFF


def test_a_pin_typed_before_the_store_is_ready_signs_in_once_it_is(qtbot, demo_dir: Path) -> None:
    window, opener, seen = first_look(qtbot, demo_dir)
    try:
        type_pin(qtbot, window, seen, "Jo Morgan", "2468")
        assert window.clinic is None and window.sign_in.waiting
        assert window.sign_in.error.text() == WAITING_TEXT
        assert window.stack.currentWidget() is window.sign_in
        with qtbot.waitSignal(opener.ready, timeout=60_000):
            opener.start()
        assert window.clinic is not None and not window.clinic.read_only
        assert window.clinic.actor is not None and window.clinic.actor.name == "Jo Morgan"
        assert window.stack.currentWidget() is window.home
        sign_ins = [e for e in window.clinic.audit_entries() if e.action == "sign_in"]
        assert len(sign_ins) == 1
    finally:
        window.idle.stop()
        opener.close()


def test_a_damaged_store_is_refused_before_anyone_signs_in(qtbot, demo_dir: Path) -> None:
    corrupt_page(demo_dir, root_page(demo_dir, "measurement"))
    files = sorted(demo_dir.glob(store.STORE_FILE + "*"))
    before = {f.name: f.read_bytes() for f in files}
    window, opener, seen = first_look(qtbot, demo_dir)  # the names can still be read...
    try:
        type_pin(qtbot, window, seen, "Jo Morgan", "2468")
        assert window.sign_in.waiting

        def look_then_quit(dialog: StoreProblemDialog) -> None:
            assert dialog.heading.text() == "The practice store is damaged"
            assert not window.sign_in.isEnabled() and not window.sign_in.waiting
            dialog.buttons["quit"].click()

        seen_dialogs = answer(qtbot, look_then_quit)
        with qtbot.waitSignal(opener.gave_up, timeout=60_000):
            opener.start()  # ...but the check behind the window fails
        assert len(seen_dialogs) == 1 and seen_dialogs[0].kind == "damaged"
        assert window.clinic is None  # the facade never reached the window: no sign-in
    finally:
        opener.close()
    after = {f.name: f.read_bytes() for f in sorted(demo_dir.glob(store.STORE_FILE + "*"))}
    assert after == before  # nothing was written
    lock = store.lock_instance(store.StoreLocation(demo_dir))
    assert lock.lock_counter == 1  # and the store was let go
    lock.release()


def test_a_store_open_in_another_window_is_refused_behind_the_first_paint(
    qtbot, demo_dir: Path
) -> None:
    """The first look holds no lock; the facade's instance lock still refuses a second app."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from groupclinic_desktop.core import store; "
         "lock = store.lock_instance(store.StoreLocation(Path(sys.argv[1]))); "
         "print('held', flush=True); time.sleep(120)", str(demo_dir)],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        window, opener, seen = first_look(qtbot, demo_dir)  # the names can still be read...
        try:
            seen_dialogs = answer(qtbot, lambda dialog: dialog.buttons["quit"].click())
            with qtbot.waitSignal(opener.gave_up, timeout=60_000):
                opener.start()  # ...but the facade finds the store taken
            assert [d.kind for d in seen_dialogs] == ["locked"]
            assert window.clinic is None
        finally:
            opener.close()
    finally:
        holder.kill()
        holder.wait()


def test_a_damaged_store_can_still_be_looked_at_read_only(qtbot, demo_dir: Path) -> None:
    corrupt_page(demo_dir, root_page(demo_dir, "measurement"))
    window, opener, _seen = first_look(qtbot, demo_dir)
    try:
        answer(qtbot, lambda dialog: dialog.buttons["read_only"].click())
        with qtbot.waitSignal(opener.ready, timeout=60_000):
            opener.start()
        assert window.clinic is not None and window.clinic.read_only
        assert "READ-ONLY" in window.windowTitle()
        assert window.sign_in.isEnabled() and window.home is not None
        banners = [w.text() for w in window.statusBar().findChildren(QLabel)]
        assert any(text.startswith("READ-ONLY") for text in banners)
    finally:
        window.idle.stop()
        opener.close()


def test_a_session_left_running_is_resumed_after_a_first_look_sign_in(
    qtbot, demo_dir: Path
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic, clinic.acting_as(SYSTEM):
        from datetime import date

        session = clinic.sessions(day=date.today())[0]
        clinic.start_session(session.id)  # type: ignore[arg-type]
    window, opener, seen = first_look(qtbot, demo_dir)
    try:
        with qtbot.waitSignal(opener.ready, timeout=60_000):
            opener.start()
        type_pin(qtbot, window, seen, "Jo Morgan", "2468")
        assert window.session_window is not None
        assert window.stack.currentWidget() is window.session_window
        assert window.session_window.session_id == session.id
        assert window.clinic is not None
        assert window.clinic.session(session.id).status == SessionStatus.RUNNING  # type: ignore[arg-type]
    finally:
        window.idle.stop()
        opener.close()


def test_a_text_size_chosen_before_the_store_is_ready_is_kept(qtbot, demo_dir: Path) -> None:
    window, opener, _seen = first_look(qtbot, demo_dir)
    try:
        window.bigger()
        scale = window.theme.scale
        assert scale > 1.0
        with qtbot.waitSignal(opener.ready, timeout=60_000):
            opener.start()
        assert window.clinic is not None
        assert window.clinic.setting(SETTING_KEY) == {"scale": scale, "high_contrast": False}
    finally:
        opener.close()


def test_closing_while_the_store_opens_lets_it_go(qtbot, demo_dir: Path) -> None:
    window, opener, _seen = first_look(qtbot, demo_dir)
    opener.start()
    opener.close()  # as when the window is closed at once: check stopped, facade closed
    assert window.clinic is None
    lock = store.lock_instance(store.StoreLocation(demo_dir))
    assert lock.lock_counter == 1
    lock.release()
    with Clinic.open(demo_dir, create=False) as clinic:
        assert clinic.check() == []
