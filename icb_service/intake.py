"""Receiving a batch of events: judge each on its own, store it once, answer for each in order."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from icb_service.models import StoredEvent, utc_now
from icb_service.protocol import (
    Event,
    EventResult,
    ReceivedEvent,
    content_fingerprint,
    event_problem,
    validated_payload,
)

CONFLICT = "conflict: this event id was already stored with different content"


def receive(
    engine: Engine, practice: str, events: list[ReceivedEvent] | list[Event]
) -> list[EventResult]:
    """Store what is acceptable; one bad event never blocks the others in its batch."""
    received_at = utc_now()
    with Session(engine) as session:
        results = [_receive_one(session, practice, event, received_at) for event in events]
        session.commit()
    return results


def _receive_one(
    session: Session, practice: str, received: ReceivedEvent | Event, received_at: dt.datetime
) -> EventResult:
    event_id = str(received.id)
    # Rejected events are never stored: they may hold exactly what must not leave the laptop.
    event, problem = event_problem(
        received.model_dump(mode="json", exclude_unset=True), received_at.replace(tzinfo=dt.UTC)
    )
    if event is None:
        return EventResult(id=event_id, status="rejected", reason=problem)
    return _store(session, practice, event, received_at)


def _store(
    session: Session, practice: str, event: Event, received_at: dt.datetime
) -> EventResult:
    event_id = str(event.id)
    payload = validated_payload(event.type, event.schema_version, event.payload).model_dump(
        mode="json"
    )
    occurred_at = event.occurred_at.astimezone(dt.UTC).replace(tzinfo=None)
    fingerprint = content_fingerprint(event.type, event.schema_version, occurred_at, payload)

    existing = session.get(StoredEvent, event_id)
    if existing is None:
        try:
            with session.begin_nested():
                session.add(
                    StoredEvent(
                        id=event_id, practice_code=practice, seq=event.seq, type=event.type,
                        schema_version=event.schema_version, occurred_at=occurred_at,
                        received_at=received_at, content_sha256=fingerprint, payload=payload,
                    )
                )
            return EventResult(id=event_id, status="stored")
        except IntegrityError:
            # Another request stored the same id a moment ago; judge against what it stored.
            existing = session.get(StoredEvent, event_id, populate_existing=True)
            if existing is None:
                raise
    if existing.practice_code == practice and existing.content_sha256 == fingerprint:
        return EventResult(id=event_id, status="duplicate")
    return EventResult(id=event_id, status="rejected", reason=CONFLICT)
