"""The admin's sync screen: the same figures as the status bar, what needs attention and why,
"Sync now", and where the ICB service is (address and token)."""

from datetime import UTC, datetime

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.sync import config, status
from groupclinic_desktop.sync.engine import PassReport
from groupclinic_desktop.ui.sync_status import SyncRunner


class SyncAdminPage(QWidget):
    def __init__(self, clinic: Clinic, runner: SyncRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.runner = runner
        self.setWindowTitle("Sync with the ICB")
        outer = QVBoxLayout(self)

        figures = QGroupBox("Monitoring upload")
        form = QFormLayout(figures)
        self.connection = QLabel("…")
        self.pending = QLabel("…")
        self.oldest = QLabel("…")
        self.last_sync = QLabel("…")
        self.last_error = QLabel("")
        self.last_error.setWordWrap(True)
        form.addRow("Connection:", self.connection)
        form.addRow("Events to send:", self.pending)
        form.addRow("Oldest waiting:", self.oldest)
        form.addRow("Last successful sync:", self.last_sync)
        form.addRow("Last problem:", self.last_error)
        buttons = QHBoxLayout()
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_now)
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        outer.addWidget(figures)

        attention = QGroupBox("Needs attention (refused; kept until sent again)")
        box = QVBoxLayout(attention)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Event", "Happened", "Reason"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        box.addWidget(self.table)
        self.retry_button = QPushButton("Send these again")
        self.retry_button.clicked.connect(self.retry)
        box.addWidget(self.retry_button)
        outer.addWidget(attention, 1)

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

        self.message = QLabel("")
        self.message.setWordWrap(True)
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
        self.table.setRowCount(len(now.needs_attention))
        for row, item in enumerate(now.needs_attention):
            when = item.occurred_at.strftime("%d %b %Y %H:%M")
            cells = (f"{item.type} {item.uid[:8]}", when, item.reason)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
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
