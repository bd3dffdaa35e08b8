"""Receiving a batch of events: judge each on its own, store it once, answer for each in order.

Each event is judged alone (its envelope, its payload, its dates), so one bad event never blocks
the others. Storing is done for the whole batch at once: one read of the ids already held, one
multi-row insert that skips any id another request stored meanwhile (and queues the stored ids
for the summaries, summaries.catch_up), one commit. Answers are then
given per event, in the order sent, exactly as if the events had been stored one at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, String, any_, bindparam, select
from sqlalchemy.dialects import postgresql

from icb_service import partitions, summaries
from icb_service.models import EventId, StoredEvent, utc_now
from icb_service.protocol import (
    Event,
    ReceivedEvent,
    judged_event,
)

CONFLICT = "conflict: this event id was already stored with different content"
# One answer, as the protocol's EventResult: {"id", "status", "reason"}. Plain dicts, serialised
# once for the whole batch; a model per event cost as much as judging the event.
Result = dict[str, str | None]
EVENTS = StoredEvent.__table__  # type: ignore[attr-defined]
EVENT_IDS = EventId.__table__  # type: ignore[attr-defined]
# Ids looked up in one IN list; well under every engine's bound-parameter limit.
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class _Accepted:
    """An event judged acceptable: the row to store for it."""

    row: dict[str, Any]
    payload_json: str  # the payload as stored: the text its fingerprint was taken of


@dataclass(frozen=True)
class _Held:
    """What the service holds for an id: enough to tell a retry from a conflict."""

    practice_code: str
    content_sha256: str


def receive(
    engine: Engine, practice: str, events: Sequence[ReceivedEvent] | Sequence[Event]
) -> list[Result]:
    """Store what is acceptable; one bad event never blocks the others in its batch.

    One result per event, in order (the protocol's EventResult as a dict)."""
    received_at = utc_now()
    now = received_at.replace(tzinfo=dt.UTC)
    judged = [_judge(practice, event, received_at, now) for event in events]
    rows: dict[str, dict[str, Any]] = {}
    texts: dict[str, str] = {}
    for item in judged:
        if isinstance(item, _Accepted):
            rows.setdefault(item.row["id"], item.row)  # a repeated id: the first one is stored
            texts.setdefault(item.row["id"], item.payload_json)
    partitions.ensure_current(engine, received_at)
    with engine.begin() as connection:
        held = _held(connection, list(rows))
        # In id order, so two requests holding the same ids always lock them in the same order.
        new = [rows[event_id] for event_id in sorted(rows) if event_id not in held]
        stored = _insert_new(connection, new, [texts[row["id"]] for row in new])
        raced = [row["id"] for row in new if row["id"] not in stored]
        if raced:
            # Another request stored some of these ids between our read and our insert.
            held.update(_held(connection, raced))
        if connection.dialect.name != "postgresql":  # PostgreSQL queued them in the insert
            summaries.enqueue(connection, sorted(stored), received_at)
    for event_id in stored:
        row = rows[event_id]
        held[event_id] = _Held(row["practice_code"], row["content_sha256"])
    return [_answer(item, practice, held, stored) for item in judged]


def _judge(
    practice: str,
    received: ReceivedEvent | Event,
    received_at: dt.datetime,
    now: dt.datetime | None = None,
) -> _Accepted | Result:
    """The row to store for an acceptable event, or its rejection. No database here.

    `now` is received_at in UTC (given once a batch by receive)."""
    event_id = str(received.id)
    # Rejected events are never stored: they may hold exactly what must not leave the laptop.
    event, parsed, problem = judged_event(
        _as_sent(received, event_id), now or received_at.replace(tzinfo=dt.UTC)
    )
    if event is None or parsed is None:
        return _result(event_id, "rejected", problem)
    payload = parsed.model_dump(mode="json")
    # The Instant validator has already put it in UTC.
    occurred_at = event.occurred_at.replace(tzinfo=None)
    payload_json = _canonical(payload)
    return _Accepted({
        "id": event_id,
        "practice_code": practice,
        "seq": event.seq,
        "type": event.type,
        "schema_version": event.schema_version,
        "occurred_at": occurred_at,
        "received_at": received_at,
        "content_sha256": _fingerprint(event.type, event.schema_version, occurred_at,
                                       payload_json),
        "payload": payload,
    }, payload_json)


def _canonical(payload: dict[str, Any]) -> str:
    return _json(payload, sort_keys=True, separators=(",", ":"))


def _fingerprint(
    event_type: str, schema_version: int, occurred_at: dt.datetime, payload_json: str
) -> str:
    """protocol.content_fingerprint, from the payload's canonical text made once for both it
    and the stored row (the canonical list's last item is exactly that text).

    `occurred_at` is naive UTC, as stored: written as it is, whatever the server's time zone."""
    instant = occurred_at.isoformat()
    head = _json([event_type, schema_version, instant], separators=(",", ":"))
    return hashlib.sha256(f"{head[:-1]},{payload_json}]".encode()).hexdigest()


def _as_sent(received: ReceivedEvent | Event, event_id: str) -> dict[str, Any]:
    """The event's fields as the client sent them (the fields it left out stay out).

    A ReceivedEvent holds what the JSON body held, untouched (its fields are Any), so they are
    taken as they are; dumping the model again cost as much as storing the event."""
    if type(received) is not ReceivedEvent or not all(
        type(value) in _JSON_SCALARS for value in (received.seq, received.type,
                                                   received.schema_version, received.occurred_at)
    ):
        return received.model_dump(mode="json", exclude_unset=True)
    sent = {name: getattr(received, name) for name in received.model_fields_set}
    if received.__pydantic_extra__:
        sent.update(received.__pydantic_extra__)
    sent["id"] = event_id
    return sent


# What json.loads makes of a scalar: such values dump to themselves.
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _held(connection: Connection, ids: list[str]) -> dict[str, _Held]:
    found: dict[str, _Held] = {}
    columns = (EVENTS.c.id, EVENTS.c.practice_code, EVENTS.c.content_sha256)
    if connection.dialect.name == "postgresql":
        # Ids are kept once in event_id (the partitioned event table cannot key on id alone).
        columns = (EVENT_IDS.c.id, EVENT_IDS.c.practice_code, EVENT_IDS.c.content_sha256)
        # One array parameter instead of one parameter per id: the query text stays the same
        # for every batch, so neither the driver nor the server parses it again.
        query = select(*columns).where(
            EVENT_IDS.c.id == any_(bindparam("ids", ids, type_=postgresql.ARRAY(String)))
        )
        chunks = [query]
    elif connection.dialect.name == "sqlite":
        # The ids as one JSON array: one short statement, whatever the batch's size.
        for event_id, practice_code, content_sha256 in connection.exec_driver_sql(
            _SQLITE_HELD, (_json(ids),)
        ):
            found[event_id] = _Held(practice_code, content_sha256)
        return found
    else:  # pragma: no cover - the service runs on SQLite and PostgreSQL only
        chunks = [
            select(*columns).where(EVENTS.c.id.in_(ids[start : start + LOOKUP_CHUNK]))
            for start in range(0, len(ids), LOOKUP_CHUNK)
        ]
    for query in chunks:
        for event_id, practice_code, content_sha256 in connection.execute(query):
            found[event_id] = _Held(practice_code, content_sha256)
    return found


# PostgreSQL: the whole batch as one array per column, unnested into rows by the server, stored
# and queued for the summaries (summary_queue) in one short statement a batch, whatever its
# size (a VALUES list of 500 rows has 4,500 parameters, which psycopg spent longer parsing
# than the server spent storing them). The arrays go in binary (%b), which spares escaping
# every JSON text character by character.
_PG_INSERT = """
WITH batch AS (
    SELECT * FROM unnest(
        %(id)b::varchar[], %(practice_code)b::varchar[], %(seq)b::bigint[], %(type)b::varchar[],
        %(schema_version)b::integer[], %(occurred_at)b::timestamp[],
        %(received_at)b::timestamp[], %(content_sha256)b::varchar[], %(payload)b::text[])
    AS b(id, practice_code, seq, type, schema_version, occurred_at, received_at,
         content_sha256, payload)
), new AS (
    INSERT INTO event_id (id, practice_code, content_sha256)
    SELECT id, practice_code, content_sha256 FROM batch
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), stored AS (
    INSERT INTO event (id, practice_code, seq, type, schema_version, occurred_at, received_at,
                       content_sha256, payload)
    SELECT batch.id, practice_code, seq, type, schema_version, occurred_at, received_at,
           content_sha256, payload::json
    FROM batch JOIN new ON new.id = batch.id
    RETURNING id, received_at
)
INSERT INTO summary_queue (event_id, received_at)
SELECT id, received_at FROM stored
RETURNING event_id
"""


def _insert_new(
    connection: Connection, rows: list[dict[str, Any]], payloads: list[str]
) -> set[str]:
    """Insert every row with one statement; the ids actually inserted.

    ON CONFLICT DO NOTHING leaves an id another request stored a moment ago untouched (on
    PostgreSQL the insert into event_id waits for that request to commit), so the caller can
    judge it again.
    """
    if not rows:
        return set()
    if connection.dialect.name == "postgresql":
        columns: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
        for row in rows:
            for name in _COLUMNS:
                columns[name].append(row[name])
        # The canonical text (sorted keys, no spaces): the same JSON, read the same way.
        columns["payload"] = payloads
        result = connection.exec_driver_sql(_PG_INSERT, columns)
    elif connection.dialect.name == "sqlite":
        # The intake's transaction began with BEGIN IMMEDIATE (db._sqlite_begin): no other
        # writer can have stored one of these ids since _held read them, so every row goes in.
        # Each value passes through its column's own bind processor, so the row is stored
        # exactly as a Core insert would store it, without building a statement per batch.
        processors = _sqlite_processors(connection.dialect)
        cursor = connection.exec_driver_sql(_SQLITE_INSERT, [
            (*(row[name] if process is None else process(row[name])
               for name, process in processors), payload)
            for row, payload in zip(rows, payloads, strict=True)
        ])
        if cursor.rowcount != len(rows):
            # Only possible without the write lock; roll back, and the laptop sends again.
            raise RuntimeError("event insert: an id was stored by another writer meanwhile")
        return {row["id"] for row in rows}
    else:  # pragma: no cover - the service runs on SQLite and PostgreSQL only
        raise NotImplementedError(connection.dialect.name)
    return {event_id for (event_id,) in result}


_COLUMNS = (
    "id", "practice_code", "seq", "type", "schema_version", "occurred_at", "received_at",
    "content_sha256", "payload",
)
_json = json.dumps
_SQLITE_INSERT = (
    f"INSERT INTO event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
)
assert _COLUMNS[-1] == "payload"  # given as its canonical text, after the processed columns
_SQLITE_HELD = (
    "SELECT id, practice_code, content_sha256 FROM event "
    "WHERE id IN (SELECT value FROM json_each(?))"
)


@cache
def _sqlite_processors(dialect: Dialect) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    return tuple((name, EVENTS.c[name].type.bind_processor(dialect)) for name in _COLUMNS[:-1])


def _answer(
    item: _Accepted | Result,
    practice: str,
    held: dict[str, _Held],
    stored: set[str],
) -> Result:
    if not isinstance(item, _Accepted):
        return item  # rejected on its own
    event_id = item.row["id"]
    if event_id in stored:
        stored.discard(event_id)  # only the first of a repeated id was stored by this batch
        return _result(event_id, "stored")
    existing = held[event_id]
    if existing.practice_code == practice and existing.content_sha256 == item.row["content_sha256"]:
        return _result(event_id, "duplicate")
    return _result(event_id, "rejected", CONFLICT)


def _result(event_id: str, status: str, reason: str | None = None) -> Result:
    return {"id": event_id, "status": status, "reason": reason}
