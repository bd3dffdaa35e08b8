"""A heart-failure programme with two sessions a month apart, for the 4M panel's tests.

Ada and Cy share their results; Ben does not, so he must appear only as his code. Scores were
chosen so that every median and change can be worked out by hand (see the tests).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role

TODAY = date.today()
LAST_MONTH = TODAY - timedelta(days=28)
PEOPLE = (
    ("9990000263", "Ada", "Quill", True),
    ("9990000271", "Ben", "Roper", False),
    ("9990000328", "Cy", "Stroud", True),
)
# (confidence, activity minutes, grip kg, SWEMWBS answer given to all 7 items) per person
BEFORE = ((4, 60, 20.0, 3), (5, 90, 24.0, 3), (6, 120, 28.0, 2))
NOW = ((7, 150, 22.0, 4), (8, 150, 25.0, 3), (9, 200, 30.0, 4))


@dataclass
class FourMScenario:
    clinic: Clinic
    programme_id: int
    before_id: int
    now_id: int
    patient_ids: list[int]


def staff(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


def _run(clinic: Clinic, sid: int, ids: list[int], values: tuple, day: date) -> None:
    taken = datetime.combine(day, time(10, 30), tzinfo=UTC)
    clinic.start_session(sid)
    for pid, (confidence, minutes, grip, swemwbs), (_, _, _, shares) in zip(
        ids, values, PEOPLE, strict=True
    ):
        clinic.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
        clinic.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, shares)
        clinic.record_measurement(
            pid, "grip_strength", f"{grip}", session_id=sid, taken_at=taken, confirmed=True
        )
        clinic.record_measurement(
            pid, "activity_minutes", f"{minutes}", session_id=sid, taken_at=taken, confirmed=True
        )
        clinic.record_questionnaire(sid, pid, "confidence", {"confidence": confidence})
        clinic.record_questionnaire(
            sid, pid, "swemwbs", {f"item{n}": swemwbs for n in range(1, 8)}
        )


def four_ms_scenario(demo: Clinic, *, finish_now: bool = False) -> FourMScenario:
    admin, facilitator = staff(demo, Role.ADMIN), staff(demo, Role.FACILITATOR)
    with demo.acting_as(admin):
        programme = demo.create_programme_from_template("heart_failure", "Heart failure 4Ms")
        before = demo.plan_session(programme.id, LAST_MONTH, time(10), "Room 1")  # type: ignore[arg-type]
        now = demo.plan_session(programme.id, TODAY, time(10), "Room 1")  # type: ignore[arg-type]
        ids = []
        for nhs, given, family, _ in PEOPLE:
            patient = demo.add_patient(nhs, given, family, "1950-06-01", sex="female")
            demo.enrol(patient.id, programme.id)  # type: ignore[arg-type]
            demo.invite(before.id, patient.id)  # type: ignore[arg-type]
            demo.invite(now.id, patient.id)  # type: ignore[arg-type]
            ids.append(patient.id)
    with demo.acting_as(facilitator):
        _run(demo, before.id, ids, BEFORE, LAST_MONTH)  # type: ignore[arg-type]
        demo.finish_session(before.id)  # type: ignore[arg-type]
        _run(demo, now.id, ids, NOW, TODAY)  # type: ignore[arg-type]
        for pid in ids:
            demo.set_goal(now.id, pid, "Walk round the park", confidence=7)  # type: ignore[arg-type]
        if finish_now:
            demo.finish_session(now.id)  # type: ignore[arg-type]
    return FourMScenario(demo, programme.id, before.id, now.id, ids)  # type: ignore[arg-type]
