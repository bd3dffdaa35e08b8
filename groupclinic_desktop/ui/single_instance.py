"""One app per store: a second start brings the running window forward instead of refusing.

The first app listens on a local socket named after its data folder; a second start finds it,
asks it to come forward and quits quietly. A socket left behind by a crash is removed before
listening, so a relaunch after a crash is never told "already open" by a ghost.
"""

import getpass
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
SHOW = b"show\n"
BROUGHT_FORWARD = "A second start on this store: the running window is brought forward"
WAIT_MS = 500


def server_name(data_dir: Path | None) -> str:
    """A per-user, per-store name (the data folder's path, hashed: no path in the name)."""
    where = str(Path(data_dir).resolve()) if data_dir is not None else "default"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(f"{user}\0{where}".encode()).hexdigest()[:16]
    return f"groupclinic-{digest}"


def ask_running_app(name: str) -> bool:
    """True when an app already runs on this store and has been asked to come forward."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(WAIT_MS):
        return False
    socket.write(SHOW)
    socket.flush()
    socket.waitForBytesWritten(WAIT_MS)
    socket.disconnectFromServer()
    return True


class Listener(QObject):
    """Answers later starts of the app: each one brings the window forward."""

    def __init__(
        self, name: str, bring_forward: Callable[[], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._bring_forward = bring_forward
        self.server = QLocalServer(self)
        QLocalServer.removeServer(name)  # a socket file left by a crash
        self.listening = self.server.listen(name)
        self.server.newConnection.connect(self._connected)

    def _connected(self) -> None:
        # The caller writes one short line at once: read it here, then let the socket go.
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if not socket.bytesAvailable():
                socket.waitForReadyRead(WAIT_MS)
            asked = SHOW.strip() in bytes(socket.readAll().data())
            socket.abort()
            socket.deleteLater()
            if asked:
                log.info(BROUGHT_FORWARD)
                self._bring_forward()

    def close(self) -> None:
        self.server.close()
