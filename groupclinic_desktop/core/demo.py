"""The demo practice: fictional people, 999-range NHS numbers, one past and one planned session.

Everything is written through the Clinic facade, as the system, so the demo exercises the same
validation, audit and outbox rules as real use.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.schema import (
    AttendanceStatus,
    ClinicSession,
    ConsentKind,
    Role,
    Source,
)

DEMO_ODS = "Y99999"
DEMO_PRACTICE = "Riverside Medical Practice (DEMO)"
PLACE = "Riverside Community Room"


@dataclass(frozen=True)
class DemoStaff:
    name: str
    role: Role
    pin: str
    profession: str | None = None


DEMO_STAFF = (
    DemoStaff("Jo Morgan", Role.FACILITATOR, "2468", "care_coordinator"),
    DemoStaff("Dr Priya Shah", Role.CLINICIAN, "1357", "gp"),
    DemoStaff("Alex Turner", Role.ADMIN, "9753"),
    DemoStaff("Sam Reid", Role.CO_FACILITATOR, "8642", "volunteer_lived_experience"),
)

# (NHS number, first name, surname, preferred name, date of birth, sex). All fictional.
DEMO_PEOPLE = (
    ("9990000018", "Margaret", "Ellis", "Maggie", date(1951, 4, 12), "female"),
    ("9990000026", "Tariq", "Hussain", None, date(1962, 9, 3), "male"),
    ("9990000034", "Siobhan", "O'Neill", None, date(1970, 1, 22), "female"),
    ("9990000042", "David", "Okafor", "Dave", date(1958, 6, 30), "male"),
    ("9990000050", "Agnieszka", "Nowak", "Aga", date(1967, 11, 5), "female"),
    ("9990000069", "Robert", "Hughes", "Bob", date(1944, 2, 14), "male"),
    ("9990000077", "Fatima", "Begum", None, date(1975, 7, 19), "female"),
    ("9990000085", "Leroy", "Campbell", None, date(1960, 3, 8), "male"),
    ("9990000093", "Helen", "Price", None, date(1955, 12, 1), "female"),
    ("9990000107", "Gareth", "Jones", None, date(1965, 5, 27), "male"),
)

AGENDA = (
    ("What should my blood sugar be first thing in the morning?", "My medicines"),
    ("Is walking enough exercise, or do I need the gym?", "Getting moving"),
    ("Can I still eat rice and chapatis?", "Food and drink"),
    ("My feet tingle at night - should I worry?", "Anything else that matters"),
    ("Sleeping badly since starting the new tablet", "Sleep and fatigue"),
)

GOALS = (
    "Walk to the shops instead of taking the car, three days a week",
    "Swap fizzy drinks for water at lunch",
    "Take my tablets with breakfast every day",
    "Try the Tuesday walking group",
    "Eat one less slice of bread with dinner",
    "Check my feet every Sunday evening",
    "Go to bed by 11 on weeknights",
    "Cook from scratch twice a week",
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def create_demo(clinic: Clinic, today: date | None = None) -> None:
    """Fill an empty store with the demo practice. Refuses a store that already has a practice."""
    today = today or date.today()
    rng = random.Random(20261123)
    with clinic.acting_as(SYSTEM):
        clinic.create_practice(DEMO_ODS, DEMO_PRACTICE, is_demo=True)
        staff = {
            s.role: clinic.add_staff(s.name, s.role, s.pin, s.profession) for s in DEMO_STAFF
        }
        programme = clinic.add_programme("type2_diabetes", "Type 2 diabetes group clinic")
        people = []
        for nhs, given, family, preferred, born, sex in DEMO_PEOPLE:
            person = clinic.add_patient(
                nhs,
                given,
                family,
                born,
                sex=sex,
                preferred_name=preferred,
                hypo_risk=nhs.endswith("42"),
            )
            clinic.enrol(person.id, programme.id)  # type: ignore[arg-type]
            people.append(person)

        past_day = today - timedelta(days=91)
        clinician_ids = [_id(staff[Role.CLINICIAN])]
        past = clinic.plan_session(
            _id(programme),
            past_day,
            time(10, 0),
            PLACE,
            facilitator_id=staff[Role.FACILITATOR].id,
            clinician_ids=clinician_ids,
        )
        for person in people:
            clinic.invite(past.id, person.id)  # type: ignore[arg-type]
            # Results from the GP record, taken at the annual review bloods before the session.
            clinic.record_measurement(
                _id(person),
                "hba1c",
                str(rng.randint(50, 78)),
                taken_at=at(past_day - timedelta(days=14), 9),
                source=Source.GP_RECORD,
                confirmed=True,
            )
            clinic.record_measurement(
                _id(person),
                "total_cholesterol",
                f"{rng.uniform(3.6, 6.2):.1f}",
                taken_at=at(past_day - timedelta(days=14), 9),
                source=Source.GP_RECORD,
                confirmed=True,
            )
        # The facilitator runs the session and takes the readings; the GP writes the reviews.
        with clinic.acting_as(_clinician(clinic, staff[Role.FACILITATOR].id)):  # type: ignore[arg-type]
            _run_past_session(clinic, past, people, staff[Role.CLINICIAN].id, rng)  # type: ignore[arg-type]

        # Recent bloods for today's session, so the board shows change since last time.
        for person in people:
            clinic.record_measurement(
                _id(person),
                "hba1c",
                str(rng.randint(46, 72)),
                taken_at=at(today - timedelta(days=10), 9),
                source=Source.GP_RECORD,
                confirmed=True,
            )
        upcoming = clinic.plan_session(
            _id(programme),
            today,
            time(10, 0),
            PLACE,
            facilitator_id=staff[Role.FACILITATOR].id,
            clinician_ids=clinician_ids,
        )
        for person in people:
            clinic.invite(upcoming.id, person.id)  # type: ignore[arg-type]
        clinic.plan_session(
            _id(programme),
            today + timedelta(days=28),
            time(10, 0),
            PLACE,
            facilitator_id=staff[Role.FACILITATOR].id,
            clinician_ids=clinician_ids,
        )


def _run_past_session(
    clinic: Clinic, session: ClinicSession, people: list, clinician_id: int, rng: random.Random
) -> None:
    sid = session.id
    assert sid is not None
    day = session.day
    clinic.start_session(sid)
    for index, person in enumerate(people):
        if index == 8:
            clinic.set_attendance(sid, person.id, AttendanceStatus.DID_NOT_ATTEND)
            continue
        status = AttendanceStatus.LATE if index == 5 else AttendanceStatus.ATTENDED
        clinic.set_attendance(sid, person.id, status, carer_present=index == 5)
        clinic.set_consent(sid, person.id, ConsentKind.CONFIDENTIALITY, True)
        clinic.set_consent(sid, person.id, ConsentKind.SHARE_RESULTS, index != 3)
        clinic.set_consent(sid, person.id, ConsentKind.MONITORING, True)
        taken = at(day, 10, 5 + index)
        systolic = rng.randint(124, 162)
        clinic.record_measurement(
            _id(person),
            "blood_pressure",
            f"{systolic}/{rng.randint(72, 94)}",
            session_id=sid,
            taken_at=taken,
            confirmed=True,
        )
        clinic.record_measurement(
            _id(person),
            "height",
            str(rng.randint(152, 186)),
            session_id=sid,
            taken_at=taken,
            confirmed=True,
        )
        clinic.record_measurement(
            _id(person),
            "weight",
            f"{rng.uniform(64, 112):.1f}",
            session_id=sid,
            taken_at=taken,
            confirmed=True,
        )
        answers = {f"item{i}": rng.randint(2, 5) for i in range(1, 8)}
        clinic.record_questionnaire(sid, person.id, "swemwbs", answers)
        clinic.record_questionnaire(sid, person.id, "confidence", {"confidence": rng.randint(3, 9)})

    for text, topic in AGENDA:
        item = clinic.add_agenda_item(sid, text, topic=topic)
        clinic.update_agenda_item(item.id, votes=rng.randint(1, 6), covered=True)  # type: ignore[arg-type]

    clinic.set_phase(sid, "one_to_ones")
    with clinic.acting_as(_clinician(clinic, clinician_id)):
        for index, person in enumerate(people):
            if index == 8:
                continue
            clinic.save_review(
                sid,
                person.id,
                notes=f"Reviewed results with the group. {person.given_name} is keen to make "
                "small changes to activity and diet.",
                findings=[{"code": "", "term": "Diabetic review done in group consultation"}],
                medication_changes=(
                    [{"action": "change_dose", "drug": "Metformin", "dose": "1 g twice daily"}]
                    if index % 3 == 0
                    else []
                ),
                actions=[
                    {
                        "text": "Repeat HbA1c",
                        "owner": "Practice nurse",
                        "due": (day + timedelta(days=84)).isoformat(),
                    }
                ],
                safety_netting="Seek help the same day for very high sugars with vomiting, "
                "or any new foot wound.",
                seconds_spent=240 + index * 20,
            )
    clinic.set_phase(sid, "goals")
    for index, person in enumerate(people):
        if index == 8:
            continue
        clinic.set_goal(
            sid,
            person.id,
            GOALS[index % len(GOALS)],
            confidence=rng.randint(5, 9),
            what_matters="Staying well for my family",
            review_date=day + timedelta(days=91),
        )
        clinic.record_questionnaire(
            sid, person.id, "experience", {"overall": rng.choice((1, 1, 2))}
        )
    clinic.set_phase(sid, "wrapup")
    clinic.finish_session(sid)


def _clinician(clinic: Clinic, clinician_id: int):
    # Any staff member as an actor (the name is kept for the reviews it was first written for).

    user = next(u for u in clinic.staff() if u.id == clinician_id)
    return Actor(user.id, user.name, user.role)


def _id(row: Any) -> int:
    """The id of a row the facade has saved (it always has one by then)."""
    assert row.id is not None
    return int(row.id)
