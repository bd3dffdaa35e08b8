"""Screenshots of hybrid sessions at 1366x768: the check-in roster with people in the room, on
video and on the phone; planning a hybrid series with its joining link; and the board page's
words on sharing the board with remote attendees.

Dialogs are separate windows, so these are grabs of the whole screen: run under Xvfb.

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_hybrid_screenshots.py

It builds the demo practice in a temporary folder (nothing touches your own store).
"""

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import throwaway  # the module beside this script

throwaway.prepare("xcb")

from PySide6.QtCore import QDate, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from throwaway import SIZE, settle, shot  # noqa: E402

from groupclinic_desktop.core.clinic import SYSTEM, Clinic  # noqa: E402
from groupclinic_desktop.core.demo import create_demo  # noqa: E402
from groupclinic_desktop.core.schema import AttendanceStatus, Channel  # noqa: E402

LINK = "https://meet.example.nhs.uk/riverside/diabetes-group"
# Who joins how, down the roster: in the room, by video (checked), by phone.
JOINING = [Channel.IN_ROOM, Channel.VIDEO, Channel.IN_ROOM, Channel.PHONE, Channel.VIDEO,
           Channel.IN_ROOM]


def main() -> int:
    _app = QApplication.instance() or QApplication(sys.argv)  # kept: Qt needs it alive
    from groupclinic_desktop.ui.charts import load_now
    from groupclinic_desktop.ui.main_window import MainWindow
    from groupclinic_desktop.ui.programmes import ProgrammeEditor

    load_now()
    with tempfile.TemporaryDirectory(prefix="groupclinic-demo-") as folder:
        clinic = Clinic.open(Path(folder) / "practice")
        create_demo(clinic, today=date.today())
        today = clinic.sessions(day=date.today())[0]
        with clinic.acting_as(SYSTEM):
            clinic.set_session_joining(
                today.id, mode="hybrid", joining_link=LINK,  # type: ignore[arg-type]
                joining_instructions="Join 10 minutes early. By phone: 0300 123 4567, code 2468.",
            )
        window = MainWindow(clinic)
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        window.resize(*SIZE)
        window.move(0, 0)
        window.show()
        settle()
        window.sign_in.choose(next(u.id for u in clinic.staff() if u.name == "Jo Morgan"))
        QTest.keyClicks(window.sign_in.pin, "2468")
        QTest.keyClick(window.sign_in.pin, Qt.Key.Key_Return)
        window.home.cards[today.id].button.click()  # type: ignore[index, union-attr]
        session_window = window.session_window
        assert session_window is not None
        page = session_window.current_page()
        for row, channel in enumerate(JOINING):
            page.roster.setCurrentCell(row, 0)
            page.attendance_buttons[AttendanceStatus.ATTENDED].click()
            page.channel_buttons[channel].click()
            if channel.remote:
                page.identity.click()
                if channel == Channel.VIDEO:
                    page.private.click()
        page.roster.setCurrentCell(1, 0)  # someone on video, with both checks
        shot("13-check-in-remote-attendees")

        session_window.go_to("board")
        shot("15-board-share-with-remote-attendees")
        window.ask_before_closing = False
        window.close()

        # The admin plans a fortnightly hybrid series with its joining link.
        admin = next(u for u in clinic.staff() if u.name == "Alex Turner")
        with clinic.acting_as(clinic.sign_in(admin.id, "9753")):  # type: ignore[arg-type]
            editor = ProgrammeEditor(clinic)
            editor.setWindowFlag(Qt.WindowType.FramelessWindowHint)
            editor.resize(*SIZE)
            editor.move(0, 0)
            editor.show()
            dialog = editor.series_dialog()
            dialog.first_day.setDate(QDate(date.today() + timedelta(days=7)))
            QTest.keyClicks(dialog.place, "Riverside Medical Practice, room 2")
            dialog.every.setCurrentIndex(dialog.every.findData("fortnight"))
            dialog.count.setValue(6)
            dialog.mode.setCurrentIndex(dialog.mode.findData("hybrid"))
            QTest.keyClicks(dialog.joining_link, LINK)
            QTest.keyClicks(dialog.joining_instructions,
                            "Join 10 minutes early. By phone: 0300 123 4567, code 2468.")
            dialog.every.showPopup()
            dialog.every.hidePopup()
            dialog.show()
            dialog.move(400, 60)
            shot("14-plan-hybrid-series")
            dialog.close()
            editor.close()
        clinic.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
