"""Sync in the status bar: online or offline, what is waiting, and when it last worked.

`SyncRunner` is the thin Qt adapter around the sync worker (sync/worker.py): the worker runs on
its own thread, and the figures are read off the UI thread too (ui/tasks.py: the token comes
from the OS keyring, which can be slow); results come back on the UI thread, so the window
never waits.
"""

from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.sync import status
from groupclinic_desktop.sync.engine import PassReport, Tuning
from groupclinic_desktop.sync.worker import sync_worker
from groupclinic_desktop.ui import tasks


class SyncRunner(QObject):
    """Owns the background worker for one open store and publishes its status."""

    status_changed = Signal(object)  # status.SyncStatus
    pass_finished = Signal(object)  # engine.PassReport

    def __init__(
        self,
        clinic: Clinic,
        *,
        poll_seconds: float = 60.0,
        refresh_ms: int = 15_000,
        tuning: Tuning | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.worker = sync_worker(
            clinic, poll_seconds=poll_seconds, tuning=tuning, on_pass=self._on_pass
        )
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self._reading: tasks.Task[status.SyncStatus] | None = None

    def start(self) -> None:
        self.worker.start()
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()
        self.worker.stop()

    def sync_now(self) -> None:
        if not self.worker.running:
            self.worker.start()
        self.worker.now()

    def refresh(self) -> None:
        """Re-read the figures off the UI thread (one read at a time)."""
        if self._reading is not None and not self._reading.delivered:
            return
        # A read that fails (the store busy, the keyring away) leaves the old figures up.
        self._reading = tasks.run(
            lambda: status.read(self.clinic),
            done=self.status_changed.emit,
            expected=(Exception,),
            owner=self,
            name="groupclinic-sync-status",
        )

    def _on_pass(self, report: PassReport, now: status.SyncStatus) -> None:
        # Called on the worker's thread; Qt queues both signals to the UI thread.
        self.pass_finished.emit(report)
        self.status_changed.emit(now)


def summary(now: status.SyncStatus, at: datetime | None = None) -> tuple[str, str]:
    """(short text for the status bar, colour name) for a status."""
    at = at or datetime.now(UTC)
    if now.problem:
        state, colour = "Sync off", "#b06000"
    elif now.online:
        state, colour = "Online", "#007f3b"
    elif now.online is False:
        state, colour = "Offline", "#8a1538"
    else:
        state, colour = "Sync: not yet connected", "#4c6272"
    parts = [state, f"{now.pending} to send"]
    if now.pending:
        parts.append(f"oldest {status.age_text(now.oldest_age(at))}")
    parts.append(f"last sync {status.when_text(now.last_success, at)}")
    if now.needs_attention:
        parts.append(f"{len(now.needs_attention)} need attention")
    return " · ".join(parts), colour


class SyncStatusBar(QWidget):
    """A permanent status-bar widget. Connect it to a SyncRunner with `follow(runner)`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(6)
        self.dot = QLabel("●")
        self.dot.setAccessibleName("Sync state")
        self.text = QLabel("Sync: checking…")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.dot)
        layout.addWidget(self.text)
        self.status: status.SyncStatus | None = None

    def follow(self, runner: SyncRunner) -> None:
        runner.status_changed.connect(self.show_status)

    def show_status(self, now: status.SyncStatus) -> None:
        self.status = now
        text, colour = summary(now)
        self.text.setText(text)
        self.dot.setStyleSheet(f"color: {colour};")
        tip = "\n".join(now.lines())
        self.setToolTip(tip)
        self.text.setAccessibleDescription(tip)
