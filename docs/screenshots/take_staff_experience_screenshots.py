"""Screenshots of the end of a session at 1366x768: the wrap-up page after finishing, with the
staff's own three questions; one person's answers being given; the programme editor's usual
appointment minutes; and the programme outcomes with the people's and staff's answers.

Dialogs are separate windows, so these are grabs of the whole screen: run under Xvfb.

    xvfb-run -a -s "-screen 0 1366x768x24" \
        .venv/bin/python docs/screenshots/take_staff_experience_screenshots.py

It builds the demo practice in a temporary folder (nothing touches your own store), adds a
practice nurse to today's session, and answers for earlier sessions so the outcomes have enough
answers to show.
"""

import os
import sys
import tempfile
from datetime import date, time
from pathlib import Path

import throwaway  # the module beside this script

throwaway.prepare("xcb")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea  # noqa: E402
from throwaway import SIZE, settle, shot  # noqa: E402

from groupclinic_desktop.core.clinic import SYSTEM, Clinic  # noqa: E402
from groupclinic_desktop.core.demo import create_demo  # noqa: E402
from groupclinic_desktop.core.schema import AttendanceStatus, Role  # noqa: E402


def earlier_answers(clinic: Clinic) -> None:
    """Five earlier sessions' answers, so the outcomes have more than the threshold to show."""
    programme = clinic.programmes()[0]
    finished = [s for s in clinic.sessions() if s.status.value == "finished"]
    with clinic.acting_as(SYSTEM):
        for number in range(4):
            s = clinic.plan_session(programme.id, date.today(), time(14, number), "Room 2")  # type: ignore[arg-type]
            clinic.start_session(s.id)  # type: ignore[arg-type]
            clinic.finish_session(s.id)  # type: ignore[arg-type]
            finished.append(s)
        for index, s in enumerate(finished):
            for role, job, base in (("facilitator", "care_coordinator", 4),
                                    ("clinician", "practice_nurse", 3 + index % 2)):
                clinic.record_staff_experience(
                    s.id, role=role, profession=job,  # type: ignore[arg-type]
                    answers={"satisfying": 5, "workload": base, "time_well_used": 4},
                )


def main() -> int:
    _app = QApplication.instance() or QApplication(sys.argv)  # kept: Qt needs it alive
    from groupclinic_desktop.ui.charts import load_now
    from groupclinic_desktop.ui.main_window import MainWindow
    from groupclinic_desktop.ui.outcomes import OutcomesScreen
    from groupclinic_desktop.ui.programmes import ProgrammeEditor

    load_now()
    with tempfile.TemporaryDirectory(prefix="groupclinic-demo-") as folder:
        clinic = Clinic.open(Path(folder) / "practice")
        create_demo(clinic, today=date.today())
        programme = clinic.programmes()[0]
        with clinic.acting_as(SYSTEM):
            nurse = clinic.add_staff("Kim Ahmed", Role.CLINICIAN, "4826", "practice_nurse")
            jo = next(u for u in clinic.staff() if u.name == "Jo Morgan")
            today = clinic.plan_session(
                programme.id, date.today(), time(15, 0), "Riverside room 2",  # type: ignore[arg-type]
                facilitator_id=jo.id, clinician_ids=[nurse.id],  # type: ignore[list-item]
            )
            clinic.start_session(today.id)  # type: ignore[arg-type]
            for entry in clinic.roster(clinic.sessions(day=date.today())[0].id)[:6]:  # type: ignore[arg-type]
                clinic.invite(today.id, entry.patient.id)  # type: ignore[arg-type]
                clinic.set_attendance(today.id, entry.patient.id, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
        earlier_answers(clinic)

        window = MainWindow(clinic)
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        window.resize(*SIZE)
        window.move(0, 0)
        window.show()
        settle()
        window.sign_in.choose(jo.id)
        QTest.keyClicks(window.sign_in.pin, "2468")
        QTest.keyClick(window.sign_in.pin, Qt.Key.Key_Return)
        window.open_session(today.id)  # type: ignore[arg-type]
        session_window = window.session_window
        assert session_window is not None
        session_window.go_to("wrapup")
        page = session_window.current_page()
        QMessageBox.question = lambda *a, **k: QMessageBox.StandardButton.Yes  # type: ignore[method-assign, assignment]
        page.finish()  # type: ignore[attr-defined]
        shot("staff-questions-after-finishing")

        # Kim, the practice nurse, answers for herself on Jo's laptop.
        panel = page.staff_panel  # type: ignore[attr-defined]
        place = next(p for p in panel.places if p.role == "clinician")
        dialog = panel.dialog(place)
        dialog.resize(760, 600)
        dialog.move(300, 60)
        dialog.show()
        dialog.buttons["satisfying"][3].click()
        dialog.buttons["time_well_used"][4].click()
        shot("staff-questions-answering")
        dialog.save()
        panel.done(dialog.saved_as)
        shot("staff-questions-one-answered")
        # A volunteer who helped on the day, not planned on the session, answers too.
        other = panel.dialog(None)
        other.resize(760, 640)
        other.move(300, 40)
        other.show()
        other.profession.setCurrentIndex(other.profession.findData("volunteer_lived_experience"))
        other.buttons["satisfying"][4].click()
        shot("staff-questions-someone-else")
        other.close()
        window.ask_before_closing = False
        session_window.close()
        window.close()

        admin = next(u for u in clinic.staff() if u.name == "Alex Turner")
        with clinic.acting_as(clinic.sign_in(admin.id, "9753")):  # type: ignore[arg-type]
            editor = ProgrammeEditor(clinic)
            editor.setWindowFlag(Qt.WindowType.FramelessWindowHint)
            editor.resize(*SIZE)
            editor.move(0, 0)
            editor.show()
            editor.usual_minutes.setText("200")
            editor.save()
            settle()
            editor.findChild(QScrollArea).ensureWidgetVisible(editor.save_button)
            shot("programme-usual-minutes-refused")
            editor.close()

            screen = OutcomesScreen(clinic)
            screen.setWindowFlag(Qt.WindowType.FramelessWindowHint)
            screen.resize(*SIZE)
            screen.move(0, 0)
            screen.show()
            row = next(r for r in range(screen.table.rowCount())
                       if screen.table.item(r, 0).text() == "patient experience")
            screen.table.scrollToItem(screen.table.item(row, 0),
                                      screen.table.ScrollHint.PositionAtTop)
            shot("outcomes-experience-answers")
            # The PDF is for looking at, not for the repository.
            pdf = Path(tempfile.gettempdir()) / "outcomes-experience.pdf"
            screen.export("pdf", pdf)
            print(f"wrote {pdf}")
            screen.close()
        clinic.close()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # the windows' Qt objects are not torn down one by one: nothing to keep
