"""Queueing people's notes for their registered practice, and one sending pass over MESH.

A pass: handshake with the hub's mailbox; send every queued person (one message each); then read
the hub's inbox for MESH error reports and ITK acknowledgements, record them, and only then
acknowledge them on MESH (so a crash never loses one). When MESH cannot be reached the pass stops,
the person stays queued and the backoff (the same as ICB sync's, kept in the store) sets the next
try. A message MESH refuses, an error report or a negative acknowledgement fails that person
and puts them on the needs-attention list for an admin.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import DeliveryStatus, SessionStatus
from groupclinic_desktop.core.views.session_record import build_session_record
from groupclinic_desktop.delivery import config as mesh_config
from groupclinic_desktop.delivery.message import (
    Sender,
    build_message,
    read_acknowledgement,
    spec,
    subject,
    to_bytes,
)
from groupclinic_desktop.delivery.routing import route_for
from groupclinic_desktop.delivery.sign_off import awaiting_clinician_sign_off
from groupclinic_desktop.sync.backoff import Backoff

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.views.session_record import SessionRecord

log = logging.getLogger(__name__)

# GPCM asks the sender to alert a person when an acknowledgement does not come (SD-044/045).
ACK_OVERDUE_HOURS = 48
ACK_OVERDUE = timedelta(hours=ACK_OVERDUE_HOURS)


# ---- queueing


@dataclass
class QueueResult:
    session_id: int
    queued: int = 0
    already: int = 0  # queued, sent or failed before: never queued twice
    awaiting_sign_off: int = 0
    own_practice: int = 0  # registered at the sending organisation, which has no mailbox set

    def line(self) -> str:
        parts = [f"Session {self.session_id}: {self.queued} queued"]
        if self.already:
            parts.append(f"{self.already} already sent or queued")
        if self.awaiting_sign_off:
            parts.append(f"{self.awaiting_sign_off} awaiting clinician sign-off (not sent)")
        if self.own_practice:
            parts.append(
                f"{self.own_practice} registered here (no mailbox set for this practice: "
                "export their notes, or set one with groupclinic mesh practice ODS --mailbox ID)"
            )
        return ", ".join(parts) + "."


def queue_session(clinic: Clinic, session_id: int) -> QueueResult:
    """Queue everyone who attended a finished session for their registered practice."""
    session = clinic.session(session_id)
    if session.status not in (SessionStatus.FINISHED, SessionStatus.EXPORTED):
        raise InvalidInput(
            f"Session {session_id} is {session.status.value}; only finished sessions are sent."
        )
    organisation = clinic.organisation()
    own = organisation.ods_code if organisation else ""
    members = {m.ods_code: m for m in clinic.member_practices(active_only=False)}
    record = build_session_record(clinic, session_id)
    result = QueueResult(session_id)
    done = {row.patient_id for row in clinic.deliveries(session_id)}
    for person in record.people:
        if person.patient_id in done:
            result.already += 1
            continue
        if awaiting_clinician_sign_off(clinic, session_id, person.patient_id):
            result.awaiting_sign_off += 1
            continue
        member = members.get(person.registered_ods)
        # GPCM: people registered at the sender are not sent to it (CS-069...077), unless the
        # hub named a mailbox for itself.
        if person.registered_ods == own and not (member and member.mesh_mailbox):
            result.own_practice += 1
            continue
        route = route_for(person.patient, member)
        row = clinic.queue_delivery(
            session_id, person.patient_id, registered_ods=person.registered_ods, mex_to=route.mex_to
        )
        if row is None:
            result.already += 1
        else:
            result.queued += 1
    return result


def queue_unsent(clinic: Clinic) -> list[QueueResult]:
    """Queue every finished session's people not yet queued, oldest session first."""
    results = []
    for session in clinic.sessions():
        if session.status in (SessionStatus.FINISHED, SessionStatus.EXPORTED):
            assert session.id is not None
            result = queue_session(clinic, session.id)
            if result.queued or result.awaiting_sign_off:
                results.append(result)
    return results


# ---- one pass


@dataclass
class PassReport:
    result: str = "done"  # done | not_set_up | offline
    reason: str | None = None
    sent: int = 0
    failed: int = 0
    acknowledgements: int = 0
    reports: int = 0
    remaining: int = 0
    details: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"Sent {self.sent}, failed {self.failed}, acknowledgements recorded "
            f"{self.acknowledgements}, MESH error reports {self.reports}; still queued "
            f"{self.remaining}."
        )
        if self.result != "done":
            text += f" Stopped: {self.reason or self.result}."
        return text


