"""One sync pass: send pending events in batches until none are left or the service is away.

The order of steps is what makes it safe to stop at any instant (crash, SIGKILL, power cut):
an event's pseudonymised payload is sealed before it is first sent, and it is deleted only after
the service answered "stored" or "duplicate" for its id. Anything in between is simply resent
and comes back "duplicate".
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.sync import config, payloads
from groupclinic_desktop.sync.backoff import Backoff
from groupclinic_desktop.sync.client import STOPS, Answer, Outcome, ServiceClient

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

log = logging.getLogger(__name__)

DEFAULT_BATCH = 100
MAX_BATCH = 500  # the protocol's limit
TARGET_SECONDS = 5.0  # a batch that takes longer than this is halved, one much quicker doubled


@dataclass
class PassReport:
    """What one pass did; `result` is done, offline, stopped, waiting or not_configured."""

    result: str = "done"
    batches: int = 0
    stored: int = 0
    duplicate: int = 0
    needs_attention: int = 0
    rate_limited: int = 0  # 429 answers waited out
    remaining: int = 0
    reason: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return self.stored + self.duplicate


@dataclass
class Tuning:
    """Knobs the tests turn down (short waits) and a slow link turns itself (batch size)."""

    batch_size: int = DEFAULT_BATCH
    max_batch: int = MAX_BATCH
    timeout: float = 30.0
    target_seconds: float = TARGET_SECONDS
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    max_inline_wait: float = 60.0  # a Retry-After up to this is waited out within the pass


@dataclass
class _Batch:
    """Events ready to send, as JSON objects, and the last outbox sequence number read."""

    events: list[dict[str, Any]]
    last_seq: int


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Syncer:
    """Runs passes for one open store. Safe to use from one worker thread at a time."""

    def __init__(
        self,
        clinic: "Clinic",
        tuning: Tuning | None = None,
        client_factory: Callable[[str, str, float], ServiceClient] | None = None,
    ) -> None:
        self.clinic = clinic
        self.tuning = tuning or Tuning()
        self._client_factory = client_factory or (
            lambda url, token, timeout: ServiceClient(url, token, timeout=timeout)
        )

    # ---- state kept in the store, so a restart resumes with the same backoff and batch size

    def backoff(self, state: dict[str, Any] | None = None) -> Backoff:
        state = self.clinic.sync_state() if state is None else state
        return Backoff.from_dict(
            state.get("backoff"), base=self.tuning.backoff_base, cap=self.tuning.backoff_cap
        )

    def _save(self, state: dict[str, Any], backoff: Backoff, size: int) -> None:
        state["backoff"] = backoff.to_dict()
        state["batch_size"] = size
        self.clinic.save_sync_state(state)

    # ---- the pass

    def run_pass(self, stop: threading.Event | None = None) -> PassReport:
        stop = stop or threading.Event()
        report = PassReport()
        state = self.clinic.sync_state()
        backoff = self.backoff(state)
        size = int(state.get("batch_size") or self.tuning.batch_size)
        size = max(1, min(size, self.tuning.max_batch))
        cfg = config.load(self.clinic)
        missing = cfg.missing()
        state["last_attempt"] = _now_iso()
        if missing:
            report.result, report.reason = "not_configured", missing
            state.update(online=None, last_error=missing, stopped=missing)
            self._save(state, backoff, size)
            report.remaining = self.clinic.outbox_summary()[0]
            return report
        assert cfg.url and cfg.token and cfg.ods_code
        people = payloads.People(self.clinic.patient, config.pseudonym_key(self.clinic))

        with (
            self._client_factory(cfg.url, cfg.token, self.tuning.timeout) as client,
            ThreadPoolExecutor(1, thread_name_prefix="groupclinic-sync-send") as sender,
        ):

            def send(body: dict[str, Any]) -> tuple[Answer, float]:
                started = time.monotonic()
                answer = client.send(body)
                return answer, time.monotonic() - started

            current = None if stop.is_set() else self._prepare(size, None, people, report)
            if current is None:
                # Nothing to send: a cheap health check keeps "online" truthful.
                state["online"] = client.healthy()
            in_flight = None if current is None else sender.submit(send, self._body(cfg, current))
            while current is not None and in_flight is not None:
                # While the service stores this batch, the next one is made ready here. It is
                # sealed like any batch before its first send, so if this answer goes wrong it
                # is simply read again and sent later, identical.
                upcoming = None
                if not stop.is_set():
                    upcoming = self._prepare(size, current.last_seq, people, report)
                answer, took = in_flight.result()
                in_flight = None
                answered = answer.outcome is Outcome.ANSWERED
                if answered and upcoming is not None and not stop.is_set():
                    # Off before this answer is written down, so that the store's work here
                    # overlaps the service's. A crash in between only means a resend, which
                    # the service answers "duplicate".
                    in_flight = sender.submit(send, self._body(cfg, upcoming))
                report.batches += 1
                verdict = self._handle(answer, current.events, report, state, backoff, stop)
                if answered:
                    if took > self.tuning.target_seconds:
                        size = max(1, size // 2)
                    elif took < self.tuning.target_seconds / 4:
                        size = min(self.tuning.max_batch, size * 2)
                elif answer.outcome in (Outcome.TOO_LARGE, Outcome.MALFORMED) or answer.timed_out:
                    size = max(1, len(current.events) // 2)
                if not answered:
                    # A failure's backoff must survive a restart; successes are saved at the end.
                    self._save(state, backoff, size)
                if verdict is not None:
                    report.result = verdict
                    break
                if in_flight is not None:
                    current = upcoming
                    continue
                if stop.is_set():
                    break
                # Start again from the oldest pending event: this batch again after a refusal,
                # or anything put back in the queue (an admin's retry) during the pass.
                current = self._prepare(size, None, people, report)
                if current is not None:
                    in_flight = sender.submit(send, self._body(cfg, current))
        if stop.is_set() and report.result == "done":
            report.result = "stopped"
            report.reason = "stopped before the end"
        report.remaining = self.clinic.outbox_summary()[0]
        if report.result == "done":
            state["stopped"] = None
        self._save(state, backoff, size)
        return report

    @staticmethod
    def _body(cfg: config.SyncConfig, batch: "_Batch") -> dict[str, Any]:
        assert cfg.ods_code
        return payloads.batch_body(cfg.ods_code, batch.events)

    def _prepare(
        self, size: int, after: int | None, people: payloads.People, report: PassReport
    ) -> "_Batch | None":
        """Read up to `size` pending events (after sequence `after`), make each the event the
        service will store, and seal the pseudonymised payloads; None when nothing is left.

        An event that cannot be sent as it stands goes to the needs-attention list here."""
        while True:
            rows = self.clinic.pending_events(size, after=after)
            if not rows:
                return None
            events, sealed = [], {}
            # The batch is judged at one instant, as the service judges a batch.
            now = datetime.now(UTC)
            for row in rows:
                try:
                    payload = payloads.wire_payload(row, people)
                    # One JSON text both checked against the schema and sealed in the store.
                    text = json.dumps(payload)
                    events.append(payloads.wire_event(row, payload, now, text))
                except payloads.LocalProblem as problem:
                    self.clinic.mark_needs_attention(row.uid, str(problem))
                    report.needs_attention += 1
                    continue
                if payloads.needs_person(row):
                    sealed[row.uid] = text
            self.clinic.seal_events(sealed)
            after = rows[-1].id
            if events:
                return _Batch(events, after)

    def _handle(
        self,
        answer: Answer,
        events: list[dict[str, Any]],
        report: PassReport,
        state: dict[str, Any],
        backoff: Backoff,
        stop: threading.Event,
    ) -> str | None:
        """Act on one answer; a result name ends the pass, None carries on."""
        outcome = answer.outcome
        if outcome is Outcome.ANSWERED:
            acknowledged = []
            for result in answer.results:
                if result["status"] == "stored":
                    report.stored += 1
                    acknowledged.append(result["id"])
                elif result["status"] == "duplicate":
                    report.duplicate += 1
                    acknowledged.append(result["id"])
                else:
                    reason = result.get("reason") or "rejected by the service"
                    self.clinic.mark_needs_attention(
                        result["id"], f"refused by the service: {reason}"
                    )
                    report.needs_attention += 1
            self.clinic.acknowledge_events(acknowledged)
            backoff.succeeded()
            state.update(online=True, last_success=_now_iso(), last_error=None, stopped=None)
            return None
        state["last_error"] = answer.reason
        if outcome is Outcome.TOO_LARGE:
            state["online"] = True
            return None
        if outcome is Outcome.MALFORMED:
            state["online"] = True
            if len(events) == 1:
                # The service refused this one event's envelope: it cannot ever be accepted.
                self.clinic.mark_needs_attention(str(events[0]["id"]), answer.reason)
                report.needs_attention += 1
            return None
        if outcome in STOPS:
            # A wrong token or an outdated app: retrying will not help until an admin acts.
            state.update(online=True, stopped=answer.reason)
            backoff.failed()
            report.reason = answer.reason
            return "stopped"
        if outcome is Outcome.SLOW_DOWN:
            state["online"] = True
            report.rate_limited += 1
            wait = backoff.failed(retry_after=answer.retry_after)
            if wait <= self.tuning.max_inline_wait:
                stop.wait(wait)
                return None
            report.reason = answer.reason
            return "waiting"
        state["online"] = False
        backoff.failed(retry_after=answer.retry_after)
        report.reason = answer.reason
        log.info("sync: service unavailable (%s)", answer.reason)
        return "offline"
