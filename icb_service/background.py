"""A daemon thread of the service that is woken by what happens (a stored batch, a catch-up)
and waits for a burst of those to pause before it works: the summary drainer and the report
warmer. start() and stop() with the app."""

from __future__ import annotations

import threading
import time


class WokenThread:
    """Subclasses give run(); it calls settled() after each wake-up and stops when told."""

    def __init__(self, name: str, quiet: float, most_delay: float) -> None:
        self.name = name
        self.quiet = quiet  # a burst is over once it pauses this long,
        self.most_delay = most_delay  # or this long after it began
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the work under way, then end."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._wake.set()
            thread.join(timeout)

    def run(self) -> None:
        raise NotImplementedError

    def settled(self) -> bool:
        """Wait for the burst of wake-ups to pause (or to have gone on long enough); False
        when stopping."""
        began = time.monotonic()
        while True:
            self._wake.clear()
            if self._stopping.wait(self.quiet):
                return False
            if not self._wake.is_set() or time.monotonic() - began >= self.most_delay:
                return True
