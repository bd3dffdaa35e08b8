"""The admin's sync screen: the same figures as the status bar, what needs attention and why,
"Sync now", and where the ICB service is (address and token)."""

from datetime import UTC, datetime

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.sync import config, status
from groupclinic_desktop.sync.engine import PassReport
from groupclinic_desktop.ui.service_status import StatusBox, message_line
from groupclinic_desktop.ui.sync_status import SyncRunner
from groupclinic_desktop.ui.widgets import fill


class SyncAdminPage(QWidget):
    def __init__(self, clinic: Clinic, runner: SyncRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.runner = runner
        self.setWindowTitle("Sync with the ICB")
        outer = QVBoxLayout(self)

        upload = StatusBox(
            "Monitoring upload", ["Event", "Happened", "Reason"], "Events that need attention"
        )
        self.connection = upload.figure("Connection:")
        self.pending = upload.figure("Events to send:")
        self.oldest = upload.figure("Oldest waiting:")
        self.last_sync = upload.figure("Last successful sync:")
        self.last_error = upload.figure("Last problem:", "")
        upload.summary.setText("Needs attention (refused; kept until sent again):")
        self.table = upload.table
        self.sync_button = upload.button("Sync now", self.sync_now)
        self.retry_button = upload.button("Send these again", self.retry)
        outer.addWidget(upload, 1)

        service = QGroupBox("ICB service")
        service_form = QFormLayout(service)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://icb.example.nhs.uk")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("leave empty to keep the current token")
        self.save_button = QPushButton("Save service settings")
        self.save_button.clicked.connect(self.save)
        service_form.addRow("Address:", self.url)
        service_form.addRow("Practice token:", self.token)
        service_form.addRow(self.save_button)
        outer.addWidget(service)

        self.message = message_line()
        outer.addWidget(self.message)

        self.url.setText(clinic.sync_settings().get("url") or "")
        runner.status_changed.connect(self.show_status)
        runner.pass_finished.connect(self.show_pass)
        runner.refresh()

    def show_pass(self, report: PassReport) -> None:
        text = (
            f"Last run: {report.stored} sent, {report.duplicate} already held by the ICB, "
            f"{report.needs_attention} need attention."
        )
        if report.result != "done":
            text += f" Stopped: {report.reason or report.result}."
        self.message.setText(text)

    def show_status(self, now: status.SyncStatus) -> None:
        at = datetime.now(UTC)
        self.connection.setText(now.connection + (f": {now.problem}" if now.problem else ""))
        self.pending.setText(str(now.pending))
        self.oldest.setText(status.age_text(now.oldest_age(at)))
        self.last_sync.setText(status.when_text(now.last_success, at))
        self.last_error.setText(now.last_error or "none")
        fill(
            self.table,
            [
                (f"{item.type} {item.uid[:8]}", item.occurred_at.strftime("%d %b %Y %H:%M"),
                 item.reason)
                for item in now.needs_attention
            ],
        )
        self.retry_button.setEnabled(bool(now.needs_attention))

    def sync_now(self) -> None:
        self.message.setText("Syncing…")
        self.runner.sync_now()

    def retry(self) -> None:
        try:
            count = self.clinic.retry_needs_attention()
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"{count} event(s) will be sent again.")
        self.runner.sync_now()

    def save(self) -> None:
        token = self.token.text().strip()
        try:
            if token:
                self.clinic.set_sync_settings(self.url.text(), token_changed=True)
                config.set_token(self.clinic, token)
            else:
                self.clinic.set_sync_settings(self.url.text())
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.token.clear()
        self.message.setText("Saved. Syncing…")
        self.runner.sync_now()
