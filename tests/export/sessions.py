"""Sessions built through the Clinic facade for the export tests: every measurement type, a red
flag, a DNA, a carer, a signposting, a BMI from an earlier height, and one with no staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import SessionStatus

# One value for every catalogue measurement (blood pressure as one reading).
EVERY_MEASUREMENT = {
    "blood_pressure": "152/95",  # above target: H
    "pulse": "72",
    "height": "170",
    "weight": "82",  # with the height: BMI 28.4 (above target: H)
    "waist": "96",
    "hba1c": "62",  # above NICE NG28 48: H
    "total_cholesterol": "5.5",
    "hdl": "1.1",
    "egfr": "75",
    "creatinine": "90",
    "spo2": "97",
    "grip_strength": "30",
    "activity_minutes": "60",
}


@dataclass
class Built:
    session_id: int
    full: int  # every measurement type, a carer, a signposting
    red_flag: int  # 185/125: HH
    earlier_height: int  # weight only, BMI from an earlier height
    absent: int  # did not attend


def build_full_session(clinic: Clinic) -> Built:
    """Today's planned demo session, run: four people, every kind of item, then finished."""
    today = next(s for s in clinic.sessions() if s.status == SessionStatus.PLANNED)
    assert today.id is not None
    sid = today.id
    roster = [e.patient for e in clinic.roster(sid)]
    full, red, earlier, absent = (p.id for p in roster[:4])
    assert None not in (full, red, earlier, absent)
    with clinic.acting_as(SYSTEM):
        entry = clinic.add_resource("Walking group", kind="walking group")
        clinic.start_session(sid)
        clinic.set_attendance(sid, full, "attended", carer_present=True)  # type: ignore[arg-type]
        clinic.set_attendance(sid, red, "attended")  # type: ignore[arg-type]
        clinic.set_attendance(sid, earlier, "attended")  # type: ignore[arg-type]
        clinic.set_attendance(sid, absent, "did_not_attend")  # type: ignore[arg-type]
        for key, text in EVERY_MEASUREMENT.items():
            clinic.record_measurement(full, key, text, session_id=sid, confirmed=True)  # type: ignore[arg-type]
        clinic.record_measurement(red, "blood_pressure", "185/125", session_id=sid, confirmed=True)  # type: ignore[arg-type]
        clinic.record_measurement(red, "height", "160", session_id=sid, confirmed=True)  # type: ignore[arg-type]
        # A height from a month ago, outside any session; then only a weight today.
        a_month_ago = datetime.now(UTC) - timedelta(days=30)
        clinic.record_measurement(earlier, "height", "175", taken_at=a_month_ago, confirmed=True)  # type: ignore[arg-type]
        clinic.record_measurement(earlier, "weight", "90", session_id=sid, confirmed=True)  # type: ignore[arg-type]
        clinic.record_questionnaire(sid, full, "swemwbs", {f"item{i}": 4 for i in range(1, 8)})  # type: ignore[arg-type]
        clinic.signpost(sid, full, entry.id, "referred")  # type: ignore[arg-type]
        for flag in clinic.red_flags(sid):  # the clinician has heard about the 185/125
            clinic.acknowledge_red_flag(sid, flag.measurement_id, flag.rule_key, "Seen today.")
        clinic.finish_session(sid)
    return Built(sid, full, red, earlier, absent)  # type: ignore[arg-type]


def build_session_without_staff(clinic: Clinic) -> int:
    """A session planned with no facilitator and no clinician ("choose later"), run and
    finished with one person measured."""
    with clinic.acting_as(SYSTEM):
        programme = clinic.programmes()[0]
        assert programme.id is not None
        session = clinic.plan_session(programme.id, date.today(), time(9, 30), "Library")
        assert session.id is not None
        person = clinic.patients()[0]
        clinic.invite(session.id, person.id)  # type: ignore[arg-type]
        clinic.start_session(session.id)
        clinic.set_attendance(session.id, person.id, "attended")  # type: ignore[arg-type]
        clinic.record_measurement(person.id, "weight", "80", session_id=session.id, confirmed=True)  # type: ignore[arg-type]
        clinic.finish_session(session.id)
    return session.id
