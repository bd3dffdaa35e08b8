"""The running session: phase bar on top, the phase's page, and the facilitator's cue card."""

import html
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent
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
from groupclinic_desktop.ui import charts
from groupclinic_desktop.ui.phase_bar import PhaseBar
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.phases.registry import make_page

log = logging.getLogger(__name__)
TICK_MS = 5000
CUE_CARD_WIDTH = 270
# The other phases' pages are built this long after the window is first shown, one per turn of
# the event loop: a person reads the screen first, and finds every phase ready when they move.
PREBUILD_AFTER_MS = 300
# After a resize, pages not on screen are laid out again at the new size once it settles.
REFIT_AFTER_MS = 400


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
    """Hosts the phase pages of one session. Emits `leave` for "Back to sessions".

    The page of the phase the session is in is built at once; the others are built in idle time
    after the window is shown (`prebuild=False` leaves them to their first visit). Whenever a
    page is shown it refreshes itself, repainting only what changed since it was last shown.
    """

    leave = Signal()

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        parent: QWidget | None = None,
        *,
        prebuild: bool = True,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.bus = SessionBus(self)
        self.idle_work = self.bus.idle_work
        self.idle_work.pause(True)  # idle work runs only while the window is on screen
        self.prebuild = prebuild
        self._prebuild_queued = False
        self._shown_before = False
        self.pages: dict[str, PhasePage] = {}
        session = clinic.session(session_id)
        programme = clinic.programme(session.programme_id)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        top = QHBoxLayout()
        self.title = QLabel(
            f"{programme.name} · session {session.session_number} · "
            f"{session.day:%a %d %b} {session.start_time:%H:%M} · {session.place}"
            + ("" if session.mode == "face_to_face" else f" · {session.mode.value.capitalize()}")
            + (" · drop-in clinic" if session.drop_in else "")
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
        fresh = page is None
        if page is None:
            page = self._build(phase)
        # Shown now, so its idle jobs are moot: the refresh below brings it up to date.
        self.idle_work.discard(self._warm_job(phase))
        self.idle_work.discard(page.catch_up_job)
        self.stack.setCurrentWidget(page)
        if not fresh:  # a page just built has just read everything
            page.refresh()
        self.phase_bar.set_session(session)  # type: ignore[arg-type]
        self.cue_card.show_phase(phase)

    def _build(self, phase: str) -> PhasePage:
        page = make_page(phase, self.clinic, self.session_id, self.bus, self.stack)
        page.setAccessibleName(f"{programmes.PHASE_TITLES[phase]} page")
        self.pages[phase] = page
        self.stack.addWidget(page)
        # Its size at once: the stack sizes only the page it shows, and only later, and a page
        # built in idle time should be laid out (and its charts drawn) at the size it is shown.
        page.setGeometry(self.stack.rect())
        return page

    # ------------------------------------------------------------------ idle time

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._shown_before:
            # Back from the home screen or the lock: things may have been changed meanwhile.
            self.current_page().refresh()
        self._shown_before = True
        self.idle_work.pause(False)
        if self.prebuild and not self._prebuild_queued:
            self._prebuild_queued = True
            self._queue_prebuild()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        self.idle_work.pause(True)
        super().hideEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        for phase, page in self.pages.items():
            if page is not self.stack.currentWidget():
                self.idle_work.add(
                    self._warm_job(phase), lambda p=phase: self._warm(p), wait_ms=REFIT_AFTER_MS
                )

    def settled(self) -> bool:
        """Idle time has done all it was asked to: every page built, laid out and painted, and
        every chart drawn (what a person finds who has looked at the screen for a moment)."""
        if self.idle_work.busy or (self.prebuild and len(self.pages) < len(programmes.PHASES)):
            return False
        boxes = [box for page in self.pages.values() for box in page.findChildren(charts.ChartBox)]
        return not any(box.pending for box in boxes)

    def _queue_prebuild(self) -> None:
        """Each page not built yet, the phases after the current one first; then each laid out
        and painted off screen, so that its first showing costs what any later one does. (The
        board's charts queue matplotlib's loading after these, and their drawing after that.)"""
        current = self.current_page().phase_key  # the page shown is the session's phase
        start = programmes.PHASES.index(current) if current in programmes.PHASES else 0
        order = programmes.PHASES[start + 1 :] + programmes.PHASES[:start]
        for phase in order:
            if phase not in self.pages:
                self.idle_work.add(
                    f"build {phase}", lambda p=phase: self._prebuild(p), wait_ms=PREBUILD_AFTER_MS
                )

    def _prebuild(self, phase: str) -> None:
        if phase in self.pages:
            return
        # Queued first, so that it comes before the jobs the page queues as it is built (the
        # board's charts): warm, the page is laid out, and each chart then renders at its size.
        self.idle_work.add(self._warm_job(phase), lambda: self._warm(phase))
        self._build(phase)

    @staticmethod
    def _warm_job(phase: str) -> str:
        return f"warm {phase}"

    def _warm(self, phase: str) -> None:
        """Lay out, polish and paint a page that is not on screen, into a throwaway image."""
        page = self.pages.get(phase)
        if page is None or page is self.stack.currentWidget():
            return
        page.setGeometry(self.stack.rect())
        page.grab()
