"""A writer process for the crash harness: realistic work through the Clinic facade, forever.

After each write returns (committed), it prints one JSON line saying what it saved; the harness
kills it with SIGKILL at a random moment and then checks that every reported write is there.
Run as: python crash_writer.py DATA_DIR SEED
"""

import json
import random
import sys
from datetime import date

from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, Role
from groupclinic_desktop.core.validation import nhs_check_digit


def report(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def main() -> None:
    data_dir, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    clinic = Clinic.open(data_dir, create=False)
    session = next(s for s in clinic.sessions(day=date.today()) if s.status == "running")
    staff = {u.role: u for u in clinic.staff()}
    facilitator = Actor(staff[Role.FACILITATOR].id, staff[Role.FACILITATOR].name, Role.FACILITATOR)
    clinician = Actor(staff[Role.CLINICIAN].id, staff[Role.CLINICIAN].name, Role.CLINICIAN)
    people = [e.patient.id for e in clinic.roster(session.id)]
    report(kind="ready")
    n = 0
    while True:
        n += 1
        pid = rng.choice(people)
        op = rng.choice(["attendance", "bp", "weight", "review", "goal", "agenda", "import"])
        if op == "attendance":
            status = rng.choice([AttendanceStatus.ATTENDED, AttendanceStatus.LATE])
            with clinic.acting_as(facilitator):
                clinic.set_attendance(session.id, pid, status)
            report(kind=op, patient_id=pid, status=status.value)
        elif op == "bp":
            systolic, diastolic = rng.randint(110, 170), rng.randint(60, 95)
            with clinic.acting_as(facilitator):
                rows = clinic.record_measurement(
                    pid, "blood_pressure", f"{systolic}/{diastolic}", session_id=session.id
                )
            report(kind=op, uids=[r.uid for r in rows], values=[systolic, diastolic])
        elif op == "weight":
            value = round(rng.uniform(60, 110), 1)
            with clinic.acting_as(facilitator):
                rows = clinic.record_measurement(pid, "weight", str(value), session_id=session.id)
            report(kind=op, uids=[r.uid for r in rows], values=[value])
        elif op == "review":
            notes = f"Review note {seed}-{n}"
            with clinic.acting_as(clinician):
                clinic.save_review(session.id, pid, notes=notes, seconds_spent=n)
            report(kind=op, patient_id=pid, notes=notes)
        elif op == "goal":
            text = f"Goal {seed}-{n}"
            with clinic.acting_as(facilitator):
                goal = clinic.set_goal(session.id, pid, text, confidence=rng.randint(0, 10))
            report(kind=op, uid=goal.uid, patient_id=pid, text=text)
        elif op == "agenda":
            text = f"Question {seed}-{n}"
            with clinic.acting_as(facilitator):
                item = clinic.add_agenda_item(session.id, text)
            report(kind=op, id=item.id, text=text)
        else:
            # A one-person import: a new patient enrolled in the programme, as a cohort import does.
            first9 = f"999{rng.randint(100000, 999999)}"
            digit = nhs_check_digit(first9)
            if digit is None or clinic.patient_by_nhs_number(first9 + str(digit)):
                continue
            with clinic.acting_as(SYSTEM):
                patient = clinic.add_patient(first9 + str(digit), "Crash", f"Test{n}", "1960-01-01")
                clinic.enrol(patient.id, session.programme_id)
            report(kind=op, nhs_number=patient.nhs_number)


if __name__ == "__main__":
    main()
