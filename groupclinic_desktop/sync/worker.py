"""The background sync worker: a plain thread, no Qt, that never holds up the person at the laptop.

It runs a pass, then sleeps until the backoff allows the next try (after a failure) or the poll
interval (after a success); `sync_now()` wakes it at once. Backoff and batch size are in the
store, so after a restart it carries on where it stopped.
"""

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from groupclinic_desktop.sync import status
from groupclinic_desktop.sync.engine import PassReport, Syncer, Tuning

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

log = logging.getLogger(__name__)


class SyncWorker:
    def __init__(
        self,
        clinic: "Clinic",
        *,
        poll_seconds: float = 60.0,
        tuning: Tuning | None = None,
        on_pass: Callable[[PassReport, status.SyncStatus], None] | None = None,
    ) -> None:
        self.syncer = Syncer(clinic, tuning)
        self.clinic = clinic
        self.poll_seconds = poll_seconds
        self.on_pass = on_pass
        self._stop = threading.Event()
        self._poke = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: PassReport | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="groupclinic-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the worker to finish its current batch and end; waits up to timeout seconds."""
        self._stop.set()
        self._poke.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def sync_now(self) -> None:
        """Try at once, ignoring the backoff (the admin's "Sync now")."""
        self._poke.set()

    def _run(self) -> None:
        forced = True  # the first pass after start-up does not wait out an old backoff
        while not self._stop.is_set():
            wait = 0.0 if forced else self.syncer.backoff().wait_left()
            if wait > 0 and self._poke.wait(wait):
                pass  # woken early by sync_now (or stop)
            self._poke.clear()
            if self._stop.is_set():
                break
            try:
                report = self.syncer.run_pass(self._stop)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any one failure
                log.error("sync pass failed: %s", type(exc).__name__)
                report = PassReport(result="offline", reason=type(exc).__name__)
            self.last_report = report
            if self.on_pass is not None:
                try:
                    self.on_pass(report, status.read(self.clinic))
                except Exception as exc:  # noqa: BLE001
                    log.error("sync status callback failed: %s", type(exc).__name__)
            if report.result == "done":
                forced = self._poke.wait(self.poll_seconds)
            else:
                wait = self.syncer.backoff().wait_left()
                forced = self._poke.wait(max(wait, 0.05))
