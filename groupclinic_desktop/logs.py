"""Rotating log files under the platform's log folder.

Never log patient data: ids and counts only.

Commands log to the file from the start (setup_logging). The app's own start holds its first
records in memory (hold_logging) and opens the file once its window is painted (open_log_file),
writing the held records first: the rotating handler's imports (sockets, pickle, about 6 ms) stay
off the first paint, and no record is lost.
"""

import atexit
import logging
import threading
from pathlib import Path

LOG_FILE = "groupclinic.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_opening = threading.Lock()
_pending: "_Pending | None" = None


class _Pending(logging.Handler):
    """Holds records until it has somewhere to send them, then sends every one there in order."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[logging.LogRecord] = []
        self.target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        # handle() holds this handler's lock around emit(), and so does send_to().
        if self.target is None:
            self.held.append(record)
        else:
            _send(self.target, record)

    def send_to(self, target: logging.Handler) -> None:
        self.acquire()
        try:
            for record in self.held:
                _send(target, record)
            self.held.clear()
            self.target = target
        finally:
            self.release()


def _send(target: logging.Handler, record: logging.LogRecord) -> None:
    # A handler's own level is checked by the logger that calls it, so here for the target.
    if record.levelno >= target.level:
        target.handle(record)


def log_dir() -> Path:
    import platformdirs

    from groupclinic_desktop.core.store import APP_NAME

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def _file_handler(folder: Path | None) -> tuple[logging.Handler, Path]:
    import logging.handlers

    from groupclinic_desktop.core.store import private_dir

    folder = private_dir(folder or log_dir())  # 0700 on POSIX: the log is the user's alone
    path = folder / LOG_FILE

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        """Each log file, the first and every rotated one, is made readable by its owner alone."""

        def _open(self):  # type: ignore[no-untyped-def]
            from groupclinic_desktop.core.store import private_file

            private_file(Path(self.baseFilename))
            return super()._open()

    handler = PrivateRotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler, path


def setup_logging(level: int = logging.INFO, folder: Path | None = None) -> Path:
    """Log to the file from now on. OSError when the folder cannot be written."""
    handler, path = _file_handler(folder)
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        root.addHandler(handler)
    else:
        handler.close()
    return path


def hold_logging(level: int = logging.INFO) -> None:
    """Log at `level` from now on, holding the records until open_log_file() (at the latest at
    exit, so a start that ends before its window is painted still leaves its records)."""
    global _pending
    root = logging.getLogger()
    root.setLevel(level)
    with _opening:
        if _pending is None:
            _pending = _Pending()
            root.addHandler(_pending)
            atexit.register(open_log_file)  # runs before logging's own shutdown (LIFO)


def open_log_file(folder: Path | None = None) -> Path | None:
    """Open the log file held back by hold_logging() and write the held records to it.

    Returns its path, or None when nothing was held or the folder cannot be written (a read-only
    home must not stop the app: warnings then go to stderr, as with no log file). Safe to call
    more than once, from any thread.
    """
    with _opening:
        pending = _pending
        if pending is None or pending.target is not None:
            return None
        try:
            handler, path = _file_handler(folder)
        except OSError:
            pending.send_to(logging.lastResort or logging.NullHandler())
            return None
        pending.send_to(handler)
        return path
