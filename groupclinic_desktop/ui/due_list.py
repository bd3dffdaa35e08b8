"""What is due between sessions: the care coordinator's list, and what can be done from it
(re-invite to the next session, record a contact, mark done, open the person's plan)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import due
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError

OVERDUE = QColor("#F6C9AE")  # the board's off-target tint: dark text stays readable


class DueListPage(QWidget):
    def __init__(self, clinic: Clinic, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.today = today
        self.items: list[due.DueItem] = []
        layout = QVBoxLayout(self)
        title = QLabel("What is due")
        title.setObjectName("title")
        layout.addWidget(title)
        self.summary = QLabel()
        self.summary.setAccessibleName("How much is due")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["What", "Person", "About", "Due", "Last contact"])
        self.table.setAccessibleName("Items due")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, header.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda *_: self._chosen_changed())
        layout.addWidget(self.table, 1)

        contact = QHBoxLayout()
        contact.addWidget(QLabel("Contact:"))
        self.method = QComboBox()
        self.method.setAccessibleName("How they were contacted")
        for method in due.METHODS:
            self.method.addItem(method, method)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName("What came of it")
        for key, words in due.OUTCOMES.items():
            self.outcome.addItem(words, key)
        self.note = QLineEdit()
        self.note.setPlaceholderText("A short note (stays on this laptop)")
        self.note.setAccessibleName("Note")
        self.note.setMaxLength(due.MAX_NOTE)
        self.contact_button = QPushButton("Record contact")
        self.contact_button.clicked.connect(self.record_contact)
        for w in (self.method, self.outcome):
            contact.addWidget(w)
        contact.addWidget(self.note, 1)
        contact.addWidget(self.contact_button)
        layout.addLayout(contact)

        buttons = QHBoxLayout()
        self.reinvite_button = QPushButton("Re-invite to the next session")
        self.reinvite_button.clicked.connect(self.reinvite)
        self.done_button = QPushButton("Mark done")
        self.done_button.clicked.connect(self.mark_done)
        self.plan_button = QPushButton("Open their plan…")
        self.plan_button.clicked.connect(self.open_plan)
        for w in (self.reinvite_button, self.done_button, self.plan_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        self.message = QLabel()
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 2)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.items = self.clinic.due_list(today=self.today)
        except ClinicError as exc:
            self.summary.setText(str(exc))
            self.items = []
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.kind_words] = counts.get(item.kind_words, 0) + 1
        self.summary.setText(
            "; ".join(f"{k}: {n}" for k, n in counts.items()) if counts else "Nothing is due."
        )
        self.table.setRowCount(len(self.items))
        for r, item in enumerate(self.items):
            when = f"{item.due:%d/%m/%Y}" if item.due else ""
            if item.overdue:
                when += " overdue"
            cells = (item.kind_words, item.person, item.what, when, item.last_contact)
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.key)
                if item.overdue or item.kind == "red_flag":
                    cell.setBackground(OVERDUE)
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(
            2, self.table.horizontalHeader().ResizeMode.Stretch
        )
        self._chosen_changed()

    def chosen(self) -> due.DueItem | None:
        row = self.table.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def choose(self, key: str) -> None:
        for r, item in enumerate(self.items):
            if item.key == key:
                self.table.setCurrentCell(r, 0)
                return

    def _chosen_changed(self) -> None:
        item = self.chosen()
        self.reinvite_button.setEnabled(item is not None and item.can_reinvite)
        for w in (self.done_button, self.contact_button, self.plan_button):
            w.setEnabled(item is not None)

    def _act(self, what: str, change: object) -> None:
        try:
            change()  # type: ignore[operator]
        except ClinicError as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        self.note.clear()
        self.refresh()
        self.message.setText(what)

    def record_contact(self) -> None:
        item = self.chosen()
        if item is None:
            return
        self._act(f"Contact recorded for {item.person}.", lambda: self.clinic.record_contact(
            item.patient_id, item.key, str(self.method.currentData()),
            str(self.outcome.currentData()), self.note.text(), today=self.today,
        ))

    def reinvite(self) -> None:
        item = self.chosen()
        if item is None:
            return
        self._act(f"{item.person} is invited to the next session.",
                  lambda: self.clinic.reinvite(item.patient_id, item.key, today=self.today))

    def mark_done(self) -> None:
        item = self.chosen()
        if item is None:
            return
        self._act(f"Done: {item.kind_words.lower()} for {item.person}.",
                  lambda: self.clinic.mark_done(item.patient_id, item.key, self.note.text(),
                                                today=self.today))

    def open_plan(self) -> None:
        from groupclinic_desktop.ui.care_plan import open_care_plan

        item = self.chosen()
        if item is not None:
            open_care_plan(self.clinic, item.patient_id, self, programme_id=item.programme_id)


class DueListDialog(QDialog):
    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What is due")
        layout = QVBoxLayout(self)
        self.page = DueListPage(clinic, parent=self)
        layout.addWidget(self.page)
        self.resize(1300, 700)
