"""The main window: the practice, today's sessions and the roster of the one selected."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop import __version__
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import ClinicSession
from groupclinic_desktop.core.validation import format_nhs_number

STATUS_TEXT = {
    "invited": "Invited",
    "attended": "Attended",
    "late": "Late",
    "did_not_attend": "Did not attend",
    "cancelled": "Cancelled",
    "drop_in": "Drop-in",
}


def session_title(clinic: Clinic, session: ClinicSession) -> str:
    programme = clinic.programme(session.programme_id)
    return (
        f"{session.day:%a %d %b %Y}  {session.start_time:%H:%M}  ·  {programme.name}  ·  "
        f"{session.place}  ·  {session.status.value.capitalize()}"
    )


class MainWindow(QMainWindow):
    def __init__(self, clinic: Clinic, today: date | None = None) -> None:
        super().__init__()
        self.clinic = clinic
        self.today = today or date.today()
        practice = clinic.practice()
        name = practice.name if practice else "No practice"
        self.setWindowTitle(f"GroupClinic {__version__} — {name}")
        self.resize(1280, 720)
        self.setMinimumSize(900, 560)

        root = QWidget()
        layout = QVBoxLayout(root)
        self.practice_label = QLabel(name)
        self.practice_label.setObjectName("practiceName")
        font = QFont(self.practice_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.practice_label.setFont(font)
        layout.addWidget(self.practice_label)
        if practice and practice.is_demo:
            banner = QLabel("DEMO PRACTICE — fictional people, for trying the app out only")
            banner.setObjectName("demoBanner")
            banner.setStyleSheet(
                "background:#fff3bf; color:#5c3c00; padding:6px; border:1px solid #c99a00;"
            )
            layout.addWidget(banner)

        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Today and coming up</b>"))
        self.sessions = QListWidget()
        self.sessions.setAccessibleName("Sessions today and coming up")
        self.sessions.currentItemChanged.connect(self._show_roster)
        left.addWidget(self.sessions)
        body.addLayout(left, 2)

        right = QVBoxLayout()
        self.roster_title = QLabel()
        self.roster_title.setWordWrap(True)
        right.addWidget(self.roster_title)
        self.roster = QTableWidget(0, 4)
        self.roster.setAccessibleName("Roster")
        self.roster.setHorizontalHeaderLabels(["Name", "NHS number", "Date of birth", "Status"])
        self.roster.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.roster.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.roster.verticalHeader().setVisible(False)
        right.addWidget(self.roster)
        body.addLayout(right, 3)
        layout.addLayout(body)
        self.setCentralWidget(root)
        self.statusBar().showMessage(f"Store: {clinic.location.data_dir}")
        self.refresh()

    def refresh(self) -> None:
        self.sessions.clear()
        for session in self.clinic.sessions(since=self.today):
            label = ("TODAY  " if session.day == self.today else "") + session_title(
                self.clinic, session
            )
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, session.id)
            self.sessions.addItem(item)
        if self.sessions.count():
            self.sessions.setCurrentRow(0)
        else:
            self.roster_title.setText("No sessions planned from today on.")

    def _show_roster(self, item: QListWidgetItem | None) -> None:
        self.roster.setRowCount(0)
        if item is None:
            return
        session = self.clinic.session(item.data(Qt.ItemDataRole.UserRole))
        entries = self.clinic.roster(session.id)  # type: ignore[arg-type]
        self.roster_title.setText(
            f"<b>{session_title(self.clinic, session)}</b><br>{len(entries)} people on the roster"
        )
        self.roster.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            patient = entry.patient
            cells = [
                f"{patient.full_name}"
                + (f" ({patient.preferred_name})" if patient.preferred_name else ""),
                format_nhs_number(patient.nhs_number),
                f"{patient.date_of_birth:%d %b %Y}",
                STATUS_TEXT.get(entry.attendance.status.value, entry.attendance.status.value),
            ]
            for col, text in enumerate(cells):
                self.roster.setItem(row, col, QTableWidgetItem(text))
