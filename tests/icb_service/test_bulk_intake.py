"""A batch is stored in one go, yet every event is answered as if it had been sent on its own.

The service writes a batch with one read and one multi-row insert (issue 26, point 2). These
tests hold it to the rule that came before (issue 21): each event is judged alone, a repeated id
is stored once and answered "duplicate" or "conflict" as a later single send would be, and what
ends up stored is the same whichever way the events arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, select

from icb_service import accounts
from icb_service.db import open_database
from icb_service.intake import receive
from icb_service.models import StoredEvent
from icb_service.protocol import ReceivedEvent
from tests.icb_service import events as ev
from tests.icb_service.conftest import POSTGRES_URL, Service

S = str(uuid.uuid4())
CONTENTS = [
    ("experience", ev.experience(S, "good")),
    ("experience", ev.experience(S, "poor")),
    ("attendance", ev.attendance(S, "a")),
    ("measurement", ev.measurement("a", "weight", 80, "2025-01-10", "no_target", S, unit="kg")),
    ("attendance", {**ev.attendance(S, "b"), "sex": "F"}),  # refused: not a protocol value
    ("experience", {**ev.experience(S, "good"), "name": "Mary Smith"}),  # refused: a name
]


@pytest.fixture
def twin(database_url: str, tmp_path) -> Iterator[Engine]:
    """A second, empty service database of the same kind as `engine`."""
    if database_url.startswith("sqlite"):
        engine = open_database(f"sqlite:///{tmp_path / 'twin.sqlite3'}")
        yield engine
        engine.dispose()
        return
    assert POSTGRES_URL
    schema = f"twin_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = open_database(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stored(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with Session(engine) as session:
        return {
            row.id: (row.practice_code, row.seq, row.type, row.content_sha256, row.payload)
            for row in session.exec(select(StoredEvent))
        }


@st.composite
def sends(draw: st.DrawFn) -> list[tuple[str, list[dict[str, Any]]]]:
    """A few batches from two practices over a handful of ids, so ids repeat within a batch,
    across batches and across practices, with the same or different content."""
    ids = [str(draw(st.uuids(version=4))) for _ in range(draw(st.integers(1, 4)))]
    batches = []
    for _ in range(draw(st.integers(1, 3))):
        practice = draw(st.sampled_from(["Y99999", "Y99999", "Y88888"]))
        events = []
        for _ in range(draw(st.integers(1, 6))):
            event_type, payload = draw(st.sampled_from(CONTENTS))
            events.append(ev.event(event_type, payload, event_id=draw(st.sampled_from(ids)),
                                   seq=draw(st.integers(1, 50))))
        batches.append((practice, events))
    return batches


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=sends())
def test_a_batch_is_answered_and_stored_as_its_events_one_by_one(
    engine: Engine, twin: Engine, batches: list[tuple[str, list[dict[str, Any]]]]
) -> None:
    for database in (engine, twin):
        for code in ("Y99999", "Y88888"):
            accounts.add_practice(database, code)
    for practice, events in batches:
        received = [ReceivedEvent.model_validate(event) for event in events]
        together = receive(engine, practice, received)
        alone = [receive(twin, practice, [event])[0] for event in received]
        assert together == alone
    assert stored(engine) == stored(twin)


def test_a_repeated_id_in_one_batch_is_stored_once(service: Service) -> None:
    first = ev.event("experience", ev.experience(S, "good"))
    same = dict(first)
    changed = {**first, "payload": ev.experience(S, "poor")}
    results = service.send([first, same, changed]).json()["results"]
    assert [r["status"] for r in results] == ["stored", "duplicate", "rejected"]
    assert results[2]["reason"].startswith("conflict")
    assert list(stored(service.engine)) == [first["id"]]


def test_a_full_batch_half_already_held_stores_the_other_half(service: Service) -> None:
    events = [ev.event("measurement", ev.measurement(
        f"p{i}", "weight", 70 + i / 10, "2025-01-10", "no_target", S, unit="kg"))
        for i in range(500)]
    assert service.send(events[::2]).status_code == 200
    results = service.send(events).json()["results"]
    assert [r["status"] for r in results] == ["duplicate", "stored"] * 250
    assert sorted(stored(service.engine)) == sorted(e["id"] for e in events)


def test_the_stored_fingerprint_and_payload_are_the_protocols_own() -> None:
    """The intake takes an event's fingerprint from the payload text it stores (made once for
    both); a retry is only recognised if that is exactly protocol.content_fingerprint."""
    import datetime as dt
    import json

    from icb_service.intake import _Accepted, _judge
    from icb_service.protocol import content_fingerprint

    session_uid = str(uuid.uuid4())
    sent = [
        ev.event("session", ev.session(session_uid, "2025-01-10")),
        ev.event("attendance", ev.attendance(session_uid, "ann"), "2025-01-10T12:00:00+02:00"),
        ev.event("measurement", ev.measurement("ann", "hba1c", 48.5, "2025-01-10", "close")),
        ev.event("questionnaire", ev.questionnaire(session_uid, "ann", "swemwbs", 21)),
    ]
    received = dt.datetime(2025, 1, 11, 9, 30)
    for event in sent:
        judged = _judge("Y99999", ReceivedEvent.model_validate(event), received)
        assert isinstance(judged, _Accepted), judged
        row = judged.row
        assert row["content_sha256"] == content_fingerprint(
            row["type"], row["schema_version"], row["occurred_at"], row["payload"]
        )
        assert json.loads(judged.payload_json) == row["payload"]


def test_the_fingerprint_does_not_depend_on_the_servers_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server set to UK time fingerprints an event exactly as one set to UTC does, so a
    laptop's retry is still told "duplicate" after the server's clock setting changes."""
    import datetime as dt
    import time

    from icb_service.intake import _Accepted, _judge
    from icb_service.protocol import content_fingerprint

    # A summer instant: UK time is then an hour ahead of UTC.
    sent = ev.event("attendance", ev.attendance(S, "ann"), "2025-07-01T12:00:00Z")
    received = dt.datetime(2025, 7, 1, 12, 30)
    expected = content_fingerprint(
        "attendance", sent["schema_version"], dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC),
        _judge("Y99999", ReceivedEvent.model_validate(sent), received).row["payload"],  # type: ignore[union-attr]
    )
    try:
        for zone in ("Europe/London", "UTC", "America/New_York"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            judged = _judge("Y99999", ReceivedEvent.model_validate(sent), received)
            assert isinstance(judged, _Accepted), judged
            assert judged.row["occurred_at"] == dt.datetime(2025, 7, 1, 12, 0)
            assert judged.row["content_sha256"] == expected, zone
    finally:
        monkeypatch.undo()
        time.tzset()
