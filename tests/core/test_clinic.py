"""The Clinic facade end to end against a real encrypted store.

Every write leaves exactly one audit entry per changed row and the right outbox events; a refused
write leaves the store exactly as it was.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import InvalidInput, NeedsConfirmation, NotAllowed
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role, SessionStatus

FACILITATOR_PIN, CLINICIAN_PIN, ADMIN_PIN = "2468", "1357", "9753"


def counts(clinic: Clinic) -> tuple[int, int]:
    return len(clinic.audit_entries()), len(clinic.outbox_events())


def sign_in(clinic: Clinic, role: str) -> None:
    pins = {"facilitator": FACILITATOR_PIN, "clinician": CLINICIAN_PIN, "admin": ADMIN_PIN}
    user = next(u for u in clinic.staff() if u.role == role)
    clinic.sign_in(user.id, pins[role])


@pytest.fixture
def today_session(demo: Clinic):  # type: ignore[no-untyped-def]
    session = next(s for s in demo.sessions(day=date.today()))
    sign_in(demo, "facilitator")
    demo.start_session(session.id)
    return session


def test_demo_practice_has_what_a_new_user_needs(demo: Clinic) -> None:
    practice = demo.practice()
    assert practice.ods_code == "Y99999" and practice.is_demo
    assert sorted(u.role.value for u in demo.staff()) == [
        "admin", "clinician", "co_facilitator", "facilitator"
    ]
    patients = demo.patients()
    assert len(patients) == 10
    assert all(p.nhs_number.startswith("999") for p in patients)
    finished = demo.sessions(status=SessionStatus.FINISHED)
    assert len(finished) == 1
    past = finished[0]
    assert (date.today() - past.day).days in range(85, 100)
    present = [e for e in demo.roster(past.id) if e.attendance.status.present]
    assert len(present) == 9
    assert len(demo.reviews(past.id)) == 9
    assert len(demo.goals(session_id=past.id)) == 9
    assert len(demo.agenda(past.id)) == 5
    assert demo.measurements(session_id=past.id)
    assert demo.responses(session_id=past.id)
    today = demo.sessions(day=date.today())
    assert today and today[0].status == SessionStatus.PLANNED
    assert len(demo.roster(today[0].id)) == 10
    assert demo.check() == []


def test_every_write_leaves_one_audit_entry_and_its_outbox_event(
    demo: Clinic, today_session
) -> None:
    sid = today_session.id
    person = demo.roster(sid)[0].patient
    audit_before, outbox_before = counts(demo)
    demo.set_attendance(sid, person.id, AttendanceStatus.ATTENDED)
    assert counts(demo) == (audit_before + 1, outbox_before + 1)
    event = demo.outbox_events()[-1]
    assert event.type == "attendance"
    assert event.payload["status"] == "attended"
    assert event.payload["session_uid"] == today_session.uid

    audit_before, outbox_before = counts(demo)
    demo.set_consent(sid, person.id, ConsentKind.SHARE_RESULTS, True)
    assert counts(demo) == (audit_before + 1, outbox_before)  # consent is not monitoring data
    assert demo.audit_entries()[-1].action == "consent"

    audit_before, outbox_before = counts(demo)
    saved = demo.record_measurement(person.id, "blood_pressure", "138/84", session_id=sid)
    assert [(m.type_key, m.value) for m in saved] == [("systolic_bp", 138), ("diastolic_bp", 84)]
    assert saved[0].reading_uid == saved[1].reading_uid is not None
    assert counts(demo) == (audit_before + 2, outbox_before + 2)
    entry = demo.audit_entries()[-1]
    assert entry.user_name == "Jo Morgan" and entry.patient_id == person.id
    assert entry.after["value"] == 84 and entry.before is None

    audit_before, outbox_before = counts(demo)
    demo.add_agenda_item(sid, "How do I stop snacking in the evening?", topic="Food and drink")
    assert counts(demo) == (audit_before + 1, outbox_before)


def test_weight_with_known_height_also_saves_bmi(demo: Clinic, today_session) -> None:
    person = demo.roster(today_session.id)[0].patient
    height = demo.latest_measurement(person.id, "height")
    saved = demo.record_measurement(
        person.id, "weight", "80", session_id=today_session.id, confirmed=True
    )
    assert [m.type_key for m in saved] == ["weight", "bmi"]
    expected = round(80 / (height.value / 100) ** 2, 1)
    assert saved[1].value == pytest.approx(expected)


def test_measurement_change_since_previous_goes_to_the_outbox(demo: Clinic, today_session) -> None:
    person = demo.roster(today_session.id)[0].patient
    previous = demo.latest_measurement(person.id, "weight")
    demo.record_measurement(
        person.id, "weight", str(previous.value - 2), session_id=today_session.id
    )
    weight_event = [
        e
        for e in demo.outbox_events()
        if e.type == "measurement" and e.payload["measure"] == "weight"
    ][-1]
    assert weight_event.payload["change_since_previous"] == pytest.approx(-2)
    assert "patient_id" in weight_event.payload
    forbidden = {
        person.given_name,
        person.family_name,
        person.nhs_number,
        person.date_of_birth.isoformat(),
    }
    text = str(weight_event.payload)
    assert not any(f in text for f in forbidden)


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("blood_pressure", "300/80", "Systolic"),
        ("blood_pressure", "80/120", "higher than"),
        ("blood_pressure", "140", "/"),
        ("weight", "-70", "negative"),
        ("weight", "heavy", "number"),
        ("hba1c", "", "enter a value"),
        ("bmi", "25", "worked out"),
    ],
)
def test_refused_measurement_leaves_the_store_as_it_was(
    demo: Clinic, today_session, key: str, text: str, message: str
) -> None:
    person = demo.roster(today_session.id)[0].patient
    before = counts(demo), len(demo.measurements())
    with pytest.raises(InvalidInput, match=message):
        demo.record_measurement(person.id, key, text, session_id=today_session.id)
    assert (counts(demo), len(demo.measurements())) == before


def test_unusual_value_needs_confirmation_then_saves(demo: Clinic, today_session) -> None:
    person = demo.roster(today_session.id)[0].patient
    before = len(demo.measurements())
    with pytest.raises(NeedsConfirmation):
        demo.record_measurement(person.id, "blood_pressure", "190/95", session_id=today_session.id)
    assert len(demo.measurements()) == before
    saved = demo.record_measurement(
        person.id, "blood_pressure", "190/95", session_id=today_session.id, confirmed=True
    )
    assert all(m.confirmed_unusual for m in saved)


def test_measurement_dated_in_the_future_is_refused(demo: Clinic, today_session) -> None:
    person = demo.roster(today_session.id)[0].patient
    tomorrow = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(InvalidInput, match="future|after today"):
        demo.record_measurement(person.id, "weight", "80", taken_at=tomorrow)


def test_failed_write_in_the_middle_of_a_transaction_leaves_nothing(
    demo: Clinic, today_session
) -> None:
    """A goal for a person who is not in the store fails after the session was read."""
    before = counts(demo), len(demo.goals())
    with pytest.raises(LookupError):
        demo.set_goal(today_session.id, 99999, "Walk more", confidence=7)
    assert (counts(demo), len(demo.goals())) == before


def test_invalid_nhs_numbers_are_refused_when_adding_a_patient(demo: Clinic) -> None:
    sign_in(demo, "admin")
    before = len(demo.patients())
    for bad in ("999 000 0019", "99900001", "99900001A8", "9990000131x"):
        with pytest.raises(InvalidInput, match="NHS number"):
            demo.add_patient(bad, "Test", "Person", "1960-01-01")
    with pytest.raises(InvalidInput, match="already recorded"):
        demo.add_patient("999 000 0018", "Copy", "Person", "1960-01-01")
    with pytest.raises(InvalidInput, match="future"):
        demo.add_patient(
            "999 000 0115", "Future", "Person", (date.today() + timedelta(days=1)).isoformat()
        )
    assert len(demo.patients()) == before
    added = demo.add_patient("999-000-0115", "New", "Person", "01/02/1960", sex="female")
    assert added.nhs_number == "9990000115" and added.date_of_birth == date(1960, 2, 1)


def test_roles_are_enforced_in_the_facade(demo: Clinic, today_session) -> None:
    sid = today_session.id
    person = demo.roster(sid)[0].patient
    clinician = next(u for u in demo.staff() if u.role == Role.CLINICIAN)

    # A facilitator may not document a review in their own name...
    with pytest.raises(NotAllowed):
        demo.save_review(sid, person.id, notes="Looks well")
    # ...but may document one on behalf of a named clinician, which is recorded as such.
    review = demo.save_review(sid, person.id, notes="Looks well", on_behalf_of_id=clinician.id)
    facilitator = next(u for u in demo.staff() if u.role == Role.FACILITATOR)
    assert review.documented_by_id == facilitator.id and review.on_behalf_of_id == clinician.id
    with pytest.raises(NotAllowed):
        demo.add_staff("Someone", Role.ADMIN, "0000")

    sign_in(demo, "admin")
    with pytest.raises(NotAllowed):
        demo.record_measurement(person.id, "weight", "80", session_id=sid)

    sign_in(demo, "clinician")
    # The clinician's own review is the one written on her behalf: her edit changes it, and it
    # still waits for her explicit sign-off.
    review = demo.save_review(sid, person.id, notes="Reviewed in group")
    assert review.author_id == clinician.id and review.notes == "Reviewed in group"
    assert review.documented_by_id == facilitator.id and review.awaiting_sign_off
    assert len(demo.reviews(sid, person.id)) == 1
    assert not demo.sign_review(review.id).awaiting_sign_off  # type: ignore[arg-type]

    demo.sign_out()
    with pytest.raises(NotAllowed, match="Sign in"):
        demo.set_attendance(sid, person.id, AttendanceStatus.ATTENDED)


def test_wrong_pins_lock_the_account_for_a_while(demo: Clinic) -> None:
    user = next(u for u in demo.staff() if u.role == Role.FACILITATOR)
    for _ in range(5):
        with pytest.raises(NotAllowed, match="not right"):
            demo.sign_in(user.id, "0000")
    with pytest.raises(NotAllowed, match="Try again"):
        demo.sign_in(user.id, FACILITATOR_PIN)
    actions = [e.action for e in demo.audit_entries() if e.entity == "staff_user"]
    assert actions.count("sign_in_failed") == 5


def test_phases_can_be_revisited_and_time_is_added_up(demo: Clinic, today_session) -> None:
    sid = today_session.id
    demo.set_phase(sid, "board")
    demo.set_phase(sid, "checkin")
    session = demo.set_phase(sid, "agenda")
    assert session.phase == "agenda"
    assert set(session.phase_minutes) == {"checkin", "board"}
    with pytest.raises(InvalidInput, match="Phase"):
        demo.set_phase(sid, "coffee")


def test_finished_session_is_closed_to_everyday_edits_and_backed_up(
    demo: Clinic, today_session
) -> None:
    person = demo.roster(today_session.id)[0].patient
    demo.finish_session(today_session.id)
    assert any("session-finished" in p.name for p in demo.location.backup_dir.iterdir())
    with pytest.raises(InvalidInput, match="closed"):
        demo.record_measurement(person.id, "weight", "80", session_id=today_session.id)
    finished_events = [
        e
        for e in demo.outbox_events()
        if e.type == "session" and e.payload["session_uid"] == today_session.uid
    ]
    assert finished_events[-1].payload["status"] == "finished"
    assert finished_events[-1].payload["actual_phase_minutes"] is not None


def test_questionnaires_goals_and_agenda(demo: Clinic, today_session) -> None:
    sid = today_session.id
    person = demo.roster(sid)[0].patient
    response = demo.record_questionnaire(
        sid, person.id, "swemwbs", {f"item{i}": 4 for i in range(1, 8)}
    )
    assert (response.raw, response.score) == (28, 25.03)
    incomplete = demo.record_questionnaire(sid, person.id, "swemwbs", {"item1": 4})
    assert incomplete.score is None and not incomplete.complete

    goal = demo.set_goal(
        sid,
        person.id,
        "Walk to work twice a week",
        confidence=7,
        what_matters="Keeping up with my grandchildren",
    )
    assert demo.outbox_events()[-1].type == "goal"
    assert "Walk" not in str(demo.outbox_events()[-1].payload)
    with pytest.raises(InvalidInput, match="Confidence"):
        demo.set_goal(sid, person.id, "Walk", confidence=11)
    demo.record_goal_outcome(goal.id, "partly")

    first = demo.add_agenda_item(sid, "Feet tingling", raised_by="Maggie")
    dup = demo.add_agenda_item(sid, "Tingling feet?")
    demo.update_agenda_item(first.id, votes=2)
    demo.update_agenda_item(dup.id, votes=1)
    demo.merge_agenda_items(first.id, dup.id)
    items = demo.agenda(sid)
    assert [(i.text, i.votes) for i in items] == [("Feet tingling", 3)]


def test_planning_a_session_snapshots_the_programme(demo: Clinic) -> None:
    sign_in(demo, "admin")
    programme = demo.programmes()[0]
    session = demo.plan_session(
        programme.id, date.today() + timedelta(days=56), time(14, 0), "Library meeting room"
    )
    assert session.programme_snapshot["key"] == "type2_diabetes"
    assert session.programme_version == programme.version
    event = demo.outbox_events()[-1]
    assert event.type == "session" and event.payload["status"] == "planned"


def test_activity_answer_is_also_saved_as_a_self_reported_measurement(
    demo: Clinic, today_session
) -> None:
    person = demo.roster(today_session.id)[0].patient
    demo.record_questionnaire(today_session.id, person.id, "activity", {"minutes": 150})
    activity = demo.measurements(patient_id=person.id, type_key="activity_minutes")
    assert [(m.value, m.source.value) for m in activity] == [(150, "self_reported")]
