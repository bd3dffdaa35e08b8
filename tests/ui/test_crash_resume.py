"""A crash in the middle of check-in loses nothing the screen showed as saved.

A separate process runs the real app window on a copy of the demo practice, checks people in by
typing, reports each value the screen marks "saved", and is then killed with SIGKILL (no clean-up
of any kind runs). Reopening the store goes straight back to the running session and its phase,
with every saved value there and shown as saved.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, SessionStatus
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.phases.checkin import CheckInPage
from tests.ui.conftest import FACILITATOR, sign_in

CHILD = textwrap.dedent(
    """
    import os, sys
    from datetime import date
    from pathlib import Path
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.ui.main_window import MainWindow

    clinic = Clinic.open(Path(sys.argv[1]), create=False)
    window = MainWindow(clinic)
    window.show()
    jo = next(u for u in clinic.staff() if u.name == "Jo Morgan")
    window.sign_in.choose(jo.id)
    QTest.keyClicks(window.sign_in.pin, "2468")
    QTest.keyClick(window.sign_in.pin, Qt.Key.Key_Return)
    session = clinic.sessions(day=date.today())[0]
    window.home.cards[session.id].button.click()
    page = window.session_window.current_page()
    # A weight far from last time's asks "Is that right?": the facilitator says yes.
    page.confirm_unusual = lambda _message: True
    typed = [("138/84", "82.4"), ("152/92", "95.1"), ("128/78", "70.3")]
    for row, values in enumerate(typed):
        page.roster.setCurrentCell(row, 0)
        page.attendance_buttons[list(page.attendance_buttons)[0]].click()
        print("ATTENDED", page.patient_id, flush=True)
        for key, text in zip(("blood_pressure", "weight"), values):
            edit = page.rows[key].edit
            edit.setFocus()
            QTest.keyClicks(edit, text)
            QTest.keyClick(edit, Qt.Key.Key_Return)
            if page.rows[key].status.text() == "\\u2713 saved":
                print("SAVED", page.patient_id, key, text, flush=True)
    # Half-way through the next person: typed, not yet saved.
    page.roster.setCurrentCell(3, 0)
    QTest.keyClicks(page.rows["weight"].edit, "77.7")
    print("UNSAVED", page.patient_id, flush=True)
    print("READY", flush=True)
    app.exec()
    """
)


def run_until_ready(data_dir: Path, tmp_path: Path) -> tuple[subprocess.Popen, list[str]]:
    script = tmp_path / "check_in_then_hang.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        cwd=Path(__file__).resolve().parents[2],
    )
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert child.stdout is not None
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            raise AssertionError(f"the app stopped early: {child.stderr.read()[-2000:]}")  # type: ignore[union-attr]
        lines.append(line.strip())
        if line.strip() == "READY":
            return child, lines
    child.kill()
    raise AssertionError("the app never got to the middle of check-in")


def test_killed_mid_check_in_reopens_with_everything_saved(qtbot, demo_dir, tmp_path) -> None:
    child, lines = run_until_ready(demo_dir, tmp_path)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    saved = [line.split()[1:] for line in lines if line.startswith("SAVED")]
    attended = {int(line.split()[1]) for line in lines if line.startswith("ATTENDED")}
    unsaved = int(next(line.split()[1] for line in lines if line.startswith("UNSAVED")))
    assert len(saved) == 6

    clinic = Clinic.open(demo_dir, create=False)
    try:
        assert clinic.check() == []
        window = MainWindow(clinic)
        qtbot.addWidget(window)
        window.ask_before_closing = False  # torn down mid-session by the test, not a person
        window.show()
        sign_in(qtbot, window, FACILITATOR)
        # Straight back into the running session, in check-in.
        assert window.session_window is not None
        assert window.stack.currentWidget() is window.session_window
        session = clinic.session(window.session_window.session_id)
        assert session.status == SessionStatus.RUNNING
        assert session.phase == "checkin"
        page = window.session_window.current_page()
        assert isinstance(page, CheckInPage)

        statuses = {e.patient.id: e.attendance.status for e in clinic.roster(session.id)}
        assert all(statuses[pid] == AttendanceStatus.ATTENDED for pid in attended)
        for pid_text, key, text in saved:
            pid = int(pid_text)
            page.select(pid)
            # In the store...
            rows = clinic.measurements(patient_id=pid, session_id=session.id)
            if key == "blood_pressure":
                systolic, diastolic = (float(v) for v in text.split("/"))
                assert [m.value for m in rows if m.type_key == "systolic_bp"] == [systolic]
                assert [m.value for m in rows if m.type_key == "diastolic_bp"] == [diastolic]
            else:
                assert [m.value for m in rows if m.type_key == key] == [float(text)]
            # ...and on the screen, marked saved.
            assert page.rows[key].edit.text() == text
            assert page.rows[key].status.text() == "✓ saved"
        # What was typed but never shown as saved is not pretended to be there.
        assert clinic.measurements(patient_id=unsaved, session_id=session.id) == []
        page.select(unsaved)
        assert page.rows["weight"].edit.text() == ""
        window.idle.stop()
    finally:
        clinic.close()
