"""The programme outcomes screen: the same figures as the CSV and PDF report, and export buttons.

Suppressed figures read "suppressed" with the reason in the tooltip; a group attending much less
than the rest is marked in words (not colour alone).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.views.outcomes import Outcomes, figure_rows, programme_outcomes
from groupclinic_desktop.ui.widgets import heading

COLUMNS = ("Section", "Figure", "Group", "Value", "Note")
FLAG_WORDS = "attending much less than the rest"


class OutcomesScreen(QWidget):
    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.outcomes: Outcomes | None = None
        self.setAccessibleName("Programme outcomes")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Programme outcomes"))
        top = QHBoxLayout()
        self.chooser = QComboBox()
        self.chooser.setAccessibleName("Programme")
        for p in clinic.programmes():
            self.chooser.addItem(p.name, p.id)
        self.chooser.currentIndexChanged.connect(lambda _: self.refresh())
        top.addWidget(self.chooser, 1)
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Export PDF report…")
        self.csv_button.clicked.connect(lambda: self._ask("csv"))
        self.pdf_button.clicked.connect(lambda: self._ask("pdf"))
        top.addWidget(self.csv_button)
        top.addWidget(self.pdf_button)
        layout.addLayout(top)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Outcome figures")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.refresh()

    def refresh(self) -> None:
        pid = self.chooser.currentData()
        if pid is None:
            self.note.setText("No programmes yet.")
            return
        o = self.outcomes = programme_outcomes(self.clinic, pid)
        self.note.setText(
            f"As of {o.as_of:%d %b %Y}. Figures about fewer than {o.threshold} people are "
            "suppressed (the threshold is a practice setting), and so is any figure that would let "
            "one be worked out by subtraction."
        )
        flagged = {f"{r.dimension}: {r.group}" for r in o.flagged()}
        rows = list(figure_rows(o))
        self.table.setRowCount(len(rows))
        for r, (section, item, group, name, kind, figure) in enumerate(rows):
            label = item if name in ("count", "proportion") else f"{item}: {name}"
            decimals = next((c.decimals for c in o.changes if item.startswith(c.label)), 1)
            note = figure.reason
            if item == "attendance rate" and group in flagged:
                note = FLAG_WORDS
            cells = (section, label, group, figure.text(kind, decimals), note)
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if figure.reason:
                    cell.setToolTip(figure.reason)
                self.table.setItem(r, c, cell)

    def value_of(self, section: str, label: str, group: str = "") -> str:
        """What the screen shows for one figure (for checks and screen readers)."""
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c).text() for c in range(3)]
            if cells == [section, label, group]:
                return self.table.item(r, 3).text()
        raise KeyError((section, label, group))

    def export(self, kind: str, path: Path | str) -> Path:
        from groupclinic_desktop.export.outcomes_report import write_csv, write_pdf

        assert self.outcomes is not None
        if kind == "csv":
            return write_csv(self.outcomes, path)
        practice = self.clinic.practice()
        return write_pdf(self.outcomes, path, practice=practice.name if practice else "")

    def _ask(self, kind: str) -> None:
        if self.outcomes is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the outcomes", f"outcomes.{kind}", f"{kind.upper()} (*.{kind})"
        )
        if name:
            self.export(kind, name)
