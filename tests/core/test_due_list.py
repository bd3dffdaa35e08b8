"""The care coordinator's list of what is due: what it lists, what can be done from it (each
audited, each counted for monitoring without a person or a word), and who may use it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import OutboxEvent, Role, SessionStatus
from groupclinic_desktop.sync.payloads import to_event, wire_payload


def actor(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, role)


def outbox(clinic: Clinic, kind: str) -> list[OutboxEvent]:
    from sqlmodel import Session, select

    with Session(clinic.engine) as s:
        return list(s.exec(select(OutboxEvent).where(OutboxEvent.type == kind)))


@pytest.fixture
def ran(demo: Clinic) -> dict[str, int]:
    """Today's session run: one person with a red flag and an overdue action, one who did not
    attend, and a session planned ahead that one person has not answered."""
    session = next(s for s in demo.sessions() if s.status == SessionStatus.PLANNED)
    sid = session.id
    assert sid is not None
    people = [e.patient.id for e in demo.roster(sid)]
    flagged, absent, quiet = people[0], people[1], people[2]
    with demo.acting_as(SYSTEM):
        demo.start_session(sid)
        demo.set_attendance(sid, flagged, "attended")
        demo.set_attendance(sid, absent, "did_not_attend")
        demo.set_attendance(sid, quiet, "attended")
        demo.record_measurement(flagged, "blood_pressure", "185/125", session_id=sid,
                                confirmed=True)
        for flag in demo.red_flags(sid):
            demo.acknowledge_red_flag(sid, flag.measurement_id, flag.rule_key, "Seen.")
        demo.save_review(sid, flagged, notes="n", actions=[
            {"text": "Repeat blood pressure", "owner": "Nurse",
             "due": (session.day - timedelta(days=1)).isoformat()}])
        demo.finish_session(sid)
        ahead = demo.plan_session(session.programme_id, session.day + timedelta(days=30),
                                  time(10), "Hall")
        demo.invite(ahead.id, quiet)  # type: ignore[arg-type]
    return {"session": sid, "flagged": flagged, "absent": absent, "quiet": quiet,
            "ahead": ahead.id}  # type: ignore[dict-item]


def test_the_list_shows_each_kind_of_item(demo: Clinic, ran: dict[str, int]) -> None:
    with demo.acting_as(actor(demo, Role.FACILITATOR)):
        items = demo.due_list()
    kinds = {(i.kind, i.patient_id) for i in items}
    assert ("red_flag", ran["flagged"]) in kinds
    assert ("action", ran["flagged"]) in kinds
    assert ("dna", ran["absent"]) in kinds
    assert ("no_reply", ran["quiet"]) in kinds
    action = next(i for i in items if i.kind == "action" and "Repeat blood pressure" in i.what)
    assert action.overdue and "Repeat blood pressure" in action.what
    assert items[0].kind == "red_flag"  # red flags first


def test_contact_reinvite_and_done_are_audited_and_counted_without_words(
    demo: Clinic, ran: dict[str, int]
) -> None:
    coordinator = actor(demo, Role.ADMIN)
    with demo.acting_as(coordinator):
        mine = {ran["flagged"], ran["absent"]}
        items = {i.kind: i for i in demo.due_list() if i.patient_id in mine
                 and (i.kind != "action" or "Repeat blood pressure" in i.what)}
        audit_before = len(demo.audit_entries())
        demo.record_contact(ran["flagged"], items["red_flag"].key, "call", "spoke",
                            "Booked with the GP on Friday.")
        attendance = demo.reinvite(ran["absent"], items["dna"].key)
        demo.mark_done(ran["flagged"], items["action"].key, "Done at the pharmacy.")
        left = {i.key for i in demo.due_list()}
        plan = demo.care_plan(ran["flagged"])
    upcoming = sorted(
        (s.day, s.id) for s in demo.sessions(status=SessionStatus.PLANNED) if s.day >= date.today()
    )
    assert attendance.session_id == upcoming[0][1]  # the next session planned
    assert not left & {items[k].key for k in ("red_flag", "dna", "action")}
    done = next(a for a in plan.actions if a.text == "Repeat blood pressure")
    assert done.done  # marked done in the person's plan too
    entities = [e.entity for e in demo.audit_entries()[audit_before:]]
    assert entities.count("follow_up") == 3 and "attendance" in entities and "care_plan" in entities
    events = outbox(demo, "follow_up")
    assert [(e.payload["item"], e.payload["step"]) for e in events] == [
        ("red_flag", "contact"), ("dna", "reinvite"), ("action", "done")]
    for event in events:
        text = str(event.payload)
        assert "Booked" not in text and "pharmacy" not in text and "patient" not in text
        # The ICB's own protocol accepts it as it stands.
        to_event(event, wire_payload(event, demo.patient, b"k" * 32))


def test_bad_input_and_wrong_people_are_refused(demo: Clinic, ran: dict[str, int]) -> None:
    with demo.acting_as(actor(demo, Role.FACILITATOR)):
        key = next(i.key for i in demo.due_list()
                   if i.kind == "red_flag" and i.patient_id == ran["flagged"])
        before = len(demo.audit_entries())
        with pytest.raises(InvalidInput, match="^Contact method:"):
            demo.record_contact(ran["flagged"], key, "pigeon", "spoke")
        with pytest.raises(InvalidInput, match="^Contact outcome:"):
            demo.record_contact(ran["flagged"], key, "call", "fine")
        with pytest.raises(InvalidInput, match="^Note:"):
            demo.record_contact(ran["flagged"], key, "call", "spoke", "x" * 501)
        with pytest.raises(InvalidInput, match="^Re-invite:"):
            demo.reinvite(ran["flagged"], key)
        assert len(demo.audit_entries()) == before
    for role in (Role.CLINICIAN, Role.CO_FACILITATOR):
        with demo.acting_as(actor(demo, role)), pytest.raises(NotAllowed):
            demo.due_list()


def test_a_care_coordinator_by_profession_may_use_the_list(demo: Clinic) -> None:
    with demo.acting_as(SYSTEM):
        user = demo.add_staff("Robin Care", Role.CLINICIAN, "5827", profession="care coordinator")
    with demo.acting_as(Actor(user.id, user.name, Role.CLINICIAN)):
        assert demo.may_follow_up()
        demo.due_list(today=date.today())
