"""The phase bar: the six phases, the one we are in, the wall clock and time against budget.

A phase at its budget turns amber, at 125% red; each state is also written out ("3 min over"),
because colour alone is not a signal everyone can see.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from groupclinic_desktop.core.programmes import DEFAULT_PHASE_MINUTES, PHASE_TITLES, PHASES
from groupclinic_desktop.core.schema import ClinicSession
from groupclinic_desktop.ui.theme import set_state

AMBER_AT = 1.0  # share of the budget used
RED_AT = 1.25


@dataclass(frozen=True)
class TimeState:
    level: str  # "ok", "amber", "red" or "none" (no budget)
    text: str


def time_state(spent_minutes: float, budget_minutes: float) -> TimeState:
    """How the time spent in a phase stands against its budget, in colour and words."""
    spent = max(0, math.floor(spent_minutes))
    if budget_minutes <= 0:
        return TimeState("none", f"{spent} min (no time set)")
    share = spent_minutes / budget_minutes
    if share < AMBER_AT:
        return TimeState("ok", f"{spent} of {budget_minutes:g} min")
    over = math.floor(spent_minutes - budget_minutes)
    words = "time is up" if over < 1 else f"{over} min over"
    level = "red" if share >= RED_AT else "amber"
    return TimeState(level, f"{spent} of {budget_minutes:g} min · {words}")


def budgets(session: ClinicSession) -> dict[str, float]:
    """Minutes per phase from the programme the session runs under."""
    snapshot = session.programme_snapshot or {}
    given: Mapping[str, float] = snapshot.get("phase_minutes") or {}
    return {p: float(given.get(p, DEFAULT_PHASE_MINUTES[p])) for p in PHASES}


def spent_minutes(session: ClinicSession, phase: str, now: datetime | None = None) -> float:
    """Minutes spent in a phase so far, counting the visit in progress."""
    spent = float((session.phase_minutes or {}).get(phase, 0.0))
    if session.phase == phase and session.phase_entered_at is not None:
        entered = session.phase_entered_at
        if entered.tzinfo is None:
            entered = entered.replace(tzinfo=UTC)
        spent += max(0.0, ((now or datetime.now(UTC)) - entered).total_seconds() / 60)
    return spent


class PhaseBar(QWidget):
    """Emits `phase_clicked(key)` when someone chooses a phase (any order)."""

    phase_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ClinicSession | None = None
        self.buttons: dict[str, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for number, phase in enumerate(PHASES, start=1):
            button = QPushButton()
            button.setCheckable(True)
            button.setToolTip(f"Go to {PHASE_TITLES[phase]} (Ctrl+{number})")
            button.clicked.connect(lambda _=False, p=phase: self.phase_clicked.emit(p))
            self.buttons[phase] = button
            layout.addWidget(button, 1)
        times = QVBoxLayout()
        self.clock = QLabel()
        self.clock.setObjectName("subtitle")
        self.clock.setAccessibleName("Clock")
        self.elapsed = QLabel()
        self.elapsed.setAccessibleName("Time in this phase")
        times.addWidget(self.clock)
        times.addWidget(self.elapsed)
        layout.addLayout(times)

    def set_session(self, session: ClinicSession) -> None:
        self.session = session
        self.tick()

    def tick(self, now: datetime | None = None) -> None:
        """Repaint the clock and the timings; the window calls this every few seconds."""
        now = now or datetime.now(UTC)
        self.clock.setText(f"{now.astimezone():%H:%M}")
        session = self.session
        if session is None:
            return
        plan = budgets(session)
        for number, phase in enumerate(PHASES, start=1):
            button = self.buttons[phase]
            title = PHASE_TITLES[phase]
            current = phase == session.phase
            state = time_state(spent_minutes(session, phase, now), plan[phase])
            budget = f"{plan[phase]:g} min" if plan[phase] else "no time set"
            marker = "▶ " if current else ""
            button.setText(f"{marker}{number}. {title}\n{state.text if current else budget}")
            button.setChecked(current)
            button.setProperty("phase", "current" if current else "")
            button.setProperty("time", state.level if current else "")
            button.style().unpolish(button)
            button.style().polish(button)
            button.setAccessibleName(
                f"{title} phase, {budget}" + (f", current, {state.text}" if current else "")
            )
        if session.phase in plan:
            state = time_state(spent_minutes(session, session.phase, now), plan[session.phase])
            self.elapsed.setText(f"{PHASE_TITLES[session.phase]}: {state.text}")
            set_state(self.elapsed, {"none": "info"}.get(state.level, state.level))
        total = sum(plan.values())
        so_far = sum(spent_minutes(session, p, now) for p in PHASES)
        self.clock.setText(
            f"{now.astimezone():%H:%M}  ·  session {math.floor(so_far)} of {total:g} min"
        )
