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
import threading
import time

from sqlalchemy import Engine

from icb_service import summaries
from icb_service.monitoring import DEFAULT_SUPPRESSION_THRESHOLD, decide_ahead, kept_periods
from icb_service.monitoring_read import NOT_STATED, read_register

log = logging.getLogger(__name__)
# A run of catch-ups (an upload burst) is decided again once it pauses this long, or this long
# after it began: deciding after every catch-up of a burst would spend the CPU ingest needs.
QUIET_SECONDS = 2.0
MOST_DELAY_SECONDS = 30.0
PERIOD_SECONDS = 60.0  # the months roll over, and another worker's catch-ups are seen


class ReportWarmer:
    """A daemon thread keeping the kept periods' reports decided; start() and stop() with the
    app, wake() after a catch-up applied events. `ready` is true while every kept report is
    decided for the figures as they were at the end of the last pass."""

    def __init__(self, engine: Engine, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
                 period: float = PERIOD_SECONDS) -> None:
        self.engine = engine
        self.threshold = threshold
        self.period = period
        self.ready = False
        self.passes = 0
        self.failures = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="report-warmer",
                                            daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Figures changed: decide again soon."""
        self.ready = False
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._wake.set()
            thread.join(timeout)

    def _run(self) -> None:
        woken = True  # the first pass at start-up
        while not self._stopping.is_set():
            if woken and not self._settled():
                return
            self._wake.clear()
            self.ready = self._pass()
            self.passes += 1
            woken = self._wake.wait(self.period)

    def _settled(self) -> bool:
        """Wait for the catch-ups to pause (or to have gone on long enough); False when
        stopping."""
        began = time.monotonic()
        while self._wake.is_set() and time.monotonic() - began < MOST_DELAY_SECONDS:
            self._wake.clear()
            if self._stopping.wait(QUIET_SECONDS):
                return False
        return not self._stopping.is_set()

    def _pass(self) -> bool:
        """Every ICB's kept reports; True when all were decided without a failure."""
        try:
            with self.engine.connect() as connection:
                icbs = [*sorted(read_register(connection).icbs), NOT_STATED]
            before = self._versions()
            for period in kept_periods(dt.datetime.now(dt.UTC).date()):
                for icb in icbs:
                    if self._stopping.is_set():
                        return False
                    decide_ahead(self.engine, period, icb, self.threshold)
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
