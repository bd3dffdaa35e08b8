"""The service's background catch-up: applies queued events to the summaries soon after they are
stored, so a reader rarely has anything left to apply itself.

Woken by each stored batch, and every few seconds in any case (a batch stored by another worker
process, or a catch-up that failed, is picked up then). A failure is logged without any event
content and retried later: the queued events stay queued until the transaction that applies them
commits (summaries.catch_up), so nothing is lost. Several workers each with a drainer are safe:
catch_up lets one apply at a time. When uploads pause it also folds the year counts the applies
left pending into the year roll-up (summaries.fold_years).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Engine

from icb_service import summaries
from icb_service.background import WokenThread

log = logging.getLogger(__name__)
# A burst of batches is applied once it pauses this long, or this long after it began: many
# batches in one apply cost far less per event than each on its own, and on SQLite every apply
# holds the one write lock that storing batches also needs. (Reads never wait for this: they
# catch up themselves.)
QUIET_SECONDS = 0.3
MOST_DELAY_SECONDS = 2.0
PERIOD_SECONDS = 5.0
RETRY_SECONDS = 10.0
# The applies' pending year counts are folded in once a wake finds nothing to apply, or at the
# latest this long after the first apply that left some (uploads that never pause).
YEARS_AT_LATEST_SECONDS = 60.0


class SummaryDrainer(WokenThread):
    """A daemon thread emptying the summary queue; start() and stop() with the app, wake()
    when a batch was stored."""

    def __init__(self, engine: Engine, period: float = PERIOD_SECONDS,
                 retry: float = RETRY_SECONDS,
                 on_applied: Callable[[], None] | None = None) -> None:
        super().__init__("summary-drainer", QUIET_SECONDS, MOST_DELAY_SECONDS)
        self.engine = engine
        self.on_applied = on_applied  # told after a catch-up that applied events
        self.period = period
        self.retry = retry
        self.failures = 0
        self._years_lag_since: float | None = None  # first apply since the last fold

    def run(self) -> None:
        wait = self.period
        while not self._stopping.is_set():
            woken = self._wake.wait(wait)
            if woken and not self.settled():
                return
            self._wake.clear()
            wait = self.period if self._drain() else self.retry

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
        # Applies (this drainer's, another worker's or a reader's) leave year counts pending;
        # they are folded in at a wake with nothing to apply (one read when none are).
        now = time.monotonic()
        if applied:
            if self._years_lag_since is None:
                self._years_lag_since = now
            if now - self._years_lag_since < YEARS_AT_LATEST_SECONDS:
                return True
        try:
            summaries.fold_years(self.engine)
        except Exception as error:  # the rows stay pending; reads add them in meanwhile
            self.failures += 1
            log.warning("Folding the year roll-up's pending counts failed (%s); retried in %.1f s",
                        type(error).__name__, self.retry)
            return False
        self._years_lag_since = None
        return True
