"""Sign-in: pick your name, type your PIN, press Enter. The same screen is the idle lock.

At start-up the page is first drawn from a Glance (core/glance.py), before the Clinic facade is
open; a PIN entered before the facade is ready is checked as soon as it is (ui/opening.py).
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.errors import ClinicError, SignInRefused
from groupclinic_desktop.ui.first_paint import (
    ACCESSIBLE_TEXT_ROLE,
    SCROLL_BAR_ALWAYS_OFF,
    USER_ROLE,
)

if TYPE_CHECKING:  # the page is drawn before the facade (SQLAlchemy) is imported
    from groupclinic_desktop.core.clinic import Actor, Clinic
    from groupclinic_desktop.core.glance import Glance

PIN_LABEL = "2. Type your &PIN and press Enter"
NO_NAME_PLACEHOLDER = "Choose your name first"
ROLE_WORDS = {"facilitator": "Facilitator", "clinician": "Clinician", "admin": "Admin",
              "co_facilitator": "Co-facilitator"}
DEMO_TEXT = "DEMO PRACTICE — fictional people, for trying the app out only"
WAITING_TEXT = "Opening the practice store… you will be signed in in a moment."
# The page is built before the first paint: no Qt.* enum (ui/first_paint.py), and labels are
# centred by the style sheet (theme.py: [centred="true"]).


class _NameList(QListWidget):
    """The staff list; Enter on a name moves on to the PIN field."""

    chosen = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        from PySide6.QtCore import Qt  # after the first paint (ui/first_paint.py)

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.chosen.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        # Qt makes the first name current when the list takes focus; nobody is chosen for you
        # (the arrow keys still start at the first name).
        had_none = self.currentRow() < 0
        blocked = self.blockSignals(had_none)
        try:
            super().focusInEvent(event)
            if had_none and self.currentRow() >= 0:
                self.setCurrentRow(-1)
        finally:
            self.blockSignals(blocked)


class SignInPage(QFrame):
    """Emits `signed_in(actor)` once the facade accepts a PIN.

    Made from a Glance (clinic None), it lists the staff at once and holds a sign-in until
    attach(clinic) hands it the facade, opened and checked.
    """

    signed_in = Signal(object)

    def __init__(
        self,
        clinic: "Clinic | None" = None,
        parent: QWidget | None = None,
        *,
        glance: "Glance | None" = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.glance = glance
        self.setObjectName("lockScreen")
        self.locked_for: Actor | None = None
        self.waiting = False  # a sign-in asked for before the facade was ready
        self._shown: list[tuple[int, str, str, str]] = []
        if clinic is not None:
            practice = clinic.practice()
            practice_name = practice.name if practice else None
            is_demo = bool(practice and practice.is_demo)
        else:
            assert glance is not None, "SignInPage needs a Clinic or a Glance"
            practice_name, is_demo = glance.practice_name, glance.is_demo

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        self.demo_banner = QLabel(DEMO_TEXT)
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setAccessibleName("Demo practice")
        self.demo_banner.setProperty("centred", True)
        outer.addWidget(self.demo_banner)
        # Only once it is in the page: shown with no parent, it was made and shown as a window of
        # its own (a native window, sized to its text) just before being moved into the page.
        self.demo_banner.setVisible(is_demo)
        outer.addStretch(1)

        column = QVBoxLayout()
        self.heading = QLabel("Sign in to GroupClinic")
        self.heading.setObjectName("title")
        self.heading.setProperty("centred", True)
        column.addWidget(self.heading)
        self.practice_label = QLabel(practice_name or "No practice yet")
        self.practice_label.setProperty("centred", True)
        self.practice_label.setObjectName("subtitle")
        column.addWidget(self.practice_label)
        self.lock_note = QLabel()
        self.lock_note.setWordWrap(True)
        self.lock_note.setProperty("centred", True)
        self.lock_note.setVisible(False)
        column.addWidget(self.lock_note)

        names_label = QLabel("1. Choose your name")
        names_label.setObjectName("subtitle")
        column.addWidget(names_label)
        self.names = _NameList()
        self.names.setObjectName("staffNames")
        self.names.setAccessibleName("Choose your name")
        self.names.setAccessibleDescription("Staff of this practice; Enter moves to the PIN")
        big = QFont(self.names.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.names.setFont(big)
        self.names.setSpacing(4)
        # A long profession wraps onto a second line rather than hide behind a scroll bar.
        self.names.setWordWrap(True)
        self.names.setProperty("horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)
        self.names.chosen.connect(lambda: self.pin.setFocus())
        self.names.itemDoubleClicked.connect(lambda _item: self.pin.setFocus())
        self.names.currentItemChanged.connect(lambda *_: self._name_chosen())
        names_label.setBuddy(self.names)
        column.addWidget(self.names)

        pin_label = QLabel(PIN_LABEL)
        pin_label.setObjectName("subtitle")
        self.pin_label = pin_label
        column.addWidget(pin_label)
        row = QHBoxLayout()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName("PIN")
        self.pin.setPlaceholderText(NO_NAME_PLACEHOLDER)
        self.pin.setFont(big)
        self.pin.returnPressed.connect(self.try_sign_in)
        pin_label.setBuddy(self.pin)
        row.addWidget(self.pin, 1)
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("primary")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.clicked.connect(self.try_sign_in)
        row.addWidget(self.sign_in_button)
        column.addLayout(row)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in message")
        column.addWidget(self.error)

        holder = QHBoxLayout()
        holder.addStretch(1)
        box = QWidget()
        box.setLayout(column)
        box.setMaximumWidth(560)
        box.setMinimumWidth(380)
        holder.addWidget(box, 2)
        holder.addStretch(1)
        outer.addLayout(holder)
        outer.addStretch(2)
        # A lock-out counts down on the page, second by second, while its name is chosen.
        self.locked_until: dict[int, datetime] = {}
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)
        self.reload_staff()

    def _staff(self) -> list[tuple[int, str, str, str]]:
        """(id, name, role value, profession words) of the active staff, from the facade or else
        the glance (the same words both ways: the list does not flicker as the facade opens)."""
        if self.clinic is not None:
            from groupclinic_desktop.core.professions import label

            return [
                (u.id, u.name, u.role.value, label(u.profession) if u.profession else "")  # type: ignore[misc]
                for u in self.clinic.staff()
            ]
        assert self.glance is not None
        return [(u.id, u.name, u.role, u.profession) for u in self.glance.staff]

    def reload_staff(self) -> None:
        # Nobody is chosen for you: a PIN typed against someone else's name fails against theirs.
        self._show_staff(self._staff())
        self.names.setCurrentRow(-1)
        self._name_chosen()

    def chosen_name(self) -> str | None:
        staff_id = self.selected_staff_id()
        return next((name for i, name, *_ in self._shown if i == staff_id), None)

    def _name_chosen(self) -> None:
        """The PIN field says whose PIN it takes; a lock-out on that name shows its countdown."""
        name = self.chosen_name()
        if name is None:
            self.pin.setPlaceholderText(NO_NAME_PLACEHOLDER)
            self.pin.setAccessibleName("PIN")
            self.pin_label.setText(PIN_LABEL)
        else:
            self.pin.setPlaceholderText(f"PIN for {name}")
            self.pin.setAccessibleName(f"PIN for {name}")
            self.pin_label.setText(f"2. Type the &PIN for {name} and press Enter")
        self.error.setText("")
        self._tick()

    def _tick(self) -> None:
        staff_id = self.selected_staff_id()
        until = self.locked_until.get(staff_id) if staff_id is not None else None
        left = (until - datetime.now(UTC)).total_seconds() if until else 0
        if until is None or left <= 0:
            if staff_id is not None:
                self.locked_until.pop(staff_id, None)
            if self.countdown.isActive() and not self.locked_until:
                self.countdown.stop()
            if until is not None:
                self.error.setText(f"{self.chosen_name()} can try again now.")
            self.sign_in_button.setEnabled(True)
            return
        minutes, seconds = divmod(int(left) + 1, 60)
        self.error.setText(
            f"Too many wrong PINs for {self.chosen_name()}. Try again in {minutes}:{seconds:02d}, "
            "or ask an admin to unlock it."
        )
        self.sign_in_button.setEnabled(False)
        if not self.countdown.isActive():
            self.countdown.start()

    def _show_staff(self, staff: list[tuple[int, str, str, str]]) -> None:
        self.names.clear()
        for staff_id, name, role_value, profession in staff:
            role = ROLE_WORDS.get(role_value, role_value)
            # The profession beside the role: who someone is, as the record shows it.
            who = f"{role}, {profession}" if profession else role
            item = QListWidgetItem(f"{name}   ·   {who}")
            item.setData(USER_ROLE, staff_id)
            item.setData(ACCESSIBLE_TEXT_ROLE, f"{name}, {who}")
            self.names.addItem(item)
        self._shown = staff
        # Room for up to six names whatever message shows below: a message never hides names.
        if staff:
            # A wrapped row is taller: one spare line for it, so every name shows unscrolled.
            row = self.names.sizeHintForRow(0) + 2 * self.names.spacing()
            frame = 2 * (self.names.frameWidth() + self.names.spacing()) + 4
            spare = self.names.fontMetrics().lineSpacing()
            self.names.setMinimumHeight(min(len(staff), 6) * row + frame + spare)

    def attach(self, clinic: "Clinic") -> None:
        """The facade is open and checked: sign-in works from now on (and a held one goes on)."""
        self.clinic = clinic
        staff = self._staff()
        if staff != self._shown:  # e.g. a backup was restored meanwhile; keep the chosen name
            chosen = self.selected_staff_id()
            self.reload_staff()
            if chosen is not None:
                self.choose(chosen)
        if self.waiting:
            self.waiting = False
            self.try_sign_in()

    def stop_waiting(self) -> None:
        """Forget a held sign-in (the store could not be opened as it was)."""
        if self.waiting:
            self.waiting = False
            self.error.setText("")

    def choose(self, staff_id: int) -> None:
        for row in range(self.names.count()):
            if self.names.item(row).data(USER_ROLE) == staff_id:
                self.names.setCurrentRow(row)
                return

    def lock_for(self, actor: "Actor | None") -> None:
        """Show as the lock screen: the same person's name chosen, everything else hidden."""
        self.locked_for = actor
        self.pin.clear()
        self.error.setText("")
        if actor is None:
            self.heading.setText("Sign in to GroupClinic")
            self.lock_note.setVisible(False)
            self.names.setCurrentRow(-1)  # the next person chooses their own name
            self.names.setFocus()
            return
        self.heading.setText("Screen locked")
        self.lock_note.setText(
            f"Locked after a quiet spell. {actor.name}: type your PIN to carry on, "
            "or choose another name to sign in instead."
        )
        self.lock_note.setVisible(True)
        if actor.id is not None:
            self.choose(actor.id)
        self.pin.setFocus()

    def selected_staff_id(self) -> int | None:
        item = self.names.currentItem()
        return None if item is None else item.data(USER_ROLE)

    def try_sign_in(self) -> None:
        staff_id = self.selected_staff_id()
        if staff_id is None:
            self.error.setText("Choose your name first.")
            self.names.setFocus()
            return
        if not self.pin.text():
            self.error.setText("Type your PIN, then press Enter.")
            self.pin.setFocus()
            return
        if self.clinic is None:
            # Still opening and checking the store (ui/opening.py); attach() signs in after.
            self.waiting = True
            self.error.setText(WAITING_TEXT)
            return
        try:
            actor = self.clinic.sign_in(staff_id, self.pin.text())
        except SignInRefused as exc:
            self.pin.clear()
            self.pin.setFocus()
            self.error.setText(str(exc))
            if exc.locked_until is not None:
                self.locked_until[staff_id] = exc.locked_until
                self._tick()
            return
        except ClinicError as exc:
            self.error.setText(str(exc))
            self.pin.clear()
            self.pin.setFocus()
            return
        self.pin.clear()
        self.error.setText("")
        self.signed_in.emit(actor)
