"""The background worker for ICB sync and GP record delivery: a plain thread, no Qt, that never
holds up the person at the laptop.

It runs a pass, then sleeps until the backoff allows the next try (after a failure) or the poll
interval (after a success: new events, or acknowledgements to collect); `now()` wakes it at once,
skipping the backoff. Backoff and batch size are in the store, so after a restart it carries on
where it stopped. The same loop serves both: each brings its own pass (sync.engine.Syncer,
delivery.sender.Deliverer).
"""

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from groupclinic_desktop.sync import status
from groupclinic_desktop.sync.backoff import Backoff
from groupclinic_desktop.sync.engine import PassReport, Syncer, Tuning

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

log = logging.getLogger(__name__)


class Report(Protocol):
    result: str  # "done" after a pass that finished its work


R = TypeVar("R", bound=Report, covariant=True)


class Passes(Protocol[R]):
    """What the worker runs: one pass at a time, and the backoff the last failure left."""

    def run_pass(self, stop: threading.Event) -> R: ...

    def backoff(self) -> Backoff: ...


class PassWorker(Generic[R]):
    def __init__(
        self,
        passes: Passes[R],
        *,
        name: str,
        poll_seconds: float,
        offline: Callable[[str], R],
        on_pass: Callable[[R], None] | None = None,
    ) -> None:
        """offline(reason) is the report of a pass that raised, so the worker outlives it."""
        self.passes = passes
        self.name = name
        self.poll_seconds = poll_seconds
        self.offline = offline
        self.on_pass = on_pass
        self._stop = threading.Event()
        self._poke = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: R | None = None
        self.count = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"groupclinic-{self.name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current batch or message and end; waits up to timeout seconds."""
        self._stop.set()
        self._poke.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def now(self) -> None:
        """Try at once, ignoring the backoff (the admin's "Sync now" or "Send now")."""
        self._poke.set()

    def _run(self) -> None:
        forced = True  # the first pass after start-up does not wait out an old backoff
        while not self._stop.is_set():
            wait = 0.0 if forced else self.passes.backoff().wait_left()
            if wait > 0:
                self._poke.wait(wait)  # woken early by now() or stop()
            self._poke.clear()
            if self._stop.is_set():
                break
            try:
                report = self.passes.run_pass(self._stop)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any one failure
                log.error("%s pass failed: %s", self.name, type(exc).__name__)
                report = self.offline(type(exc).__name__)
            self.last_report = report
            self.count += 1
            if self.on_pass is not None:
                try:
                    self.on_pass(report)
                except Exception as exc:  # noqa: BLE001
                    log.error("%s status callback failed: %s", self.name, type(exc).__name__)
            if report.result == "done":
                forced = self._poke.wait(self.poll_seconds)
            else:
                wait = self.passes.backoff().wait_left()
                forced = self._poke.wait(max(wait, 0.05))


def sync_worker(
    clinic: "Clinic",
    *,
    poll_seconds: float = 60.0,
    tuning: Tuning | None = None,
    on_pass: Callable[[PassReport, status.SyncStatus], None] | None = None,
) -> PassWorker[PassReport]:
    """The ICB sync worker; on_pass also gets the sync status as it stands after the pass."""

    def report(done: PassReport) -> None:
        if on_pass is not None:
            on_pass(done, status.read(clinic))

    return PassWorker(
        Syncer(clinic, tuning),
        name="sync",
        poll_seconds=poll_seconds,
        offline=lambda reason: PassReport(result="offline", reason=reason),
        on_pass=report,
    )
