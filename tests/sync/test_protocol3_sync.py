"""Protocol 3 reaches the real ICB service on loopback: the staff's anonymous answers, the
session's usual appointment minutes (schema 3) and each person's review minutes (schema 2) are
stored as sent; events queued by the laptop's earlier version (session schema 2, review schema 1)
still go; and no staff name or id is in anything the service keeps."""

from __future__ import annotations

import json
from datetime import date, time

from sqlalchemy import create_engine, text

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, OutboxEvent, Role, utcnow
from groupclinic_desktop.sync.engine import Syncer
from tests.sync.conftest import FAST, IcbServer, outbox_ids, point_at


def stored(icb: IcbServer) -> list[tuple[str, int, dict]]:
    engine = create_engine(icb.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT type, schema_version, payload FROM event"))
            return [(t, v, p if isinstance(p, dict) else json.loads(p)) for t, v, p in rows]
    finally:
        engine.dispose()


def queue_as_the_old_version(clinic: Clinic, session_uid: str, patient_id: int) -> str:
    """Events the laptop wrote before protocol 3, still waiting in its outbox: a review at
    schema 1, and a session (the demo's earlier one) at schema 2. Returns that session's uid."""
    earlier = next(x for x in clinic.sessions() if x.status.value == "finished")
    old_session = {
        "session_uid": earlier.uid, "programme_key": "type2_diabetes", "programme_version": 1,
        "date": earlier.day.isoformat(), "mode": "face_to_face", "status": "finished",
        "planned_phase_minutes": {"checkin": 15}, "actual_phase_minutes": {"checkin": 14},
        "staff_roles_present": ["facilitator", "clinician"], "session_number": 1,
        "drop_in": False,
    }
    with clinic._write() as s:
        s.add(OutboxEvent(uid="0b7a6f3e-2222-4c3a-9d7e-2f5a1c9e0a02", type="session",
                          schema_version=2, occurred_at=utcnow(), payload=old_session))
        s.add(OutboxEvent(uid="0b7a6f3e-1111-4c3a-9d7e-2f5a1c9e0a01", type="review",
                          schema_version=1, occurred_at=utcnow(),
                          payload={"session_uid": session_uid, "patient_id": patient_id,
                                   "reviews": 1, "professions": ["gp"]}))
    return earlier.uid


def test_staff_answers_usual_minutes_and_review_minutes_are_stored_by_the_icb(
    demo: Clinic, icb: IcbServer
) -> None:
    programme = demo.programmes()[0]
    with demo.acting_as(SYSTEM):
        nurse = demo.add_staff("Kim Ahmed", Role.CLINICIAN, "4826", "practice_nurse")
        jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
        demo.update_programme(programme.id, usual_appointment_minutes=25)  # type: ignore[arg-type]
        people = [e.patient for e in demo.roster(demo.sessions(day=date.today())[0].id)][:3]  # type: ignore[arg-type]
        s = demo.plan_session(programme.id, date.today(), time(15), "Room 2",  # type: ignore[arg-type]
                              facilitator_id=jo.id, clinician_ids=[nurse.id])  # type: ignore[list-item]
        demo.start_session(s.id)  # type: ignore[arg-type]
        for person in people:
            demo.invite(s.id, person.id)  # type: ignore[arg-type]
            demo.set_attendance(s.id, person.id, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
    with demo.acting_as(demo.sign_in(nurse.id, "4826")):  # type: ignore[arg-type]
        demo.save_review(s.id, people[0].id, notes="Feet checked.", seconds_spent=430)  # type: ignore[arg-type]
        demo.save_review(s.id, people[1].id, notes="Talked about sleep.")  # type: ignore[arg-type]
    with demo.acting_as(demo.sign_in(jo.id, "2468")):  # type: ignore[arg-type]
        demo.finish_session(s.id)  # type: ignore[arg-type]
        demo.record_staff_experience(s.id, role="clinician", profession="practice_nurse",  # type: ignore[arg-type]
                                     answers={"satisfying": 4, "time_well_used": 5})
        demo.record_staff_experience(s.id, role="facilitator", profession="care_coordinator",  # type: ignore[arg-type]
                                     answers={"workload": 2})
    earlier_uid = queue_as_the_old_version(demo, s.uid, people[2].id)  # type: ignore[arg-type]
    produced = outbox_ids(demo)
    point_at(demo, icb.url, icb.token)

    report = Syncer(demo, FAST).run_pass()

    assert report.result == "done", report.reason
    assert report.needs_attention == 0, [e.last_error for e in demo.needs_attention_events()]
    assert sorted(icb.event_ids()) == sorted(produced)
    events = [(t, v, p) for t, v, p in stored(icb) if p.get("session_uid") == s.uid]
    staff = sorted((p["role"], p["profession"], p["answers"]) for t, v, p in events
                   if t == "staff_experience" and v == 1)
    assert staff == [("clinician", "practice_nurse", {"satisfying": 4, "time_well_used": 5}),
                     ("facilitator", "care_coordinator", {"workload": 2})]
    finished = [p for t, v, p in events if t == "session" and p["status"] == "finished"]
    assert [p["usual_appointment_minutes"] for p in finished] == [25]
    assert {v for t, v, p in events if t == "session"} == {3}
    reviews = {(v, p["reviews"], p.get("minutes_spent")) for t, v, p in events if t == "review"}
    # 430 seconds is 7 minutes; the untimed review sends null; the old queued one has none.
    assert reviews == {(2, 1, 7), (2, 1, None), (1, 1, None)}

    old = [p for t, v, p in stored(icb) if t == "session" and v == 2]
    assert [p["session_uid"] for p in old] == [earlier_uid]

    held = icb.all_text()
    for private in ("Kim Ahmed", "Jo Morgan", "Feet checked", people[0].nhs_number):
        assert private not in held, f"{private!r} left the laptop"
