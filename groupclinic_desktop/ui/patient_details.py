"""A person's details and equity fields, for an admin, facilitator or clinician.

Every equity field is optional and "Not stated" is a real choice, offered first. Saving goes
through Clinic.update_patient_details, which checks and audits the change.
"""

from typing import Any

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

from groupclinic_desktop.core import equity
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.validation import format_nhs_number
from groupclinic_desktop.ui.widgets import error_line, save_or_cancel

NOT_STATED = "Not stated"
TRI_STATE = ((NOT_STATED, None), ("Yes", True), ("No", False))


def _combo(name: str, items: list[tuple[str, Any]], current: Any) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    for text, value in items:
        box.addItem(text, value)
    index = next((i for i, (_, v) in enumerate(items) if v == current), 0)
    box.setCurrentIndex(index)
    return box


class PatientDetailsDialog(QDialog):
    """View and edit one person's details; OK saves, Cancel leaves the record as it was."""

    def __init__(self, clinic: Clinic, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.patient_id = patient_id
        patient = clinic.patient(patient_id)
        self.setWindowTitle(f"Details: {patient.full_name}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        who = QLabel(
            f"NHS number {format_nhs_number(patient.nhs_number)}, "
            f"born {patient.date_of_birth:%d/%m/%Y}"
        )
        who.setAccessibleName("NHS number and date of birth")
        form.addRow(who)
        self.given = QLineEdit(patient.given_name)
        self.given.setAccessibleName("First name")
        self.family = QLineEdit(patient.family_name)
        self.family.setAccessibleName("Surname")
        self.preferred = QLineEdit(patient.preferred_name or "")
        self.preferred.setAccessibleName("Preferred name")
        self.preferred.setPlaceholderText("What they like to be called in the group")
        form.addRow("First name", self.given)
        form.addRow("Surname", self.family)
        form.addRow("Preferred name", self.preferred)
        # Their notes go to this practice's GP record; only member practices are offered.
        practices = [(f"{m.name} ({m.ods_code})", m.ods_code) for m in clinic.member_practices()]
        if patient.registered_ods and patient.registered_ods not in {v for _, v in practices}:
            practices.insert(0, (patient.registered_ods, patient.registered_ods))
        self.registered = _combo("Registered practice", practices, patient.registered_ods)
        form.addRow("Registered practice", self.registered)

        form.addRow(QLabel("<b>Equity monitoring</b> (all optional; ask, never guess)"))
        ethnic = [("Not recorded", None)] + [
            (f"{c.title} ({c.code})", c.code) for c in equity.ethnic_categories()
        ]
        self.ethnic = _combo("Ethnic category", ethnic, patient.ethnic_category)
        form.addRow("Ethnic category", self.ethnic)
        imd: list[tuple[str, Any]] = [(NOT_STATED, ("", ""))]
        imd += [
            (
                f"Decile {d}"
                + (" (most deprived)" if d == 1 else " (least deprived)" if d == 10 else ""),
                (d, ""),
            )
            for d in range(1, 11)
        ]
        imd += [
            (f"Quintile {q} only" + (" (most deprived)" if q == 1 else ""), ("", q))
            for q in range(1, 6)
        ]
        current = (
            (patient.imd_decile, "")
            if patient.imd_decile
            else (("", patient.imd_quintile) if patient.imd_quintile else ("", ""))
        )
        self.imd = _combo("IMD decile or quintile", imd, current)
        form.addRow("Deprivation (IMD)", self.imd)
        self.language = QComboBox()
        self.language.setAccessibleName("Preferred language")
        self.language.setEditable(True)
        self.language.addItem(NOT_STATED, "")
        for lang in equity.languages():
            self.language.addItem(f"{lang.name} ({lang.code})", lang.code)
        self._set_language(patient.preferred_language)
        form.addRow("Preferred language", self.language)
        self.interpreter = _combo("Interpreter needed", list(TRI_STATE), patient.interpreter_needed)
        form.addRow("Interpreter needed", self.interpreter)
        self.carer = _combo("Is a carer", list(TRI_STATE), patient.is_carer)
        form.addRow("Is a carer", self.carer)
        layout.addLayout(form)

        self.message = error_line()
        layout.addWidget(self.message)
        buttons = save_or_cancel(self, self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.plan_button = buttons.addButton(
            "Care plan…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.plan_button.setAccessibleName("Open this person's care and support plan")
        self.plan_button.clicked.connect(self.open_plan)
        layout.addWidget(buttons)

    def _set_language(self, code: str | None) -> None:
        index = self.language.findData(code or "")
        if index >= 0:
            self.language.setCurrentIndex(index)
        else:
            self.language.setEditText(code or "")

    def _language_value(self) -> str:
        text = self.language.currentText().strip()
        index = self.language.findText(text)
        if index >= 0:
            return str(self.language.itemData(index) or "")
        return "" if text == NOT_STATED else text

    def values(self) -> dict[str, Any]:
        decile, quintile = self.imd.currentData()
        return {
            "given_name": self.given.text(),
            "family_name": self.family.text(),
            "preferred_name": self.preferred.text(),
            "ethnic_category": self.ethnic.currentData(),
            "imd_decile": decile,
            "imd_quintile": quintile,
            "preferred_language": self._language_value(),
            "interpreter_needed": self.interpreter.currentData(),
            "is_carer": self.carer.currentData(),
            "registered_ods": self.registered.currentData(),
        }

    def open_plan(self) -> None:
        from groupclinic_desktop.ui.care_plan import open_care_plan

        self.plan_dialog = open_care_plan(self.clinic, self.patient_id, self)

    def save(self) -> None:
        try:
            self.clinic.update_patient_details(self.patient_id, **self.values())
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


def edit_patient_details(clinic: Clinic, patient_id: int, parent: QWidget | None = None) -> bool:
    """Open the dialog; True when the person's details were saved."""
    return PatientDetailsDialog(clinic, patient_id, parent).exec() == QDialog.DialogCode.Accepted
