"""The running session: phase bar on top, the phase's page, and the facilitator's cue card."""

import html
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import programmes
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.ui.phase_bar import PhaseBar
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.phases.registry import make_page

log = logging.getLogger(__name__)
TICK_MS = 5000
CUE_CARD_WIDTH = 270


def session_cue_cards(snapshot: dict | None) -> dict[str, programmes.CueCard]:
    """The cue cards for the programme the session runs under (defaults if it cannot be read)."""
    try:
        template = programmes.template_from_dict(snapshot) if snapshot else None
    except ClinicError:
        log.warning("session's programme snapshot unreadable; default cue cards shown")
        template = None
    return programmes.cue_cards(template)


class CueCardPanel(QFrame):
    """What to do and what to say in this phase; folds away to give the page more room."""

    def __init__(self, cards: dict[str, programmes.CueCard], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cueCard")
        self.cards = cards
        layout = QVBoxLayout(self)
        self.toggle = QPushButton("Hide cue card")
        self.toggle.setAccessibleName("Show or hide the cue card")
        self.toggle.setShortcut(QKeySequence("Ctrl+K"))
        self.toggle.setToolTip("Ctrl+K")
        self.toggle.clicked.connect(self.flip)
        layout.addWidget(self.toggle)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.body.setAccessibleName("Cue card")
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.body)
        layout.addWidget(self.scroll, 1)
        self.setFixedWidth(CUE_CARD_WIDTH)

    def show_phase(self, phase: str) -> None:
        card = self.cards.get(phase)
        if card is None:
            self.body.setText("")
            return
        do = "".join(f"<li>{html.escape(line)}</li>" for line in card.do)
        say = "".join(f"<p><i>“{html.escape(line)}”</i></p>" for line in card.say)
        self.body.setText(
            f"<h3>{html.escape(card.title)}</h3><b>Do</b><ul>{do}</ul><b>Say</b>{say}"
        )
        self.body.setAccessibleDescription(
            f"{card.title}. Do: {' '.join(card.do)} Say: {' '.join(card.say)}"
        )

    @property
    def folded(self) -> bool:
        return not self.scroll.isVisibleTo(self)

    def flip(self) -> None:
        fold = not self.folded
        self.scroll.setVisible(not fold)
        self.toggle.setText("Show cue card" if fold else "Hide cue card")
        if fold:
            self.setFixedWidth(self.toggle.sizeHint().width() + 24)
        else:
            self.setFixedWidth(CUE_CARD_WIDTH)


class SessionWindow(QWidget):
    """Hosts the phase pages of one session. Emits `leave` for "Back to sessions"."""

    leave = Signal()

    def __init__(self, clinic: Clinic, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.bus = SessionBus(self)
        self.pages: dict[str, PhasePage] = {}
        session = clinic.session(session_id)
        programme = clinic.programme(session.programme_id)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        top = QHBoxLayout()
        self.title = QLabel(
            f"{programme.name} · session {session.session_number} · "
            f"{session.day:%a %d %b} {session.start_time:%H:%M} · {session.place}"
        )
        self.title.setObjectName("subtitle")
        self.title.setAccessibleName("Session")
        top.addWidget(self.title, 1)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setAccessibleName("Message")
        top.addWidget(self.message)
        self.back = QPushButton("Back to sessions")
        self.back.setAccessibleName("Back to sessions")
        self.back.clicked.connect(self.leave)
        top.addWidget(self.back)
        layout.addLayout(top)

        self.phase_bar = PhaseBar(self)
        self.phase_bar.phase_clicked.connect(self.go_to)
        layout.addWidget(self.phase_bar)

        body = QHBoxLayout()
        self.stack = QStackedWidget()
        body.addWidget(self.stack, 1)
        self.cue_card = CueCardPanel(session_cue_cards(session.programme_snapshot))
        body.addWidget(self.cue_card)
        layout.addLayout(body, 1)

        for number, phase in enumerate(programmes.PHASES, start=1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda p=phase: self.go_to(p))

        self.timer = QTimer(self)
        self.timer.timeout.connect(self.phase_bar.tick)
        self.timer.start(TICK_MS)
        self._show(session.phase or "checkin", session)

    @property
    def phase(self) -> str:
        return self.clinic.session(self.session_id).phase or "checkin"

    def current_page(self) -> PhasePage:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def go_to(self, phase: str) -> None:
        """Move the session to a phase (saved, so a reopen lands here) and show its page."""
        session = self.clinic.session(self.session_id)
        if session.status == SessionStatus.RUNNING and session.phase != phase:
            try:
                session = self.clinic.set_phase(self.session_id, phase)
            except ClinicError as exc:
                self.message.setText(str(exc))
                self.phase_bar.set_session(self.clinic.session(self.session_id))
                return
        self.message.setText("")
        self._show(phase, session)
        self.bus.phase_changed.emit(phase)

    def _show(self, phase: str, session: object) -> None:
        page = self.pages.get(phase)
        if page is None:
            page = make_page(phase, self.clinic, self.session_id, self.bus, self.stack)
            page.setAccessibleName(f"{programmes.PHASE_TITLES[phase]} page")
            self.pages[phase] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        page.refresh()
        self.phase_bar.set_session(session)  # type: ignore[arg-type]
        self.cue_card.show_phase(phase)
