"""First start on a laptop: set up the practice with its own first admin, or try the demo.

There is no default password. A real practice names its first admin, who chooses a PIN here
(typed twice). The demo practice, with its published PINs, is the only exception and says so.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.demo import create_demo
from groupclinic_desktop.core.errors import ClinicError

PRACTICE, DEMO, QUIT = "practice", "demo", "quit"


def _bold(text: str, scale: float = 1.0) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class FirstRunDialog(QDialog):
    """exec(), then `choice` is "practice" (set up, first admin made), "demo" (demo created)
    or "quit" (nothing written)."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.choice = QUIT
        self.setWindowTitle("Welcome to GroupClinic")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addWidget(_bold("Welcome to GroupClinic", 1.5))
        layout.addWidget(QLabel("This laptop has no practice set up yet."))

        practice_box = QFrame()
        practice_box.setFrameShape(QFrame.Shape.StyledPanel)
        form_column = QVBoxLayout(practice_box)
        form_column.addWidget(_bold("Set up our practice", 1.2))
        form_column.addWidget(QLabel(
            "The first admin chooses their own PIN now. They add the other staff afterwards."
        ))
        form = QFormLayout()
        self.ods = QLineEdit()
        self.ods.setAccessibleName("Practice ODS code")
        self.ods.setPlaceholderText("e.g. A81001")
        self.name = QLineEdit()
        self.name.setAccessibleName("Practice name")
        self.admin = QLineEdit()
        self.admin.setAccessibleName("First admin's full name")
        self.pin = QLineEdit()
        self.pin.setAccessibleName("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again = QLineEdit()
        self.pin_again.setAccessibleName("PIN again")
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Practice ODS code", self.ods)
        form.addRow("Practice name", self.name)
        form.addRow("First admin's full name", self.admin)
        form.addRow("PIN (at least 4 characters)", self.pin)
        form.addRow("The same PIN again", self.pin_again)
        form_column.addLayout(form)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b10e1e; font-weight: bold;")
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        form_column.addWidget(self.problem)
        self.set_up = QPushButton("Set up our practice")
        self.set_up.setAutoDefault(True)
        self.set_up.clicked.connect(self._set_up)
        self.pin_again.returnPressed.connect(self._set_up)
        form_column.addWidget(self.set_up, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(practice_box)

        demo_box = QFrame()
        demo_box.setFrameShape(QFrame.Shape.StyledPanel)
        demo_column = QVBoxLayout(demo_box)
        demo_column.addWidget(_bold("Or try the demo practice", 1.2))
        warning = QLabel(
            "DEMO ONLY: fictional people and published PINs, for training and trying the app "
            "out. Never record real patients in it."
        )
        warning.setObjectName("demoBanner")
        warning.setWordWrap(True)
        demo_column.addWidget(warning)
        row = QHBoxLayout()
        row.addStretch(1)
        self.try_demo = QPushButton("Try the demo practice")
        self.try_demo.clicked.connect(self._demo)
        row.addWidget(self.try_demo)
        self.quit = QPushButton("Quit")
        self.quit.clicked.connect(self.reject)
        row.addWidget(self.quit)
        demo_column.addLayout(row)
        layout.addWidget(demo_box)
        self.ods.setFocus()

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def _set_up(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self._say("PIN: the two PINs are not the same. Type them again.")
            self.pin.clear()
            self.pin_again.clear()
            self.pin.setFocus()
            return
        try:
            self.clinic.set_up_practice(
                self.ods.text(), self.name.text(), self.admin.text(), self.pin.text()
            )
        except ClinicError as exc:
            self._say(str(exc))
            return
        self.choice = PRACTICE
        self.accept()

    def _demo(self) -> None:
        try:
            with self.clinic.acting_as(SYSTEM):
                create_demo(self.clinic)
        except ClinicError as exc:
            self._say(str(exc))
            return
        self.choice = DEMO
        self.accept()

    def ask(self) -> str:
        self.exec()
        return self.choice
