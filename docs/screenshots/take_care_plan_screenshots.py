"""Screenshots of the care and support plan, the person's own copy and the list of what is due.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python \\
        docs/screenshots/take_care_plan_screenshots.py

(QT_QPA_PLATFORM=offscreen works too.) Builds the demo practice in a temporary folder, runs
today's session for one person (a goal, a review with an action), then grabs the plan window and
the due list at 1366x768, and renders page one of the person's own copy (English, Polish and
Urdu) with pdftoppm -r 60. Look at every picture.
"""

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import throwaway  # the module beside this script

throwaway.prepare()

from PySide6.QtWidgets import QApplication  # noqa: E402
from throwaway import HERE, SIZE, pdf_page_png, settle  # noqa: E402

from groupclinic_desktop.core.clinic import SYSTEM, Clinic  # noqa: E402
from groupclinic_desktop.core.demo import create_demo  # noqa: E402
from groupclinic_desktop.core.schema import SessionStatus  # noqa: E402


def main() -> int:
    from groupclinic_desktop.export.care_plan_pdf import plan_pdf
    from groupclinic_desktop.ui.care_plan import CarePlanDialog
    from groupclinic_desktop.ui.due_list import DueListDialog
    from groupclinic_desktop.ui.theme import Theme

    app = QApplication.instance() or QApplication(sys.argv)
    Theme().apply(app)
    folder = Path(tempfile.mkdtemp(prefix="groupclinic-care-plan-"))
    clinic = Clinic.open(folder)
    try:
        create_demo(clinic)
        jo = next(u for u in clinic.staff() if u.name == "Jo Morgan")
        clinic.sign_in(jo.id, "2468")  # type: ignore[arg-type]
        session = next(s for s in clinic.sessions() if s.status == SessionStatus.PLANNED)
        sid = session.id
        assert sid is not None
        person = clinic.roster(sid)[0].patient
        pid = person.id
        assert pid is not None
        clinic.start_session(sid)
        clinic.set_attendance(sid, pid, "attended")
        # Something for the list of what is due: a red flag, and someone who did not come.
        others = [e.patient.id for e in clinic.roster(sid)][1:3]
        clinic.set_attendance(sid, others[0], "attended")
        clinic.set_attendance(sid, others[1], "did_not_attend")
        clinic.record_measurement(others[0], "blood_pressure", "185/125", session_id=sid,
                                  confirmed=True)
        with clinic.acting_as(SYSTEM):
            for flag in clinic.red_flags(sid):
                clinic.acknowledge_red_flag(sid, flag.measurement_id, flag.rule_key, "Seen.")
        clinic.set_goal(sid, pid, "Walk to the shop and back three times a week", confidence=7,
                        what_matters="Keeping up with my grandchildren at the park",
                        review_date=session.day + timedelta(days=28))
        with clinic.acting_as(SYSTEM):
            clinic.save_review(sid, pid, notes="Reviewed.", actions=[
                {"text": "Book a blood test (HbA1c)", "owner": "Practice nurse",
                 "due": (date.today() + timedelta(days=10)).isoformat()}],
                safety_netting="Call 111, or the surgery, if you feel very unwell, dizzy "
                "or breathless.")
        plan = clinic.care_plan(pid, session.programme_id)
        clinic.set_plan_goal_status(pid, plan.goals[0].uid, "achieved", session_id=sid)
        clinic.add_plan_support(pid, "community", "Riverside walking group",
                                detail="Tuesdays 10am at the park gate, 01632 960 123",
                                session_id=sid)
        clinic.add_plan_support(pid, "carer", "Tomasz (son)", detail="07700 900 456",
                                session_id=sid)
        clinic.update_care_plan(pid, next_review=session.day + timedelta(days=28),
                                session_id=sid)

        dialog = CarePlanDialog(clinic, pid, session.programme_id, sid)
        dialog.resize(*SIZE)
        dialog.show()
        settle()
        assert dialog.grab().save(str(HERE / "care-plan.png"))
        print("wrote docs/screenshots/care-plan.png")
        dialog.close()

        due = DueListDialog(clinic)
        due.resize(*SIZE)
        due.show()
        settle()
        due.page.table.setCurrentCell(0, 0)
        settle()
        assert due.grab().save(str(HERE / "due-list.png"))
        print("wrote docs/screenshots/due-list.png")
        due.close()

        for code, name in (("en", "care-plan-copy.png"), ("pl", "care-plan-copy-pl.png"),
                           ("ur", "care-plan-copy-ur.png")):
            pdf = folder / f"plan-{code}.pdf"
            plan_pdf(clinic, pid, pdf, programme_id=session.programme_id, language=code)
            pdf_page_png(pdf, name)
    finally:
        clinic.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
