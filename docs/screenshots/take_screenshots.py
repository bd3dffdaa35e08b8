"""Screenshots of every screen at 1366x768, from a fresh demo practice.

Re-run any time the screens change:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take_screenshots.py

or, as the screens really look on a 1366x768 laptop, under a real X server (the whole screen is
grabbed, so what is shown is what a person sees):

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_screenshots.py

It builds the demo practice in a temporary folder (nothing touches your own store), drives the app
the way a facilitator would and writes PNG files next to this script.
"""

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import throwaway  # the module beside this script

throwaway.prepare("offscreen" if not os.environ.get("DISPLAY") else None)

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from throwaway import SIZE, settle, shot  # noqa: E402

from groupclinic_desktop.core.clinic import Clinic  # noqa: E402
from groupclinic_desktop.core.demo import create_demo  # noqa: E402
from groupclinic_desktop.core.programmes import PHASES  # noqa: E402
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind  # noqa: E402

# What the facilitator types at check-in for the first people on the roster.
CHECK_IN = [
    {"blood_pressure": "138/84", "weight": "82.4"},
    {"blood_pressure": "152/92", "weight": "95.1"},
    {"blood_pressure": "128/78", "weight": "70.3"},
    {"blood_pressure": "215/125"},  # a red flag (NICE NG136 severe hypertension)
]


def main() -> int:
    _app = QApplication.instance() or QApplication(sys.argv)  # kept: Qt needs it alive
    from groupclinic_desktop.ui.charts import load_now
    from groupclinic_desktop.ui.main_window import MainWindow

    load_now()  # else the board's charts say "Preparing the chart…" until matplotlib has loaded

    with tempfile.TemporaryDirectory(prefix="groupclinic-demo-") as folder:
        clinic = Clinic.open(Path(folder) / "practice")
        create_demo(clinic, today=date.today())
        window = MainWindow(clinic)
        window.resize(*SIZE)
        window.move(0, 0)
        window.show()
        window.activateWindow()
        settle()

        sign_in = window.sign_in
        sign_in.choose(next(u.id for u in clinic.staff() if u.name == "Jo Morgan"))
        shot(window=window, name="01-sign-in")
        QTest.keyClicks(sign_in.pin, "2468")
        QTest.keyClick(sign_in.pin, Qt.Key.Key_Return)
        shot(window=window, name="02-session-home")

        today = clinic.sessions(day=date.today())[0]
        window.home.cards[today.id].button.click()  # type: ignore[index, union-attr]
        session_window = window.session_window
        assert session_window is not None
        page = session_window.current_page()
        # The screenshots answer "Save it" to every "Is that right?" (a weight far from last
        # time's, a very high blood pressure), as the facilitator would after checking.
        page.confirm_unusual = lambda _message: True
        for row, values in enumerate(CHECK_IN):
            page.roster.setCurrentCell(row, 0)
            page.attendance_buttons[list(page.attendance_buttons)[0]].click()
            for yes, _no, _state in page.consent_buttons.values():
                yes.click()
            for key, text in values.items():
                edit = page.rows[key].edit
                edit.setFocus()
                QTest.keyClicks(edit, text)
                QTest.keyClick(edit, Qt.Key.Key_Return)
        # The next person: Attended and the three consents (Space on each, from the keyboard);
        # a value being typed that is out of range shows the reason under the field.
        page.roster.setCurrentCell(len(CHECK_IN) - 1, 0)
        page.step(+1)
        page.attendance_buttons[AttendanceStatus.ATTENDED].click()
        for yes, _no, _state in page.consent_buttons.values():
            yes.click()
        edit = page.rows["hba1c"].edit
        edit.setFocus()
        QTest.keyClicks(edit, "300")
        shot(window=window, name="03-check-in")
        edit.clear()
        page.rows["hba1c"]._typed("")
        page.roster.setCurrentCell(len(CHECK_IN) - 1, 0)
        shot(window=window, name="11-red-flag-alert")

        # A room of twelve: everyone on the roster here and sharing, and two drop-ins.
        for nhs, given, family in (("9990003017", "Rhiannon", "Hale"),
                                   ("9990003025", "Kwame", "Asante")):
            clinic.add_new_drop_in(today.id, nhs, given, family, "02/03/1960")  # type: ignore[arg-type]
        for entry in clinic.roster(today.id):  # type: ignore[arg-type]
            pid = entry.patient.id
            if not entry.attendance.status.present:
                clinic.set_attendance(today.id, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
            clinic.set_consent(today.id, pid, ConsentKind.SHARE_RESULTS, True)  # type: ignore[arg-type]
        page.refresh()

        # The room screen at 1366x768, as on a small projector.
        session_window.go_to("board")
        board = session_window.current_page()
        from groupclinic_desktop.ui.presenter import PresenterWindow

        room = PresenterWindow(clinic, today.id, board.bus)  # type: ignore[arg-type]
        room.resize(*SIZE)  # a window of the projector's size (offscreen has no second screen)
        room.move(0, 0)
        room.show()
        settle()
        shot(window=room, name="12-room-board-1366x768")
        room.close()

        for number, phase in enumerate(PHASES[1:], start=4):
            session_window.go_to(phase)
            shot(window=window, name=f"{number:02d}-{phase.replace('_', '-')}")

        session_window.go_to("checkin")
        window.lock()
        shot(window=window, name="09-locked")
        QTest.keyClicks(sign_in.pin, "2468")
        QTest.keyClick(sign_in.pin, Qt.Key.Key_Return)

        window.toggle_contrast()
        window.bigger()
        shot(window=window, name="10-high-contrast-bigger-text")
        window.reset_text()
        window.toggle_contrast()
        window.ask_before_closing = False  # the session is running; no one to ask
        window.close()
        clinic.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
