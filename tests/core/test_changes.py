"""Change notices: a committed write is announced once, with what it touched (ids only); a
rolled-back write is announced never. A write the database refuses becomes the app's store error
with a sentence for the person at the laptop, and the store is left as it was."""

import sys
from datetime import date

import pytest
from sqlalchemy import event

from groupclinic_desktop.core import audit, store
from groupclinic_desktop.core.changes import Change, ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import NeedsConfirmation, StoreError
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind


def _sign_in(clinic: Clinic, name: str = "Jo Morgan", pin: str = "2468") -> None:
    clinic.sign_in(next(u.id for u in clinic.staff() if u.name == name), pin)  # type: ignore[arg-type]


def _today(clinic: Clinic) -> tuple[int, int]:
    session = clinic.sessions(day=date.today())[0]
    person = clinic.roster(session.id)[0].patient  # type: ignore[arg-type]
    return session.id, person.id  # type: ignore[return-value]


def _heard(clinic: Clinic) -> list[ChangeSet]:
    heard: list[ChangeSet] = []
    clinic.notices.subscribe(heard.append)
    return heard


def test_a_committed_measurement_is_announced_once_with_its_kind_session_and_person(demo):
    _sign_in(demo)
    sid, pid = _today(demo)
    heard = _heard(demo)
    demo.record_measurement(pid, "blood_pressure", "138/84", session_id=sid)  # two rows
    assert heard == [ChangeSet(frozenset({Change("measurement", sid, pid)}))]
    assert demo.measurements(patient_id=pid, session_id=sid)  # the notice followed the commit


def test_each_write_is_its_own_notice_with_only_ids_in_it(demo):
    _sign_in(demo)
    sid, pid = _today(demo)
    heard = _heard(demo)
    demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
    demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)
    assert [c.kinds for c in heard] == [{"attendance"}, {"consent"}]
    assert all(c.session_id == sid and c.patient_id == pid for s in heard for c in s.changes)
    assert heard[1].touches({"consent"}, session_id=sid)
    assert not heard[1].touches({"measurement"}, session_id=sid)
    for change in (c for s in heard for c in s.changes):  # nothing but a table name and ids
        assert {type(v) for v in vars(change).values()} <= {str, int}


def test_a_refused_write_is_announced_never(demo):
    _sign_in(demo)
    sid, pid = _today(demo)
    heard = _heard(demo)
    with pytest.raises(NeedsConfirmation):  # refused inside the transaction: rolled back
        demo.record_measurement(pid, "systolic_bp", "230", session_id=sid)
    assert heard == []


def test_a_rolled_back_transaction_publishes_nothing_even_after_its_audit_entries(demo):
    _sign_in(demo)
    heard = _heard(demo)
    before = len(demo.audit_entries()) if hasattr(demo, "audit_entries") else None
    with pytest.raises(RuntimeError), demo._write() as s:
        audit.append(s, user_id=None, user_name="test", action="update", entity="patient",
                     entity_id=1, patient_id=1)
        raise RuntimeError("stop before commit")
    assert heard == []
    if before is not None:
        assert len(demo.audit_entries()) == before


def test_a_subscriber_that_fails_neither_undoes_the_write_nor_silences_the_others(
    demo, monkeypatch
):
    _sign_in(demo)
    sid, pid = _today(demo)
    reported: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, _e, _tb: reported.append(kind))

    def broken(_changes: ChangeSet) -> None:
        raise ValueError("a screen failed")

    demo.notices.subscribe(broken)
    heard = _heard(demo)
    demo.record_measurement(pid, "weight", "82.4", session_id=sid, confirmed=True)
    assert reported == [ValueError]
    assert len(heard) == 1
    assert 82.4 in [m.value for m in demo.measurements(patient_id=pid, session_id=sid)]


def test_unsubscribed_hears_nothing(demo):
    _sign_in(demo)
    sid, pid = _today(demo)
    heard: list[ChangeSet] = []
    stop = demo.notices.subscribe(heard.append)
    stop()
    demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
    assert heard == []


# ---------------------------------------------------------------- the database says no


def _short_wait(clinic: Clinic) -> None:
    """New connections wait 0.2 s for a lock instead of 30 s (the test need not wait)."""
    event.listen(clinic.engine, "connect", lambda conn, _r: conn.execute("PRAGMA busy_timeout=200"))
    clinic.engine.dispose()


def test_a_write_while_another_program_holds_the_store_is_a_store_error_and_changes_nothing(
    demo, demo_dir
):
    _sign_in(demo)
    sid, pid = _today(demo)
    _short_wait(demo)
    heard = _heard(demo)
    other = store._keyed_connection(demo.location.db_path, store_key(demo))
    other.isolation_level = None
    other.execute("BEGIN IMMEDIATE")  # a second connection holds the write lock
    try:
        with pytest.raises(StoreError) as refused:
            demo.record_measurement(pid, "weight", "82.4", session_id=sid, confirmed=True)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert refused.value.kind == "locked"
    assert str(refused.value).startswith("The store is busy (another program is holding it)")
    assert "nothing was saved" in str(refused.value)
    assert demo.measurements(patient_id=pid, session_id=sid) == []
    assert heard == []
    # Free again: it saves.
    demo.record_measurement(pid, "weight", "82.4", session_id=sid, confirmed=True)
    assert len(heard) == 1


def test_a_store_sqlite_will_not_write_to_is_a_store_error_that_says_so(demo):
    _sign_in(demo)
    sid, pid = _today(demo)
    # SQLite itself refuses to write (SQLITE_READONLY), as for a file on a read-only disk.
    event.listen(demo.engine, "connect", lambda conn, _r: conn.execute("PRAGMA query_only=ON"))
    demo.engine.dispose()
    with pytest.raises(StoreError) as refused:
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
    assert refused.value.kind == "read_only"
    assert "cannot be written to" in str(refused.value)
    assert demo.roster(sid)[0].attendance.status == AttendanceStatus.INVITED


def store_key(clinic: Clinic) -> str:
    return clinic._key
