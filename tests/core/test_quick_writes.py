"""The quick single-row write path (core.rows) that saving a value and changing phase use.

It skips the ORM, so these tests hold it to the ORM's own results: the same stored formats, an
audit chain that verifies when both paths write in turn (even in one transaction), and nothing
left behind when a save fails half way.
"""

from datetime import date

import pytest
from sqlalchemy import text

from groupclinic_desktop.core import outbox
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import ConsentKind, Measurement, Source, utcnow

STORED = "SELECT value, unit, taken_at, source, confirmed_unusual, entered_at FROM measurement"


def _running_session(demo: Clinic) -> int:
    session = next(s for s in demo.sessions(day=date.today()))
    user = next(u for u in demo.staff() if u.role.value == "facilitator")
    demo.sign_in(user.id, "2468")
    demo.start_session(session.id)  # type: ignore[arg-type]
    return session.id  # type: ignore[return-value]


def _stored(demo: Clinic, measurement_id: int) -> tuple:  # type: ignore[type-arg]
    with demo.engine.connect() as conn:
        return tuple(conn.execute(text(f"{STORED} WHERE id = :id"), {"id": measurement_id}).one())


def test_a_value_is_stored_exactly_as_the_orm_stores_it(demo: Clinic) -> None:
    sid = _running_session(demo)
    person = demo.roster(sid)[0].patient
    taken = utcnow()
    quick = demo.record_measurement(person.id, "pulse", "72", session_id=sid, taken_at=taken)[0]
    with demo._write() as s:  # the ORM writing the same value, for comparison
        orm = Measurement(
            uid="orm-copy", patient_id=person.id, session_id=sid, type_key="pulse", value=72.0,
            unit=quick.unit, taken_at=taken, source=Source.IN_SESSION,
            entered_at=quick.entered_at,
        )
        s.add(orm)
    assert _stored(demo, quick.id) == _stored(demo, orm.id)  # type: ignore[arg-type]
    again = demo.latest_measurement(person.id, "pulse")
    assert again is not None and again.id == orm.id and again.taken_at == quick.taken_at


def test_both_write_paths_in_turn_keep_one_unbroken_audit_chain(demo: Clinic) -> None:
    sid = _running_session(demo)
    people = [e.patient.id for e in demo.roster(sid)][:3]
    start = len(demo.audit_entries())
    for pid in people:
        demo.set_consent(sid, pid, ConsentKind.MONITORING, True)  # ORM
        demo.record_measurement(pid, "blood_pressure", "128/82", session_id=sid)  # quick
        demo.set_phase(sid, "board")  # quick
        # the activity answer saves a measurement through the quick helpers inside the ORM's
        # own transaction, between two ORM audit entries
        demo.record_questionnaire(sid, pid, "activity", {"minutes": "90"})
        demo.set_phase(sid, "checkin")
    entries = demo.audit_entries()[start:]
    assert [e.entity for e in entries[:6]] == [
        "consent", "measurement", "measurement", "clinic_session", "measurement",
        "questionnaire_response",
    ]
    assert demo.check() == []


def test_a_save_that_fails_half_way_leaves_nothing(
    demo: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _running_session(demo)
    pid = demo.roster(sid)[0].patient.id
    before = (
        len(demo.measurements()), len(demo.audit_entries()), len(demo.outbox_events()),
    )

    def broken(*_args: object) -> None:
        raise RuntimeError("disk pulled out")

    # the measurement and its audit entry are written, then the outbox event fails
    monkeypatch.setattr(outbox, "emit_row", broken)
    with pytest.raises(RuntimeError):
        demo.record_measurement(pid, "weight", "81.5", session_id=sid, confirmed=True)
    after = (len(demo.measurements()), len(demo.audit_entries()), len(demo.outbox_events()))
    assert after == before
    assert demo.check() == []


def test_a_closed_session_or_unknown_person_is_refused_on_the_quick_path(demo: Clinic) -> None:
    sid = _running_session(demo)
    finished = next(s for s in demo.sessions() if s.status.value == "finished")
    pid = demo.roster(sid)[0].patient.id
    before = len(demo.measurements())
    with pytest.raises(InvalidInput, match="finished"):
        demo.record_measurement(pid, "pulse", "70", session_id=finished.id)
    with pytest.raises(LookupError, match="patient"):
        demo.record_measurement(99999, "pulse", "70", session_id=sid)
    assert len(demo.measurements()) == before
