"""A carer who came with someone: their own confidentiality agreement, goal and wellbeing.

Opened from check-in ("Add carer…") for the person on screen. The carer's goal and score are
saved on the carer's visit, never on the cared-for person's record.
"""

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import CarerVisit
from groupclinic_desktop.ui.widgets import error_line, save_or_cancel

AGREEMENT = (
    "I agree to keep private what other people share in this group, and not to talk about "
    "anyone's health outside the room."
)


class CarerDialog(QDialog):
    """Record a carer's visit; the goal and wellbeing score are optional, if they wish."""

    def __init__(
        self, clinic: Clinic, session_id: int, cares_for_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clinic, self.session_id, self.cares_for_id = clinic, session_id, cares_for_id
        self.visit: CarerVisit | None = None
        cared_for = clinic.patient(cares_for_id)
        self.setWindowTitle(f"Carer with {cared_for.board_name}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("Carer's name")
        form.addRow("Carer's name", self.name)
        self.nhs = QLineEdit()
        self.nhs.setAccessibleName("Carer's NHS number")
        self.nhs.setPlaceholderText("Only if registered at this practice")
        form.addRow("Carer's NHS number", self.nhs)
        self.agreed = QCheckBox("Agreed to confidentiality")
        self.agreed.setAccessibleName("Carer agreed to confidentiality")
        agreement = QLabel(AGREEMENT)
        agreement.setWordWrap(True)
        form.addRow(agreement)
        form.addRow("", self.agreed)
        form.addRow(QLabel("<b>For the carer themselves</b> (only if they wish)"))
        self.goal = QLineEdit()
        self.goal.setAccessibleName("Carer's goal")
        form.addRow("Their own goal", self.goal)
        self.confidence = QSpinBox()
        self.confidence.setAccessibleName("Carer's confidence")
        self.confidence.setRange(-1, 10)
        self.confidence.setSpecialValueText("not asked")
        self.confidence.setValue(-1)
        form.addRow("How sure (0-10)", self.confidence)
        self.wellbeing = QSpinBox()
        self.wellbeing.setAccessibleName("Carer's wellbeing total")
        self.wellbeing.setRange(6, 35)
        self.wellbeing.setSpecialValueText("not asked")
        self.wellbeing.setValue(6)
        form.addRow("Mood score total (SWEMWBS, 7-35)", self.wellbeing)
        layout.addLayout(form)
        note = QLabel(
            "Kept apart from the person they care for. Sent to the GP record only as part of the "
            "carer's own record, and only when they are registered here."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.message = error_line()
        layout.addWidget(self.message)
        buttons = save_or_cancel(self, self.save)
        layout.addWidget(buttons)

    def save(self) -> None:
        confidence = self.confidence.value()
        wellbeing = self.wellbeing.value()
        try:
            # Saved once: a second Save after a wellbeing error must not add the carer twice.
            if self.visit is None:
                self.visit = self.clinic.add_carer_visit(
                    self.session_id,
                    self.cares_for_id,
                    self.name.text(),
                    confidentiality_agreed=self.agreed.isChecked(),
                    carer_nhs_number=self.nhs.text().strip() or None,
                )
            visit = self.visit
            if self.goal.text().strip() or confidence >= 0 or wellbeing >= 7:
                assert visit.id is not None
                self.clinic.set_carer_wellbeing(
                    visit.id,
                    goal=self.goal.text(),
                    goal_confidence=confidence if confidence >= 0 else None,
                    swemwbs_score=wellbeing if wellbeing >= 7 else None,
                )
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


def add_carer(
    clinic: Clinic, session_id: int, cares_for_id: int | None, parent: QWidget | None = None
) -> bool:
    if cares_for_id is None:
        return False
    dialog = CarerDialog(clinic, session_id, cares_for_id, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted
