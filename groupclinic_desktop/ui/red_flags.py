"""Red flags on staff screens: the facilitator's words, and the clinician's acknowledgement.

Only staff screens use this module. The room board and the presenter never show a red flag:
an alarm beside a named person on the projector would tell the whole room.
"""

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import BLOOD_PRESSURE, Clinic, SessionFlag
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.red_flags import TELL_CLINICIAN
from groupclinic_desktop.ui.theme import set_state

FLAG = "⚑"


def field_of(measure: str) -> str:
    """The check-in field a measure is typed in (both halves of BP share one)."""
    return BLOOD_PRESSURE if measure in ("systolic_bp", "diastolic_bp") else measure


def alert_text(flags: Sequence[SessionFlag]) -> str:
    """What the facilitator reads beside the field: what it is, what to say, what to do."""
    if not flags:
        return ""
    first = flags[0]
    titles = "; ".join(f"{f.flag.rule.title} ({f.flag.reason})" for f in flags)
    done = all(f.acknowledged for f in flags)
    if done:
        who = ", ".join(sorted({f.acknowledged_by or "a clinician" for f in flags}))
        return f"{FLAG} RED FLAG: {titles}. Acknowledged by {who}."
    return f"{FLAG} RED FLAG: {titles}. Say: “{first.flag.rule.say}” {TELL_CLINICIAN}."


def queue_words(flags: Sequence[SessionFlag]) -> str:
    return "; ".join(f"{f.flag.rule.title} {f.text}" for f in flags)


class RedFlagList(QGroupBox):
    """Wrap-up's list of every flag, each with a clinician's "Acknowledge" button."""

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        names: Callable[[], dict[int, str]],
        on_change: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Red flags: a clinician acknowledges each before finishing", parent)
        self.clinic = clinic
        self.session_id = session_id
        self._names = names
        self._on_change = on_change
        self.setAccessibleName("Red flags")
        self._layout = QVBoxLayout(self)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Red flags: message")
        self.flags: list[SessionFlag] = []
        self.buttons: list[QPushButton] = []
        self._rows: list[QWidget] = []
        self.refresh()

    @property
    def waiting(self) -> int:
        return sum(1 for f in self.flags if not f.acknowledged)

    def refresh(self) -> None:
        self.flags = self.clinic.red_flags(self.session_id)
        for row in self._rows:
            row.setParent(None)  # type: ignore[call-overload]
            row.deleteLater()
        self._rows, self.buttons = [], []
        self._layout.removeWidget(self.message)
        names = self._names() if self.flags else {}
        for flag in self.flags:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            who = names.get(flag.patient_id, "someone")
            when = f"{flag.taken_at.astimezone():%H:%M}"
            text = QLabel(
                f"{FLAG} {who}: {flag.flag.rule.title}, {flag.text} at {when} "
                f"({flag.flag.reason}). {flag.flag.rule.clinician}"
            )
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            line.addWidget(text, 1)
            if flag.acknowledged:
                done = QLabel(
                    f"✓ Acknowledged by {flag.acknowledged_by or 'a clinician'} "
                    f"at {flag.acknowledged_at.astimezone():%H:%M}"  # type: ignore[union-attr]
                )
                set_state(done, "ok")
                line.addWidget(done)
            else:
                set_state(text, "red")
                button = QPushButton("Acknowledge (clinician)")
                button.setAccessibleName(f"Acknowledge the red flag for {who}")
                button.clicked.connect(lambda _=False, f=flag: self.acknowledge(f))
                self.buttons.append(button)
                line.addWidget(button)
            self._layout.addWidget(row)
            self._rows.append(row)
        self._layout.addWidget(self.message)
        self.setVisible(bool(self.flags))

    def acknowledge(self, flag: SessionFlag) -> None:
        try:
            self.clinic.acknowledge_red_flag(self.session_id, flag.measurement_id, flag.rule_key)
        except ClinicError as exc:
            self.message.setText(
                f"Not acknowledged: {exc} Lock the app (Ctrl+L) and let the clinician sign in."
            )
            set_state(self.message, "red")
            return
        self.message.setText("")
        set_state(self.message, "")
        self.refresh()
        self._on_change()
