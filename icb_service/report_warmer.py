"""Decides the ICB reports most often read before anyone asks: every ICB's tree for the kept
periods (monitoring.kept_periods), at start-up and again for the ICBs whose figures a catch-up
changed. A first read of one of those reports then costs what a repeated one does (tens of
milliseconds at 1,000 practices), not the decision's half a second to a second and a half.

Nothing is served stale: a decision is kept by its tree's version, so a read arriving after a
catch-up and before the warmer decides it again decides it itself (or waits for the warmer's
decision under way). Failures are logged without content and retried at the next pass.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Engine

from icb_service import summaries
from icb_service.background import WokenThread
from icb_service.monitoring import DEFAULT_SUPPRESSION_THRESHOLD, decide_ahead, kept_periods
from icb_service.monitoring_read import NOT_STATED, read_register

log = logging.getLogger(__name__)
# A run of catch-ups (an upload burst) is decided again once it pauses this long, or this long
# after it began: deciding after every catch-up of a burst would spend the CPU ingest needs.
QUIET_SECONDS = 2.0
MOST_DELAY_SECONDS = 30.0
PERIOD_SECONDS = 60.0  # the months roll over, and another worker's catch-ups are seen


class ReportWarmer(WokenThread):
    """A daemon thread keeping the kept periods' reports decided; start() and stop() with the
    app, wake() when a batch was stored or a catch-up applied events. `ready` is true while
    every kept report is decided for the figures as they were at the end of the last pass."""

    def __init__(self, engine: Engine, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
                 period: float = PERIOD_SECONDS) -> None:
        super().__init__("report-warmer", QUIET_SECONDS, MOST_DELAY_SECONDS)
        self.engine = engine
        self.threshold = threshold
        self.period = period
        self.ready = False
        self.passes = 0
        self.failures = 0

    def wake(self) -> None:
        """Figures changed: not ready, and decide again soon."""
        self.ready = False
        super().wake()

    def run(self) -> None:
        while not self._stopping.is_set():
            self.ready = self._pass()  # at once at start-up
            self.passes += 1
            if self._wake.wait(self.period) and not self.settled():
                return
            self._wake.clear()

    def _pass(self) -> bool:
        """Every ICB's kept reports; True when all were decided without a failure."""
        try:
            with self.engine.connect() as connection:
                register = read_register(connection)  # once a pass, not once a tree
            before = self._versions()
            for period in kept_periods(dt.datetime.now(dt.UTC).date()):
                for icb in [*sorted(register.icbs), NOT_STATED]:
                    if self._stopping.is_set():
                        return False
                    decide_ahead(self.engine, register, period, icb, self.threshold)
        except Exception as error:  # logged and tried again at the next pass
            self.failures += 1
            log.warning("Deciding the kept reports ahead failed (%s); tried again in %.0f s",
                        type(error).__name__, self.period)
            return False
        # Figures changed during the pass, or events wait to be counted: not all of what was
        # decided is current (the catch-up that counts them wakes this thread again).
        return self._versions() == before and not summaries.queued(self.engine)

    def _versions(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return summaries.tree_versions(connection)
