"""What every phase page shares: the facade, the session, and the session's change bus."""

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.ui.board_model import SessionBoard

# A hidden page catches up with a change after this long without another one, so a burst of
# saves in check-in costs the hidden board one repaint, not one per keystroke of Enter.
CATCH_UP_MS = 400
# How many finished jobs IdleWork remembers (name and time taken), for the benchmarks.
KEEP_TIMINGS = 200


class IdleWork(QObject):
    """Work that can wait for a quiet moment, one job per turn of the event loop.

    A job runs alone between two turns, so a key press or a click waits at most for one job,
    never for the whole queue. Jobs have names: adding a name already queued replaces that job
    (keeping its place), so a page that changes five times is repainted once.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[str, Callable[[], object]] = {}
        self._not_before: dict[str, float] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_next)
        self._paused = False
        self.took: list[tuple[str, float]] = []  # (job name, seconds), the latest last

    def add(self, name: str, job: Callable[[], object], *, wait_ms: int = 0) -> None:
        """Run `job` in a quiet moment, at the earliest `wait_ms` from now."""
        self._jobs[name] = job
        self._not_before[name] = time.monotonic() + wait_ms / 1000
        self._schedule()

    def discard(self, name: str) -> None:
        self._jobs.pop(name, None)
        self._not_before.pop(name, None)

    def queued(self, name: str) -> bool:
        return name in self._jobs

    @property
    def busy(self) -> bool:
        """Jobs are waiting (they may be waiting for their time, or for a pause to end)."""
        return bool(self._jobs)

    def pause(self, paused: bool) -> None:
        """Hold the queue (e.g. while the window is hidden); jobs stay queued."""
        self._paused = paused
        if paused:
            self._timer.stop()
        else:
            self._schedule()

    def run_all(self) -> None:
        """Run every queued job now, in order (for tests, and before the app closes)."""
        while self._jobs:
            self._run(next(iter(self._jobs)))

    def _schedule(self) -> None:
        if self._paused or not self._jobs:
            return
        due = min(self._not_before.values())
        self._timer.start(max(0, round((due - time.monotonic()) * 1000)))

    def _run_next(self) -> None:
        now = time.monotonic()
        ready = next((n for n in self._jobs if self._not_before[n] <= now), None)
        try:
            if ready is not None:
                self._run(ready)
        finally:  # a job that fails is reported (by Qt's handler), and the rest still run
            self._schedule()

    def _run(self, name: str) -> None:
        job = self._jobs.pop(name)
        self._not_before.pop(name, None)
        start = time.perf_counter()
        try:
            job()
        finally:
            self.took.append((name, time.perf_counter() - start))
            del self.took[:-KEEP_TIMINGS]


class SessionBus(QObject):
    """Tells every open view of a session what changed, so each repaints only its own part.

    One bus per running session; the session window owns it and hands it to every page, the
    board and the presenter view. It follows the Clinic's change notices (ui/notices.py) once,
    and passes each change set on as `changes`, on the UI thread; the session's one board model
    hears it first. It also carries the session's idle work queue.
    """

    changes = Signal(object)  # core.changes.ChangeSet, after a write was committed
    phase_changed = Signal(str)  # phase key
    locked = Signal(bool)  # True while the idle lock hides patient data

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle_work = IdleWork(self)
        self._following: Clinic | None = None
        self._board: SessionBoard | None = None

    def follow(self, clinic: Clinic) -> None:
        """Hear the Clinic's change notices (once; every page of the session calls it)."""
        if self._following is clinic:
            return
        from groupclinic_desktop.ui.notices import notices_for

        self._following = clinic
        notices_for(clinic).arrived.connect(self._heard)

    def board(self, clinic: Clinic, session_id: int) -> SessionBoard:
        """The session's one board model, shared by the board page and the room screen."""
        if self._board is None:
            self._board = SessionBoard(clinic, session_id, self)
        return self._board

    def _heard(self, changes: ChangeSet) -> None:
        if self._board is not None:  # out of date first, so that every view reads it afresh
            self._board.heard(changes)
        self.changes.emit(changes)


class PhasePage(QWidget):
    """Base for a phase page. Subclasses set `phase_key` and fill themselves in `refresh()`.

    The session window calls `refresh()` every time it shows a page, so a page must re-read what
    it shows there, and should repaint only what differs from what is on screen.
    """

    phase_key: str = ""

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.bus = bus
        bus.follow(clinic)
        bus.changes.connect(self.heard)

    def refresh(self) -> None:
        """Reload everything this page shows from the facade (called when it is shown)."""

    def concerns(self, changes: ChangeSet) -> bool:
        """Whether a committed change set touches what this page shows (its refresh rule)."""
        return False

    def heard(self, changes: ChangeSet) -> None:
        """A write was committed somewhere: refresh if it concerns this page."""
        if self.concerns(changes):
            self.changed()

    @property
    def catch_up_job(self) -> str:
        return f"refresh {self.phase_key or type(self).__name__}"

    def changed(self) -> None:
        """Something this page shows has changed (a change notice). On screen: repaint now. Hidden:
        repaint in a quiet moment, so that saving in another phase does not wait for this page
        (the session window runs `refresh()` when it shows a page, so it is never shown out of
        date even if that moment has not come yet)."""
        if self.isVisible():
            self.bus.idle_work.discard(self.catch_up_job)
            self.refresh()
        else:
            self.bus.idle_work.add(self.catch_up_job, self.refresh, wait_ms=CATCH_UP_MS)
