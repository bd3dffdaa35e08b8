"""Opening the Clinic facade behind the first painted window.

run_app paints the main window from a Glance (core/glance.py: the practice and its staff names,
read through the driver alone). Right after that first paint, `StoreOpener` opens the facade off
the UI thread (ui/tasks.py; SQLAlchemy, SQLModel and the schema: about half a second of imports)
while the start-up quick check reads the whole store on another thread (over a second on a store
ten years old).

The window gets the facade only once both are done and the check found nothing wrong. Until then
nothing can write: every write needs someone signed in, and the sign-in page holds a PIN typed
meanwhile until attach(). A failed check, or a facade that will not open, brings up the same
store-problem screen as before (damaged: restore, read-only or quit), over the window.
"""

import contextlib
import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from groupclinic_desktop.core.errors import StoreError
from groupclinic_desktop.core.glance import Glance, QuickCheck
from groupclinic_desktop.ui import tasks

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

# Open the facade this long after show() even if no paint came (a window started minimised).
START_ANYWAY_MS = 1000
_PENDING = object()


class StoreOpener(QObject):
    """Opens and checks the store behind a window made from a Glance, then attaches the facade.

    `ready(clinic)` is emitted once the window has it; `gave_up` when the person chose Quit on the
    store-problem screen (run_app then exits with status 1). close() stops whatever is under way
    and closes the facade: the app calls it on the way out.
    """

    ready = Signal(object)
    gave_up = Signal()
    _done = Signal()  # from the quick check's thread: its verdict is in

    def __init__(
        self,
        window: "MainWindow",
        glance: Glance,
        data_dir: Path | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.glance = glance
        self.data_dir = data_dir
        self.clinic: Clinic | None = None
        self._opened: Any = _PENDING  # the Clinic, or the exception opening it raised
        self._problems: Any = _PENDING  # the quick check's problems ([] = sound), None = stopped
        self._started = False
        self._settled = False
        self._closed = False
        self._check: QuickCheck | None = None
        self._opening: tasks.Task[Clinic] | None = None
        # Emitted on the check's thread: Qt queues it to this object's (the UI) thread.
        self._done.connect(self._settle)

    def start(self) -> None:
        """Open the facade and run the quick check, each on its own thread (once)."""
        if self._started or self._closed:
            return
        self._started = True
        self._check = QuickCheck(self.glance.location.db_path, self.glance.key, self._checked)
        self._check.start()
        # Every failure to open goes to the store-problem screen (_settle), none to last resort.
        self._opening = tasks.run(
            self._open,
            done=self._opened_with,
            failed=self._opened_with,
            expected=(Exception,),
            owner=self,
            name="store-open",
        )

    def _open(self) -> "Clinic":
        from groupclinic_desktop.core.clinic import Clinic

        # The quick check runs beside it (QuickCheck), so the facade does not run it again.
        opened = Clinic.open(self.data_dir, create=False, check=False)
        # The sync worker that attach() starts, imported here rather than on the UI
        # thread, which stays free for the person typing. Only modules without Qt: PySide's
        # types and enums are made on the UI thread. A failure shows when attach() imports it.
        with contextlib.suppress(ImportError):
            import groupclinic_desktop.sync.worker  # noqa: F401
        return opened

    def _opened_with(self, opened: Any) -> None:
        """The facade, or the exception opening it raised (on the UI thread)."""
        if self._closed:
            return  # close() has closed it already
        self._opened = opened
        self._settle()

    def _checked(self, problems: list[str] | None) -> None:
        self._problems = problems
        self._emit_done()

    def _emit_done(self) -> None:
        # Queued to the UI thread; after close() nobody is listening any more.
        if not self._closed:
            self._done.emit()

    def _settle(self) -> None:
        if self._closed or self._settled:
            return
        opened, problems = self._opened, self._problems
        if opened is _PENDING:
            return  # wait for the facade
        if problems is _PENDING:
            if isinstance(opened, Exception) and self._check is not None:
                self._check.cancel()  # no verdict is needed to explain that; it ends at once
            return
        self._settled = True
        error: StoreError | None = None
        if isinstance(opened, StoreError):
            error = opened
        elif isinstance(opened, Exception):
            # The type and the code path only: an exception's message may quote patient data.
            log.error(
                "unexpected %s opening the store:\n%s",
                type(opened).__name__,
                "".join(traceback.format_tb(opened.__traceback__)),
            )
            error = StoreError(
                f"Opening the store failed unexpectedly ({type(opened).__name__}); the details "
                "are in the log file.",
                kind="other",
            )
        elif problems != []:  # problems found (None, a stopped check, is no verdict either)
            log.warning("the start-up quick check failed (%s problem(s))", len(problems or []))
            opened.close()
            self._opened = None
            error = StoreError(
                f"The store at {self.glance.location.db_path} is damaged (its start-up check "
                "failed). Restore the latest good backup (groupclinic recover); nothing was "
                "changed.",
                kind="damaged",
            )
        if error is None:
            self._attach(opened)
        else:
            self._ask(error)

    def _attach(self, clinic: "Clinic") -> None:
        self.clinic = clinic
        self._opened = None
        self.window.attach(clinic)
        self.ready.emit(clinic)

    def _ask(self, error: StoreError) -> None:
        """The store-problem screen over the window, as when the store is opened the full way."""
        from groupclinic_desktop.ui.store_problem import open_or_ask

        self.window.sign_in.stop_waiting()
        self.window.sign_in.setEnabled(False)
        first = [error]

        def opener(data_dir: Path | None) -> "Clinic":
            if first:
                raise first.pop()
            return open_clinic(data_dir)

        clinic = open_or_ask(self.data_dir, opener, self.window)
        if self._closed:
            if clinic is not None:
                clinic.close()
            return
        if clinic is None:
            self.gave_up.emit()  # run_app ends the app with status 1
            return
        self.window.sign_in.setEnabled(True)
        self._attach(clinic)

    def close(self) -> None:
        """Stop the check, wait for the opening, close the facade and let go of the store."""
        self._closed = True
        if self._check is not None:
            self._check.cancel()
            self._check.wait()
        opened = self._opened
        if self._opening is not None:
            self._opening.wait()
            if not self._opening.delivered:  # opened, never handed over
                opened = self._opening.result
        if opened is not None and opened is not _PENDING and not isinstance(opened, Exception):
            opened.close()  # opened, never attached
        self._opened = None
        if self.clinic is not None:
            self.clinic.close()
            self.clinic = None


def open_clinic(data_dir: Path | None) -> "Clinic":
    """The normal way in: open the store, creating an empty one on a first start."""
    # The facade (SQLAlchemy, SQLModel, the schema) is imported when the store is opened, not
    # when the first screen is drawn.
    from groupclinic_desktop.core.clinic import Clinic

    return Clinic.open(data_dir, create=True)


def open_behind(window: "MainWindow", glance: Glance, data_dir: Path | None) -> StoreOpener:
    """Start opening the store once `window` (made from `glance`) has painted."""
    opener = StoreOpener(window, glance, data_dir)
    window.first_painted.connect(opener.start)
    QTimer.singleShot(START_ANYWAY_MS, opener.start)
    return opener
