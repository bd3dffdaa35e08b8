"""Session home: today's sessions first, then the next ones; start or resume from here."""

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import ClinicSession, Mode, SessionStatus

MODE_WORDS = {Mode.FACE_TO_FACE: "Face to face", Mode.VIDEO: "Video", Mode.HYBRID: "Hybrid"}
STATUS_WORDS = {
    SessionStatus.PLANNED: "Planned",
    SessionStatus.RUNNING: "Running now",
    SessionStatus.FINISHED: "Finished",
    SessionStatus.EXPORTED: "Finished and exported",
    SessionStatus.CANCELLED: "Cancelled",
}
COMING_UP = 6  # how many later sessions to list; the rest are planning, not running


def describe_session(clinic: Clinic, session: ClinicSession, today: date) -> str:
    """One line a facilitator can read aloud: when, what, where, how and how many."""
    programme = clinic.programme(session.programme_id)
    people = len(clinic.roster(session.id))  # type: ignore[arg-type]
    when = "Today" if session.day == today else f"{session.day:%a %d %b %Y}"
    return (
        f"{when} {session.start_time:%H:%M} · {programme.name} (session {session.session_number})"
        f" · {session.place} · {MODE_WORDS.get(session.mode, session.mode.value)}"
        + (" · drop-in clinic" if session.drop_in else "")
        + f" · {people} on the roster"
    )


class SessionCard(QFrame):
    """One session with its action button (start, resume) when it has one."""

    def __init__(self, text: str, status: str, action: str | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("cueCard")
        layout = QHBoxLayout(self)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.status = QLabel(status)
        self.status.setProperty("state", "ok" if status == "Running now" else "info")
        layout.addWidget(self.status)
        self.button: QPushButton | None = None
        if action:
            self.button = QPushButton(action)
            self.button.setObjectName("primary")
            self.button.setAccessibleName(f"{action}: {text}")
            layout.addWidget(self.button)


class SessionHome(QWidget):
    """Emits `open_session(session_id)` once a session is started or resumed."""

    open_session = Signal(int)

    def __init__(self, clinic: Clinic, today: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.today = today or date.today()
        self.cards: dict[int, SessionCard] = {}
        outer = QVBoxLayout(self)
        self.greeting = QLabel()
        self.greeting.setObjectName("title")
        top = QHBoxLayout()
        top.addWidget(self.greeting, 1)
        # The care coordinator's list: calls, re-invitations and plans due between sessions.
        self.due_button = QPushButton("What is due…")
        self.due_button.setAccessibleName("What is due between sessions")
        self.due_button.clicked.connect(self.show_due)
        self.due_button.setVisible(False)
        top.addWidget(self.due_button)
        outer.addLayout(top)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        outer.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.list_layout = QVBoxLayout(self.body)
        self.list_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)

    def refresh(self) -> None:
        actor = self.clinic.actor
        self.greeting.setText(f"Hello, {actor.name}" if actor else "Sessions")
        self.due_button.setVisible(actor is not None and self.clinic.may_follow_up())
        self.message.setText("")
        while self.list_layout.count():
            item = self.list_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.cards.clear()

        today = self.clinic.sessions(day=self.today)
        left_running = [
            s for s in self.clinic.sessions(status=SessionStatus.RUNNING) if s.day != self.today
        ]
        later = [s for s in self.clinic.sessions(since=self.today) if s.day > self.today]
        self._awaiting_sign_off()
        self._section("Today", today + left_running, "No sessions today.")
        self._section("Coming up", later[:COMING_UP], "Nothing planned yet.")
        first = next((c.button for c in self.cards.values() if c.button), None)
        if first is not None:
            first.setFocus()

    def show_due(self) -> None:
        from groupclinic_desktop.ui.due_list import DueListDialog

        self.due_dialog = DueListDialog(self.clinic, self)
        self.due_dialog.show()

    def _awaiting_sign_off(self) -> None:
        """A clinician sees first the reviews written on their behalf that wait for their
        signature (signed in the session's Wrap-up)."""
        actor = self.clinic.actor
        if actor is None or actor.id is None:
            return
        waiting = self.clinic.awaiting_sign_off(clinician_id=actor.id)
        if not waiting:
            return
        heading = QLabel(f"Awaiting your sign-off: {len(waiting)}")
        heading.setObjectName("subtitle")
        self.list_layout.addWidget(heading)
        people = {p.id: p.full_name for p in self.clinic.patients()}
        for review in waiting:
            session = self.clinic.session(review.session_id)
            note = QLabel(
                f"{people.get(review.patient_id, '')}, {session.day:%d %b %Y}: review written "
                "on your behalf; sign it in that session's Wrap-up."
            )
            note.setWordWrap(True)
            note.setAccessibleName("Review awaiting your sign-off")
            self.list_layout.addWidget(note)

    def _section(self, title: str, sessions: list[ClinicSession], empty: str) -> None:
        heading = QLabel(title)
        heading.setObjectName("subtitle")
        self.list_layout.addWidget(heading)
        if not sessions:
            note = QLabel(empty)
            note.setObjectName("muted")
            self.list_layout.addWidget(note)
            return
        for session in sessions:
            action = None
            if session.status == SessionStatus.RUNNING:
                action = "Resume"
            elif session.status == SessionStatus.PLANNED and session.day == self.today:
                action = "Start session"
            elif session.status == SessionStatus.FINISHED and self._staff_waiting(session):
                # Someone who ran today's clinic has not answered the staff questions yet.
                action = "Staff questions…"
            card = SessionCard(
                describe_session(self.clinic, session, self.today),
                STATUS_WORDS.get(session.status, session.status.value),
                action,
                self.body,
            )
            sid = session.id
            assert sid is not None
            if card.button is not None:
                card.button.clicked.connect(lambda _=False, sid=sid: self.start_or_resume(sid))
            self.cards[sid] = card
            self.list_layout.addWidget(card)

    def _staff_waiting(self, session: ClinicSession) -> bool:
        actor = self.clinic.actor
        if session.day != self.today or actor is None or actor.role.value == "admin":
            return False
        places = self.clinic.staff_experience_places(session.id)  # type: ignore[arg-type]
        return any(p.state == "waiting" for p in places)

    def start_or_resume(self, session_id: int) -> None:
        try:
            session = self.clinic.session(session_id)
            if session.status == SessionStatus.PLANNED:
                self.clinic.start_session(session_id)
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.open_session.emit(session_id)
