"""The one place an unexpected error ends up, from any thread, during a live session.

An exception that nothing caught is logged with its type and where it happened (file, line and
function of each frame) but never its message or any value: a message can carry a name or an
NHS number. The person at the laptop sees one plain, non-blocking note; the session goes on,
because every value was already saved when it was typed. A store error (core/errors.py: the store
busy, read-only, full, failing or damaged) is our own sentence, with no data in it: the note says
that sentence instead, so the person knows what to do.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from groupclinic_desktop.core.errors import StoreError
from groupclinic_desktop.ui.first_paint import QUEUED

log = logging.getLogger(__name__)

PLAIN_MESSAGE = (
    "Something went wrong in GroupClinic. Everything you entered before this was saved. "
    "Carry on; if the same thing happens again, tell your practice's IT contact the time it "
    "happened (the details are in the log, with no patient data)."
)


def describe(
    kind: type[BaseException], tb: TracebackType | None, thread_name: str | None = None
) -> str:
    """The log's account of an error: its type and its frames, never its message."""
    frames = traceback.extract_tb(tb)
    where = "\n".join(
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}' for frame in frames
    )
    on = f" on thread {thread_name}" if thread_name else ""
    return f"Unexpected {kind.__module__}.{kind.__qualname__}{on}\n{where}"


class _Notice(QObject):
    """Carries a report from any thread to the UI thread (a queued signal)."""

    raised = Signal(str)  # the note's text

    def __init__(self) -> None:
        super().__init__()
        self.box: QMessageBox | None = None
        self.raised.connect(self._show, QUEUED)  # installed before the first paint

    def _show(self, text: str) -> None:
        from PySide6.QtCore import Qt

        if self.box is not None and self.box.isVisible():
            return  # one note at a time: a burst of the same error is one message
        parent = QApplication.activeWindow()
        self.box = QMessageBox(QMessageBox.Icon.Warning, "GroupClinic", text, parent=parent)
        self.box.setObjectName("last-resort-message")
        self.box.setWindowModality(Qt.WindowModality.NonModal)
        self.box.show()


_notice: _Notice | None = None


def report(
    kind: type[BaseException],
    error: BaseException | None,
    tb: TracebackType | None,
    thread_name: str | None = None,
) -> None:
    """Log an uncaught error and tell the person once, whichever thread it came from."""
    if issubclass(kind, KeyboardInterrupt):
        return
    log.error(describe(kind, tb, thread_name))
    if _notice is not None:
        _notice.raised.emit(str(error) if isinstance(error, StoreError) else PLAIN_MESSAGE)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    name = args.thread.name if args.thread is not None else None
    report(args.exc_type, args.exc_value, args.exc_traceback, name)


def install() -> None:
    """Catch what nothing else caught, on every thread; call once the QApplication exists."""
    global _notice
    if _notice is None:
        _notice = _Notice()
    sys.excepthook = report
    threading.excepthook = _thread_hook