ClientFactory = Callable[[mesh_config.MeshConfig], AbstractContextManager[Any]]


def mesh_client(cfg: mesh_config.MeshConfig) -> Any:
    """NHS England's MESH client for the hub's mailbox. Retries are ours (with backoff), so the
    client's own are off; it never retries the outbox POST that could duplicate a message."""
    from mesh_client import MeshClient

    cert = (cfg.cert, cfg.key) if cfg.cert and cfg.key else None
    assert cfg.url and cfg.mailbox and cfg.password
    return MeshClient(
        cfg.url,
        cfg.mailbox,
        cfg.password,
        shared_key=(cfg.shared_key or "").encode("utf-8"),
        cert=cert,  # type: ignore[arg-type]
        verify=cfg.ca or None,
        max_retries=0,
        timeout=60,
        application_name="GroupClinic",
    )


class Deliverer:
    """Runs sending passes for one store; used by the background worker and the CLI."""

    def __init__(self, clinic: Clinic, *, client_factory: ClientFactory | None = None) -> None:
        self.clinic = clinic
        self.client_factory = client_factory or mesh_client
        self._records: dict[int, SessionRecord] = {}

    # ---- backoff, kept in the store so it survives a restart

    def backoff(self) -> Backoff:
        return Backoff.from_dict(self.clinic.delivery_state().get("backoff"))

    def _save(self, backoff: Backoff, report: PassReport) -> None:
        self.clinic.save_delivery_state(
            {
                "backoff": backoff.to_dict(),
                "last_result": report.result,
                "last_reason": report.reason,
                "last_pass_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )

    # ---- the pass

    def run_pass(self, stop: threading.Event | None = None) -> PassReport:
        report = PassReport()
        cfg = mesh_config.load(self.clinic)
        missing = cfg.missing()
        if missing is not None:
            report.result, report.reason = "not_set_up", missing
            report.remaining = len(self._queued())
            return report
        backoff = self.backoff()
        self._records.clear()
        try:
            with self.client_factory(cfg) as client:
                client.handshake()
                self._recover_interrupted()
                self._send_queued(client, cfg, report, stop)
                if report.result == "done":
                    self._read_inbox(client, report)
        except _Offline as exc:
            report.result, report.reason = "offline", exc.reason
        except Exception as exc:  # noqa: BLE001 - connection, HTTP and TLS errors alike
            report.result, report.reason = "offline", _why(exc)
        if report.result == "done":
            backoff.succeeded()
            self._flag_overdue()
        else:
            backoff.failed()
        report.remaining = len(self._queued())
        self._save(backoff, report)
        return report

    def _queued(self) -> list[Any]:
        return self.clinic.deliveries(status=(DeliveryStatus.QUEUED,), needs_attention=False)

    def _recover_interrupted(self) -> None:
        # Only one app has the store open, and passes run one at a time, so a row still
        # "sending" now was interrupted: send it again under the same message identifier.
        for row in self.clinic.deliveries(status=(DeliveryStatus.SENDING,)):
            assert row.id is not None
            self.clinic.mark_delivery_not_sent(row.id, "interrupted while sending; sent again")

    def _record(self, session_id: int) -> SessionRecord:
        if session_id not in self._records:
            self._records[session_id] = build_session_record(self.clinic, session_id)
        return self._records[session_id]

    def _send_queued(
        self,
        client: Any,
        cfg: mesh_config.MeshConfig,
        report: PassReport,
        stop: threading.Event | None,
    ) -> None:
        from mesh_client import MeshError

        from groupclinic_desktop.export.notes_pdf import person_pdf

        organisation = self.clinic.organisation()
        assert organisation is not None and cfg.mailbox is not None
        sender = Sender(organisation.ods_code, organisation.name, cfg.mailbox, cfg.phone)
        members = {m.ods_code: m for m in self.clinic.member_practices(active_only=False)}
        workflow = spec()["mesh"]["workflow"]
        for row in self._queued():
            if stop is not None and stop.is_set():
                return
            assert row.id is not None
            if awaiting_clinician_sign_off(self.clinic, row.session_id, row.patient_id):
                continue  # stays queued until signed
            person = self._record(row.session_id).person(row.patient_id)
            route = route_for(person.patient, members.get(row.registered_ods))
            now = datetime.now(UTC)
            pdf = person_pdf(person, generated_at=now, generated_by=sender.name)
            message_uid = row.message_uid or str(uuid.uuid4())
            body = to_bytes(
                build_message(
                    person,
                    pdf,
                    sender=sender,
                    delivery_uid=row.uid,
                    message_uid=message_uid,
                    generated_at=now,
                    version=row.version,
                )
            )
            self.clinic.mark_delivery_sending(row.id, message_uid, route.mex_to)
            try:
                mesh_id = client.send_message(
                    route.mex_to,
                    body,
                    workflow_id=workflow,
                    local_id=sender.ods_code,  # CS-080: the sender's ODS code, never PID
                    subject=subject(person),
                    filename=f"{message_uid}.json",
                    content_type=spec()["mesh"]["content_type"],
                )
            except MeshError as exc:
                reason = f"MESH refused the message: {_mesh_reason(exc)}"
                self.clinic.mark_delivery_failed(row.id, reason)
                report.failed += 1
                continue
            except Exception as exc:  # noqa: BLE001 - not reached or no answer: try again later
                self.clinic.mark_delivery_not_sent(row.id, _why(exc))
                raise _Offline(_why(exc)) from None
            self.clinic.mark_delivery_sent(row.id, mesh_id)
            report.sent += 1

    def _read_inbox(self, client: Any, report: PassReport) -> None:
        ack_workflow = spec()["mesh"]["ack_workflow"]
        for message_id in list(client.iterate_message_ids()):
            message = client.retrieve_message(message_id)
            try:
                body = message.read()
            finally:
                message.close()
            handled = False
            if (message.message_type or "").upper() == "REPORT":
                handled = self._error_report(message)
                report.reports += handled
            elif message.workflow_id == ack_workflow:
                handled = self._acknowledgement(body)
                report.acknowledgements += handled
            if handled:
                # Recorded in the store first; only now does MESH forget it.
                client.acknowledge_message(message_id)

    def _error_report(self, message: Any) -> bool:
        linked = message.mex_header("linkedmsgid")
        row = self.clinic.delivery_by_mesh_id(linked) if linked else None
        if row is None or row.id is None:
            return False
        code = message.mex_header("statuscode") or "?"
        words = message.mex_header("statusdescription") or "no description"
        self.clinic.mark_delivery_failed(row.id, f"MESH could not deliver it ({code}: {words})")
        return True

    def _acknowledgement(self, body: bytes) -> bool:
        try:
            ack = read_acknowledgement(body)
        except ValueError as exc:
            log.warning("an unreadable acknowledgement was left in the inbox: %s", exc)
            return False
        row = self.clinic.delivery_by_uid(ack.sender_reference) if ack.sender_reference else None
        if row is None and ack.answers:
            row = self.clinic.delivery_by_message_uid(ack.answers)
        if row is None or row.id is None:
            return False
        self.clinic.record_delivery_ack(
            row.id, business=ack.business, ok=ack.ok, reason=None if ack.ok else ack.reason
        )
        return True

    def _flag_overdue(self) -> None:
        now = datetime.now(UTC)
        waiting = (DeliveryStatus.SENT, DeliveryStatus.ACKNOWLEDGED)
        for row in self.clinic.deliveries(status=waiting, needs_attention=False):
            sent = row.sent_at
            if sent is None or row.id is None:
                continue
            sent = sent if sent.tzinfo else sent.replace(tzinfo=UTC)
            if now - sent > ACK_OVERDUE:
                kind = "infrastructure" if row.status == DeliveryStatus.SENT else "business"
                self.clinic.flag_delivery_overdue(
                    row.id, f"no {kind} acknowledgement after {ACK_OVERDUE_HOURS} hours"
                )


class _Offline(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _why(exc: BaseException) -> str:
    """A reason for the admin without patient data: the kind of failure and any HTTP status."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status == 403:
        return "MESH refused the mailbox's password or shared key (HTTP 403)"
    if status is not None:
        return f"MESH answered HTTP {status}"
    name = type(exc).__name__
    if "Connection" in name:
        return "MESH could not be reached"
    if "Timeout" in name:
        return "MESH did not answer in time"
    if "SSL" in name:
        return "the TLS connection to MESH failed (check the certificate, key and CA)"
    return f"MESH request failed ({name})"


def _mesh_reason(exc: BaseException) -> str:
    first = exc.args[0] if exc.args else ""
    detail = exc.args[1] if len(exc.args) > 1 else {}
    code = ""
    if isinstance(detail, dict):
        code = str(detail.get("errorCode") or detail.get("error_code") or "")
        for item in detail.get("detail") or []:
            if isinstance(item, dict) and item.get("code"):
                code = str(item["code"])
    text = str(first) if isinstance(first, str) else "rejected"
    return f"{text} (code {code})" if code else text


def wait_seconds(backoff: Backoff) -> float:
    return max(0.0, backoff.not_before - time.time())
