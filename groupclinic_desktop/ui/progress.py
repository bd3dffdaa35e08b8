"""One person's progress through the programme: a table, a chart and their goals.

The one-to-one page may embed it (ProgressView(clinic, patient_id, programme_id, parent)); it is
for the clinician's screen, so it uses clinical labels, and it can write the person's private
progress PDF (plain words) to hand over.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
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
from groupclinic_desktop.core.views.progress import PersonProgress, Series, person_progress
from groupclinic_desktop.ui.charts import ChartBox
from groupclinic_desktop.ui.measurement_fix import voided_html
from groupclinic_desktop.ui.widgets import heading

COLUMNS = ("Measure", "At the start", "Now", "Change", "Target")


class ProgressChart(ChartBox):
    def show_series(self, series: Series) -> None:
        from groupclinic_desktop.core.views.board_look import draw_progress

        ax = self.axes()
        ax.clear()
        if series.points:
            draw_progress(ax, series, font_size=14, plain=False)
        else:
            ax.set_title(f"{series.label}: no values yet", loc="left")
        self._finish()


class ProgressView(QWidget):
    """A person's measurements, questionnaire scores and goals across the programme."""

    pdf_written = Signal(str)

    def __init__(
        self,
        clinic: Clinic,
        patient_id: int,
        programme_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.patient_id = patient_id
        self.programme_id = programme_id
        self.progress: PersonProgress | None = None
        self.setAccessibleName("Progress through the programme")

        layout = QVBoxLayout(self)
        self.title = heading("Progress")
        layout.addWidget(self.title)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Measures and scores: start, now and change")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda row, *_: self._chart_row(row))
        layout.addWidget(self.table, 2)
        # Voided values are left out of the figures and charts, but staff still see them here,
        # struck through with the reason.
        self.voided = QLabel()
        self.voided.setWordWrap(True)
        self.voided.setTextFormat(Qt.TextFormat.RichText)
        self.voided.setAccessibleName("Voided values and why")
        layout.addWidget(self.voided)

        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Chart:"))
        self.measure = QComboBox()
        self.measure.setAccessibleName("Measure to chart")
        self.measure.currentIndexChanged.connect(self._chart_row)
        chooser.addWidget(self.measure, 1)
        self.pdf_button = QPushButton("Private progress PDF…")
        self.pdf_button.setAccessibleName("Write this person's private progress PDF")
        self.pdf_button.clicked.connect(self._ask_pdf)
        chooser.addWidget(self.pdf_button)
        layout.addLayout(chooser)

        self.chart = ProgressChart(accessible_name="Chart of the chosen measure over time")
        layout.addWidget(self.chart, 3)

        layout.addWidget(heading("Goals", 1.1))
        self.goals = QLabel()
        self.goals.setWordWrap(True)
        self.goals.setAccessibleName("Goals set in the programme")
        layout.addWidget(self.goals)
        self.refresh()

    def rows(self) -> list[Series]:
        if self.progress is None:
            return []
        return [s for s in (*self.progress.measures, *self.progress.scores) if s.points]

    def refresh(self) -> None:
        self.progress = person_progress(self.clinic, self.patient_id, self.programme_id)
        patient = self.clinic.patient(self.patient_id)
        self.title.setText(f"Progress: {patient.board_name} in {self.progress.programme_name}")
        came = sum(1 for s in self.progress.sessions if s.attendance == "attended")
        start = self.progress.starts_on
        self.summary.setText(
            f"Sessions attended: {came} of {len(self.progress.sessions)}."
            + (f" In the programme since {start:%d %b %Y}." if start else "")
        )
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for r, s in enumerate(rows):
            start_text = _point(s, s.baseline)
            now_text = _point(s, s.latest)
            cells = (s.label, start_text, now_text, s.change_text or "–", s.target_text)
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.measure.blockSignals(True)
        self.measure.clear()
        for s in rows:
            if s.comparable:
                self.measure.addItem(s.label, s.key)
        self.measure.blockSignals(False)
        goals = self.progress.goals
        self.goals.setText(
            "\n".join(
                f"{g.session_day:%d %b %Y}: {g.text} (confidence {g.confidence}/10)"
                + (f" - {g.outcome}" if g.outcome else "")
                for g in goals
            )
            or "No goals yet."
        )

        voided = [
            m for m in self.clinic.measurements(patient_id=self.patient_id, include_voided=True)
            if m.voided
        ]
        self.voided.setText(voided_html(voided))
        self.voided.setVisible(bool(voided))
        if self.measure.count():
            self._chart_row(0)

    def _chart_row(self, index: int) -> None:
        if index < 0:
            return
        key = self.measure.itemData(index) if self.sender() is self.measure else None
        rows = self.rows()
        if key is None and 0 <= index < len(rows):
            key = rows[index].key
        chosen = next((s for s in rows if s.key == key and s.comparable), None)
        if chosen is None:
            return
        if self.measure.currentData() != key:
            self.measure.blockSignals(True)
            self.measure.setCurrentIndex(self.measure.findData(key))
            self.measure.blockSignals(False)
        self.chart.show_series(chosen)

    def save_pdf(self, path: Path | str) -> Path:
        from groupclinic_desktop.export.progress_pdf import progress_pdf

        written = progress_pdf(self.clinic, self.patient_id, self.programme_id, path)
        self.pdf_written.emit(str(written))
        return written

    def _ask_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the private progress PDF", "my-progress.pdf", "PDF (*.pdf)"
        )
        if name:
            self.save_pdf(name)


def _point(series: Series, point: object) -> str:
    if point is None:
        return "–"
    unit = f" {series.unit}" if series.unit else ""
    return f"{series.show(point.value)}{unit} ({point.taken_on:%d %b %Y})"  # type: ignore[attr-defined]
