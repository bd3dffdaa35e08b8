"""Void or correct a mistaken measurement: pick the value, give the reason, optionally the right
value. The facade checks who may (whoever entered it or a clinician during the session, a
clinician afterwards) and validates the new value as if it were typed at check-in."""

import html

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError, NeedsConfirmation
from groupclinic_desktop.core.schema import Measurement

BP_PARTS = ("systolic_bp", "diastolic_bp")


def voided_html(voided: list[Measurement]) -> str:
    """Voided values, struck through with their reason, for staff screens."""
    cat = catalogue()
    lines = []
    for m in voided:
        label = cat.get(m.type_key).label if m.type_key in cat else m.type_key
        lines.append(
            f"<s>{html.escape(label)} {m.value:g} {html.escape(m.unit)}</s> "
            f"voided: {html.escape(m.void_reason or '')}"
        )
    return "<br>".join(lines)


def value_words(m: Measurement) -> str:
    label = catalogue().get(m.type_key).label if m.type_key in catalogue() else m.type_key
    return f"{label}: {m.value:g} {m.unit} ({m.taken_at.astimezone():%H:%M})"


class FixMeasurementDialog(QDialog):
    """One person's values from this session that are still standing, to void or correct."""

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        patient_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.setWindowTitle("Void or correct a value")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "A voided value is kept, struck through, with your reason; it leaves the board, "
            "the exports and monitoring."
        ))
        form = QFormLayout()
        # From wrap-up (no one chosen yet) the person is picked here too.
        self.person = QComboBox()
        self.person.setAccessibleName("Person")
        for entry in clinic.roster(session_id):
            if entry.attendance.status.present or entry.patient.id == patient_id:
                self.person.addItem(entry.patient.full_name, entry.patient.id)
        if patient_id is not None:
            self.person.setCurrentIndex(max(0, self.person.findData(patient_id)))
        self.person.setEnabled(patient_id is None)
        self.value = QComboBox()
        self.value.setAccessibleName("Value to void or correct")
        self.person.currentIndexChanged.connect(lambda _i: self._load_values())
        self._load_values()
        self.right = QLineEdit()
        self.right.setAccessibleName("The right value (leave empty to void only)")
        self.right.setPlaceholderText("leave empty to void only; 140/90 for blood pressure")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("e.g. typed 48 for 83")
        form.addRow("Person", self.person)
        form.addRow("Value", self.value)
        form.addRow("Right value", self.right)
        form.addRow("Reason (required)", self.reason)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet("color: #b71c1c; font-weight: bold;")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._confirmed = False

    def _load_values(self) -> None:
        self.value.clear()
        pid = self.person.currentData()
        if pid is None:
            return
        for m in self.clinic.measurements(patient_id=pid, session_id=self.session_id):
            if m.type_key in ("diastolic_bp", "bmi"):
                continue  # blood pressure is chosen by its systolic half; BMI follows weight
            self.value.addItem(value_words(m), m.id)

    def save(self) -> None:
        chosen = self.value.currentData()
        if chosen is None:
            self.problem.setText("There is no value from this session to void.")
            return
        try:
            if self.right.text().strip():
                self.clinic.correct_measurement(
                    chosen, self.right.text(), self.reason.text(), confirmed=self._confirmed
                )
            else:
                self.clinic.void_measurement(chosen, self.reason.text())
        except NeedsConfirmation as exc:
            # Unusual but possible: say so, and a second Save confirms it.
            self._confirmed = True
            self.problem.setText(f"{exc} Press Save again to confirm.")
            return
        except ClinicError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()
