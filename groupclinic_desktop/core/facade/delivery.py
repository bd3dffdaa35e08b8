"""The Clinic facade: GP record delivery over MESH, as rows: who is queued, sent, acknowledged,
filed or failed, and the needs-attention list an admin resends from.

Nothing here talks to MESH (core has no HTTP); groupclinic_desktop/delivery does, and records
every step through these methods, each one row change plus its audit entry in one transaction.
A person's row is made once per version of their notes, so a second "send" never sends twice.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from groupclinic_desktop.core import audit
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    Actor,
    ClinicBase,
    _get_in,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    DeliveryStatus,
    GpDelivery,
    Role,
    Setting,
    utcnow,
)

# States in which a person's notes are on their way or have arrived: never queued again.
IN_HAND = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.SENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.ACKNOWLEDGED,
    DeliveryStatus.FILED,
)


class DeliveryArea(ClinicBase):
    """GP record delivery rows, their states and the delivery settings."""

    # The background sender is the app itself, not the person signed in (it has its own thread).
    DELIVERY_ACTOR = Actor(None, "GroupClinic GP record delivery", Role.ADMIN)
    DELIVERY_SETTINGS_KEY = "delivery.settings"
    DELIVERY_STATE_KEY = "delivery.state"

    # ---- settings (no secrets: those live in the keyring, see delivery/config.py)

    def delivery_settings(self) -> dict[str, Any]:
        with self._read() as s:
            row = s.get(Setting, self.DELIVERY_SETTINGS_KEY)
            value = row.value if row is not None else None
        return dict(value) if isinstance(value, dict) else {}

    def set_delivery_settings(self, **values: Any) -> dict[str, Any]:
        """Save the MESH address, mailbox and certificate paths (admin, audited)."""
        actor = self._require(Permission.MANAGE_USERS)
        allowed = {"url", "mailbox", "cert", "key", "ca", "phone"}
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise InvalidInput(f"GP record delivery: '{unknown[0]}' is not a setting.")
        current = self.delivery_settings()
        for name, value in values.items():
            text = str(value or "").strip()
            current[name] = text or None
        self._save_setting(actor, self.DELIVERY_SETTINGS_KEY, current)
        return current

    def delivery_state(self) -> dict[str, Any]:
        """The sender's backoff and last result (not audited: bookkeeping, like sync.state)."""

        with self._read() as s:
            row = s.get(Setting, self.DELIVERY_STATE_KEY)
            value = row.value if row is not None else None
        return dict(value) if isinstance(value, dict) else {}

    def save_delivery_state(self, state: dict[str, Any]) -> None:
        with self._write() as s:
            row = s.get(Setting, self.DELIVERY_STATE_KEY) or Setting(key=self.DELIVERY_STATE_KEY)
            row.value = audit.plain(state)
            row.updated_at = utcnow()
            s.add(row)

    # ---- reading

    def deliveries(
        self,
        session_id: int | None = None,
        *,
        status: Sequence[DeliveryStatus] | None = None,
        needs_attention: bool | None = None,
    ) -> list[GpDelivery]:
        with self._read() as s:
            query = select(GpDelivery)
            if session_id is not None:
                query = query.where(GpDelivery.session_id == session_id)
            if status is not None:
                query = query.where(col(GpDelivery.status).in_(list(status)))
            if needs_attention is not None:
                query = query.where(GpDelivery.needs_attention == needs_attention)
            return list(s.exec(query.order_by(col(GpDelivery.id))))

    def delivery(self, delivery_id: int) -> GpDelivery:
        return self._get(GpDelivery, delivery_id, "delivery")

    def delivery_by_uid(self, uid: str) -> GpDelivery | None:
        with self._read() as s:
            return s.exec(select(GpDelivery).where(GpDelivery.uid == uid)).first()

    def delivery_by_mesh_id(self, mesh_message_id: str) -> GpDelivery | None:
        with self._read() as s:
            query = select(GpDelivery).where(GpDelivery.mesh_message_id == mesh_message_id)
            return s.exec(query).first()

    def delivery_by_message_uid(self, message_uid: str) -> GpDelivery | None:
        with self._read() as s:
            query = select(GpDelivery).where(GpDelivery.message_uid == message_uid)
            return s.exec(query).first()

    # ---- writing

    def queue_delivery(
        self, session_id: int, patient_id: int, *, registered_ods: str, mex_to: str
    ) -> GpDelivery | None:
        """Queue one person's notes for their registered practice; None when already in hand.

        A failed earlier attempt is not queued again here: an admin resends it from the
        needs-attention list after fixing the cause.
        """
        actor = self._require(Permission.EXPORT)
        with self._write() as s:
            existing = s.exec(
                select(GpDelivery).where(
                    GpDelivery.session_id == session_id, GpDelivery.patient_id == patient_id
                )
            ).first()
            if existing is not None:
                return None
            row = GpDelivery(
                uid=str(uuid.uuid4()),
                session_id=session_id,
                patient_id=patient_id,
                registered_ods=registered_ods,
                mex_to=mex_to,
                queued_by_id=actor.id,
            )
            s.add(row)
            self._audit(s, actor, "queue_delivery", row, patient_id=patient_id)
        return row

    def _change_delivery(
        self, delivery_id: int, action: str, actor: Actor | None = None, **changes: Any
    ) -> GpDelivery:
        actor = actor or self.DELIVERY_ACTOR
        with self._write() as s:
            row = _get_in(s, GpDelivery, delivery_id, "delivery")
            before = snapshot(row)
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, action, row, before=before, patient_id=row.patient_id)
        return row

    def mark_delivery_sending(
        self, delivery_id: int, message_uid: str, mex_to: str
    ) -> GpDelivery:
        """Recorded BEFORE the message goes to MESH. If the app stops before MESH's answer is
        saved, the row is found "sending" and tried again with the SAME message identifier,
        which the receiving system recognises as a duplicate (ITK 20007/20008)."""
        row = self.delivery(delivery_id)
        if row.status != DeliveryStatus.QUEUED:
            raise InvalidInput(f"Delivery {delivery_id} is {row.status.value}, not queued.")
        return self._change_delivery(
            delivery_id,
            "delivery_sending",
            status=DeliveryStatus.SENDING,
            message_uid=message_uid,
            mex_to=mex_to,
            attempts=row.attempts + 1,
        )

    def flag_delivery_overdue(self, delivery_id: int, reason: str) -> GpDelivery:
        """No acknowledgement in time (GPCM SD-044/045): a person must look; state unchanged."""
        return self._change_delivery(
            delivery_id, "delivery_overdue", needs_attention=True, reason=reason
        )

    def mark_delivery_sent(self, delivery_id: int, mesh_message_id: str) -> GpDelivery:
        return self._change_delivery(
            delivery_id,
            "delivery_sent",
            status=DeliveryStatus.SENT,
            mesh_message_id=mesh_message_id,
            sent_at=utcnow(),
            reason=None,
        )

    def mark_delivery_not_sent(self, delivery_id: int, reason: str) -> GpDelivery:
        """MESH could not be reached: back in the queue for the next try (after the backoff)."""
        return self._change_delivery(
            delivery_id, "delivery_retry", status=DeliveryStatus.QUEUED, reason=reason
        )

    def mark_delivery_failed(self, delivery_id: int, reason: str) -> GpDelivery:
        """Failed for good until an admin acts: it joins the needs-attention list."""
        return self._change_delivery(
            delivery_id,
            "delivery_failed",
            status=DeliveryStatus.FAILED,
            reason=reason,
            needs_attention=True,
        )

    def record_delivery_ack(
        self, delivery_id: int, *, business: bool, ok: bool, reason: str | None = None
    ) -> GpDelivery:
        """An ITK acknowledgement: infrastructure (technically valid) or business (filed).

        Acks can arrive in either order and more than once; a later state is never undone by
        an earlier kind of ack, and a negative one always fails the delivery.
        """
        row = self.delivery(delivery_id)
        now = utcnow()
        if not ok:
            return self.mark_delivery_failed(delivery_id, reason or "negative acknowledgement")
        if row.status == DeliveryStatus.FAILED:
            return row  # a positive ack after a negative one does not hide the failure
        if business:
            if row.status == DeliveryStatus.FILED:
                return row
            return self._change_delivery(
                delivery_id, "delivery_filed", status=DeliveryStatus.FILED, filed_at=now
            )
        if row.status in (DeliveryStatus.ACKNOWLEDGED, DeliveryStatus.FILED):
            return row
        return self._change_delivery(
            delivery_id,
            "delivery_acknowledged",
            status=DeliveryStatus.ACKNOWLEDGED,
            acknowledged_at=now,
        )

    def resend_delivery(
        self, delivery_id: int, *, registered_ods: str | None = None, mex_to: str | None = None
    ) -> GpDelivery:
        """An admin puts a failed delivery back in the queue, after fixing its cause (admin)."""
        actor = self._require(Permission.EXPORT)
        row = self.delivery(delivery_id)
        if row.status != DeliveryStatus.FAILED and not row.needs_attention:
            raise InvalidInput(
                f"Delivery {delivery_id} is {row.status.value}; only a failed delivery is resent."
            )
        changes: dict[str, Any] = {
            "status": DeliveryStatus.QUEUED,
            "needs_attention": False,
            "reason": None,
            "mesh_message_id": None,
            "message_uid": None,  # a new attempt: a new message, not a duplicate of the old
            "sent_at": None,
            "acknowledged_at": None,
            "filed_at": None,
        }
        if registered_ods is not None:
            changes["registered_ods"] = registered_ods
        if mex_to is not None:
            changes["mex_to"] = mex_to
        return self._change_delivery(delivery_id, "delivery_resend", actor, **changes)

    def delivery_counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in DeliveryStatus}
        attention = 0
        for row in self.deliveries():
            counts[row.status.value] += 1
            attention += row.needs_attention
        counts["needs_attention"] = attention
        return counts

    def oldest_unfiled(self) -> datetime | None:
        waiting = [
            r.sent_at
            for r in self.deliveries(status=(DeliveryStatus.SENT, DeliveryStatus.ACKNOWLEDGED))
            if r.sent_at is not None
        ]
        return min(waiting) if waiting else None
