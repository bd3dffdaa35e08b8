"""The one way the UI runs work off its thread and comes back to it.

`run(work, done=..., failed=...)` calls `work()` on a thread of its own and then, on the UI
thread, `done(result)` or `failed(error)`. An error of a type the caller does not expect (a bug)
also goes to the last-resort path (ui/last_resort.py: its type and frames are logged, one plain
note is shown). `to_main(fn)` is a version of `fn` that any thread may call: the call is made on
the UI thread. (In the spirit of Anki's CollectionOp/QueryOp and Picard's run_task/to_main.)

Two rules keep Qt safe. The worker thread never owns or destroys a Qt object: the task keeps
every reference it was given (the work, the callbacks) until the UI thread has joined the worker
and delivered, so the last reference always goes on the UI thread. And nothing here collects
garbage: the app collects on the UI thread only (ui/collector.py).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.ui.first_paint import QUEUED

T = TypeVar("T")

# Tasks under way, held here (on the UI thread) until delivered.
_running: set[Task[Any]] = set()


class Task(QObject, Generic[T]):
    """One piece of work on its own thread; its result or error is delivered on the UI thread.

    Make it on the UI thread (`run` does). `owner`, when given, is a Qt object the callbacks
    belong to: once it is destroyed they are not called (a dialog closed mid-import)."""

    _ready = Signal()  # emitted on the worker thread, delivered (queued) on the UI thread

    def __init__(
        self,
        work: Callable[[], T],
        *,
        done: Callable[[T], object] | None = None,
        failed: Callable[[BaseException], object] | None = None,
        expected: tuple[type[BaseException], ...] = (ClinicError,),
        owner: QObject | None = None,
        name: str = "groupclinic-task",
    ) -> None:
        super().__init__()
        self._work = work
        self._done = done
        self._failed = failed
        self._expected = expected
        self._owner = owner
        self.name = name
        self.result: T | None = None
        self.error: BaseException | None = None
        self.delivered = False
        self.ended = threading.Event()  # the work has returned or raised (set on its thread)
        self._thread: threading.Thread | None = None
        self._ready.connect(self._deliver, QUEUED)  # the store opens on one before the paint

    def start(self) -> Task[T]:
        _running.add(self)
        self._thread = threading.Thread(target=self._in_background, name=self.name, daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and not self.ended.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the work to end (not for its delivery, which comes on the UI thread)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _in_background(self) -> None:
        try:
            self.result = self._work()
        except BaseException as exc:  # noqa: BLE001 - every ending is delivered
            self.error = exc
        self.ended.set()
        self._ready.emit()

    def _deliver(self) -> None:
        # The worker has only returning to do: join it, so that whatever it let go of is let go
        # of before we drop the last references, here on the UI thread.
        self.wait()
        self.delivered = True
        _running.discard(self)
        error = self.error
        try:
            if self._owner is not None and not shiboken6.isValid(self._owner):
                return
            if error is None:
                if self._done is not None:
                    self._done(self.result)  # type: ignore[arg-type]
                return
            if not isinstance(error, self._expected):
                _last_resort(error)
            if self._failed is not None:
                self._failed(error)
        finally:
            self._work = self._done = self._failed = None  # type: ignore[assignment]
            self._owner = None


def run(
    work: Callable[[], T],
    *,
    done: Callable[[T], object] | None = None,
    failed: Callable[[BaseException], object] | None = None,
    expected: tuple[type[BaseException], ...] = (ClinicError,),
    owner: QObject | None = None,
    name: str = "groupclinic-task",
) -> Task[T]:
    """Start `work()` off the UI thread; `done(result)` or `failed(error)` follow on it.

    Errors of the `expected` types go to `failed` only; any other goes to the last-resort path
    first, then to `failed` (so a screen can put itself back), if given."""
    return Task(
        work, done=done, failed=failed, expected=expected, owner=owner, name=name
    ).start()


def _last_resort(error: BaseException) -> None:
    sys.excepthook(type(error), error, error.__traceback__)


class _Mailbox(QObject):
    """Lives on the UI thread; calls posted from any thread run there (queued)."""

    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._call, QUEUED)

    @staticmethod
    def _call(call: Callable[[], object]) -> None:
        call()


_mailbox: _Mailbox | None = None


def to_main(fn: Callable[..., object]) -> Callable[..., None]:
    """`fn` made callable from any thread: each call is made later on the UI thread (call
    to_main itself on the UI thread). A method of a Qt object that is gone by then is skipped."""
    global _mailbox
    if _mailbox is None:
        _mailbox = _Mailbox()
    mailbox = _mailbox
    owner = getattr(fn, "__self__", None)

    def call_on_main(*args: Any) -> None:
        def call() -> None:
            if isinstance(owner, QObject) and not shiboken6.isValid(owner):
                return
            fn(*args)

        mailbox.posted.emit(call)

    return call_on_main
