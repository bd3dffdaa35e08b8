"""The Clinic facade: the outbox as the sync worker sees it, and the sync settings."""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, delete, update
from sqlalchemy import select as select_core
from sqlmodel import col, select

from groupclinic_desktop.core import audit, service_address
from groupclinic_desktop.core.errors import NotFound
from groupclinic_desktop.core.facade.base import (
    Actor,
    ClinicBase,
    _aware,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    OutboxEvent,
    Role,
    Setting,
    utcnow,
)


class PendingEvent(NamedTuple):
    """An outbox event as the sync worker reads it to send (see OutboxEvent)."""

    id: int
    uid: str
    type: str
    schema_version: int
    occurred_at: datetime
    payload: dict[str, Any] | None


class SyncArea(ClinicBase):
    """The outbox as the sync worker sees it, and the sync settings."""

    # The sync worker is the app itself, not the person signed in: its outbox housekeeping runs
    # as SYNC_ACTOR without touching self._actor (the worker runs on its own thread).

    SYNC_ACTOR = Actor(None, "GroupClinic sync", Role.ADMIN)
    SYNC_SETTINGS_KEY = "sync.settings"
    SYNC_STATE_KEY = "sync.state"

    def pending_events(self, limit: int = 100, *, after: int | None = None) -> list[PendingEvent]:
        """The oldest events still to send (not those waiting for attention), in sequence order;
        with `after`, only those after that sequence number. Plain rows, not ORM objects: a
        sync reads hundreds at a time and only looks at them."""
        table = OutboxEvent.__table__  # type: ignore[attr-defined]
        query = (
            select_core(*(table.c[name] for name in PendingEvent._fields))
            .where(table.c.needs_attention == False)  # noqa: E712
            .order_by(table.c.id)
            .limit(max(1, int(limit)))
        )
        if after is not None:
            query = query.where(table.c.id > after)
        with self._engine.connect() as conn:
            return [PendingEvent(*row) for row in conn.execute(query).all()]

    def outbox_summary(self) -> tuple[int, datetime | None, int]:
        """(pending count, when the oldest pending event happened, needs-attention count)."""
        from sqlalchemy import func

        with self._read() as s:
            pending, oldest = s.exec(
                select(func.count(), func.min(OutboxEvent.occurred_at)).where(
                    OutboxEvent.needs_attention == False  # noqa: E712
                )
            ).one()
            attention = s.exec(
                select(func.count()).where(OutboxEvent.needs_attention == True)  # noqa: E712
            ).one()
        return int(pending), _aware(oldest), int(attention)

    def needs_attention_events(self) -> list[OutboxEvent]:
        with self._read() as s:
            query = (
                select(OutboxEvent)
                .where(OutboxEvent.needs_attention == True)  # noqa: E712
                .order_by(col(OutboxEvent.id))
            )
            return list(s.exec(query))

    def seal_events(self, payloads: Mapping[str, dict[str, Any] | str]) -> None:
        """Keep the pseudonymised payload an event is first sent with, so every retry is identical.

        Not audited: the event's content is unchanged, only its person reference is swapped for
        the keyed pseudonym the service will hold. One statement for the whole batch. A payload
        may come as its json.dumps text already (the sync makes it once to check the payload),
        stored as it is: exactly what the column's JSON type would have written.
        """
        if not payloads:
            return
        table = OutboxEvent.__table__  # type: ignore[attr-defined]
        texts = {
            uid: p if isinstance(p, str) else json.dumps(p) for uid, p in payloads.items()
        }
        statement = (
            update(table)
            .where(table.c.uid == bindparam("sealed_uid"))
            .values(payload=bindparam("sealed_payload", type_=String()))
        )
        # No NUL check as ORM writes get: a sealed payload is the stored one with the hex subject
        # and coded values added, and it has already passed the protocol's strict schema.
        with self._write() as s:
            s.connection().execute(
                statement,
                [{"sealed_uid": uid, "sealed_payload": p} for uid, p in texts.items()],
            )

    def acknowledge_events(self, uids: Sequence[str]) -> int:
        """Delete events the service acknowledged (stored or duplicate); how many were deleted.

        One audit entry per acknowledged batch, not per event: each event's change was already
        audited when it was made, and this entry records that the dataset left the laptop.
        """
        if not uids:
            return 0
        table = OutboxEvent.__table__  # type: ignore[attr-defined]
        with self._write() as s:
            deleted = s.connection().execute(
                delete(table).where(table.c.uid.in_(list(uids))).returning(table.c.id)
            )
            seqs = sorted(deleted.scalars().all())
            if not seqs:
                return 0
            audit.append(
                s,
                user_id=None,
                user_name=self.SYNC_ACTOR.name,
                action="sync_acknowledged",
                entity="outbox_event",
                entity_id=None,
                after={"events": len(seqs), "first_seq": seqs[0], "last_seq": seqs[-1]},
            )
        return len(seqs)

    def mark_needs_attention(self, uid: str, reason: str) -> None:
        """The service refused this event for good: keep it, visible, with the reason."""
        with self._write() as s:
            row = s.exec(select(OutboxEvent).where(OutboxEvent.uid == uid)).first()
            if row is None:
                raise NotFound(f"No outbox event {uid}.")
            before = snapshot(row)
            row.needs_attention = True
            row.last_error = (reason or "refused without a reason")[:500]
            row.attempts += 1
            s.add(row)
            self._audit(s, self.SYNC_ACTOR, "sync_needs_attention", row, before=before)

    def retry_needs_attention(self, uids: Sequence[str] | None = None) -> int:
        """An admin sends events from the needs-attention list again (all when uids is None)."""
        actor = self._require(Permission.SYNC)
        with self._write() as s:
            query = select(OutboxEvent).where(OutboxEvent.needs_attention == True)  # noqa: E712
            if uids is not None:
                query = query.where(col(OutboxEvent.uid).in_(list(uids)))
            rows = list(s.exec(query))
            for row in rows:
                before = snapshot(row)
                row.needs_attention = False
                s.add(row)
                self._audit(s, actor, "sync_retry", row, before=before)
        return len(rows)

    def sync_settings(self) -> dict[str, Any]:
        """{"url": the ICB service's address or None}. The token lives in the keyring."""
        value = self.setting(self.SYNC_SETTINGS_KEY, None)
        settings = dict(value) if isinstance(value, dict) else {}
        settings.setdefault("url", None)
        return settings

    def set_sync_settings(self, url: str | None, *, token_changed: bool = False) -> dict[str, Any]:
        """Set the service address (admin only, audited; the audit notes a new token, never it)."""

        actor = self._require(Permission.SYNC)
        clean = (url or "").strip().rstrip("/") or None
        if clean is not None:
            clean = service_address.check(clean)
        with self._write() as s:
            row = s.get(Setting, self.SYNC_SETTINGS_KEY)
            before = snapshot(row) if row else None
            if row is None:
                row = Setting(key=self.SYNC_SETTINGS_KEY)
            value = {"url": clean}
            if token_changed:
                value["token_set_at"] = utcnow().isoformat()
            elif isinstance(row.value, dict) and row.value.get("token_set_at"):
                value["token_set_at"] = row.value["token_set_at"]
            row.value = value
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)
        return value

    def sync_state(self) -> dict[str, Any]:
        """The worker's own bookkeeping (backoff, last success, last error); {} at first."""
        value = self.setting(self.SYNC_STATE_KEY, None)
        return dict(value) if isinstance(value, dict) else {}

    def save_sync_state(self, state: dict[str, Any]) -> None:
        """Not audited: machine bookkeeping that holds no patient data and changes no record."""

        with self._write() as s:
            row = s.get(Setting, self.SYNC_STATE_KEY) or Setting(key=self.SYNC_STATE_KEY)
            row.value = audit.plain(state)
            row.updated_at = utcnow()
            s.add(row)
