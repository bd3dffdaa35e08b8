"""The background GP record delivery worker: a plain thread, no Qt, never holding up a screen.

The same shape as ICB sync's worker: it runs a pass, then sleeps until the backoff allows the next
try (after a failure) or the poll interval (after a success, to collect acknowledgements);
`send_now()` wakes it at once. The backoff is in the store, so after a restart it carries on.
"""

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from groupclinic_desktop.delivery.sender import ClientFactory, Deliverer, PassReport

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        clinic: "Clinic",
        *,
        poll_seconds: float = 300.0,
        client_factory: ClientFactory | None = None,
        on_pass: Callable[[PassReport], None] | None = None,
    ) -> None:
        self.deliverer = Deliverer(clinic, client_factory=client_factory)
        self.poll_seconds = poll_seconds
        self.on_pass = on_pass
        self._stop = threading.Event()
        self._poke = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: PassReport | None = None
        self.passes = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name="groupclinic-delivery", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current message and end; waits up to timeout seconds."""
        self._stop.set()
        self._poke.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def send_now(self) -> None:
        """Try at once, ignoring the backoff (the admin's "Send now")."""
        self._poke.set()

    def _run(self) -> None:
        forced = True  # the first pass after start-up does not wait out an old backoff
        while not self._stop.is_set():
            wait = 0.0 if forced else self.deliverer.backoff().wait_left()
            if wait > 0:
                self._poke.wait(wait)
            self._poke.clear()
            if self._stop.is_set():
                break
            try:
                report = self.deliverer.run_pass(self._stop)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any one failure
                log.error("delivery pass failed: %s", type(exc).__name__)
                report = PassReport(result="offline", reason=type(exc).__name__)
            self.last_report = report
            self.passes += 1
            if self.on_pass is not None:
                try:
                    self.on_pass(report)
                except Exception as exc:  # noqa: BLE001
                    log.error("delivery status callback failed: %s", type(exc).__name__)
            if report.result == "done":
                forced = self._poke.wait(self.poll_seconds)
            else:
                wait = self.deliverer.backoff().wait_left()
                forced = self._poke.wait(max(wait, 0.05))
