"""The service's background catch-up: applies queued events to the summaries soon after they are
stored, so a reader rarely has anything left to apply itself.

Woken by each stored batch, and every few seconds in any case (a batch stored by another worker
process, or a catch-up that failed, is picked up then). A failure is logged without any event
content and retried later: the queued events stay queued until the transaction that applies them
commits (summaries.catch_up), so nothing is lost. Several workers each with a drainer are safe:
catch_up lets one apply at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine

from icb_service import summaries

log = logging.getLogger(__name__)
# A burst of batches is applied once it pauses this long, or this long after it began: many
# batches in one apply cost far less per event than each on its own, and on SQLite every apply
# holds the one write lock that storing batches also needs. (Reads never wait for this: they
# catch up themselves.)
QUIET_SECONDS = 0.3
MOST_DELAY_SECONDS = 2.0
PERIOD_SECONDS = 5.0
RETRY_SECONDS = 10.0


class SummaryDrainer:
    """A daemon thread emptying the summary queue; start() and stop() with the app."""

    def __init__(self, engine: Engine, period: float = PERIOD_SECONDS,
                 retry: float = RETRY_SECONDS,
                 on_applied: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.on_applied = on_applied  # told after a catch-up that applied events
        self.period = period
        self.retry = retry
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="summary-drainer",
                                            daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """A batch was stored: catch up soon."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the apply under way (its transaction commits or rolls back), then end."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._wake.set()
            thread.join(timeout)

    def _run(self) -> None:
        wait = self.period
        while not self._stopping.is_set():
            woken = self._wake.wait(wait)
            if woken and not self._settled():
                return
            self._wake.clear()
            wait = self.period if self._drain() else self.retry

    def _settled(self) -> bool:
        """Wait for the burst of batches to pause (or to have gone on long enough); False
        when stopping."""
        began = time.monotonic()
        while True:
            self._wake.clear()
            if self._stopping.wait(QUIET_SECONDS):
                return False
            if not self._wake.is_set() or time.monotonic() - began >= MOST_DELAY_SECONDS:
                return True

    def _drain(self) -> bool:
        try:
            applied = summaries.catch_up(self.engine)
        except Exception as error:  # logged and retried; the queue is intact
            self.failures += 1
            # The kind of error only: its message may quote the SQL parameters (event ids).
            log.warning("Summary catch-up failed (%s); the queued events stay queued and are "
                        "retried in %.1f s", type(error).__name__, self.retry)
            return False
        if applied and self.on_applied is not None:
            self.on_applied()
        return True
