"""The staff's own three questions at the end of a session, on the wrap-up page.

The laptop is shared, so each member of staff answers for themselves: the panel lists the
session's facilitator and clinicians by role and profession (never by name), and whoever is
answering picks their own line. Each question is five big buttons; pressing a chosen one again
clears it (the question is skipped); "Skip these questions" skips the whole set. The answers are
kept and sent without any name or id (core/facade/staff_experience.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import professions
from groupclinic_desktop.core import staff_experience as questions
from groupclinic_desktop.core.clinic import Clinic, StaffPlace
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.roles import Permission, allows

PRIVACY_WORDS = (
    "Anonymous: only your role and profession are kept with your answers, never your name. "
    "Skip any question you like."
)
STATE_WORDS = {"answered": "✓ answered, thank you", "skipped": "skipped"}


class StaffQuestionsDialog(QDialog):
    """One person's answers. Opened for a place (role and profession known), or for someone
    else who helped, who then says their role and profession."""

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        place: StaffPlace | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.place = place
        self.answers: dict[str, int] = {}
        self.saved_as: str | None = None  # "answered" or "skipped" once done
        self.setWindowTitle("Your view of this clinic")
        self.setMinimumWidth(680)
        layout = QVBoxLayout(self)
        big = self.font()
        if big.pointSizeF() > 0:
            big.setPointSizeF(big.pointSizeF() * 1.15)
        self.setFont(big)

        self.role = QComboBox()
        self.role.setAccessibleName("Answering as: role")
        for key, words in questions.ROLE_WORDS.items():
            self.role.addItem(words, key)
        self.profession = QComboBox()
        self.profession.setAccessibleName("Answering as: profession")
        # A safe default for someone in a hurry: no profession rather than a wrong one.
        self.profession.addItem("Prefer not to say", questions.NOT_RECORDED)
        for key, p in professions.professions().items():
            self.profession.addItem(p.label, key)
        if place is None:
            form = QFormLayout()
            form.addRow("I helped run it as", self.role)
            form.addRow("My profession", self.profession)
            layout.addLayout(form)
        else:
            self.role.setCurrentIndex(max(self.role.findData(place.role), 0))
            index = self.profession.findData(place.profession)
            self.profession.setCurrentIndex(max(index, 0))
            who = QLabel(f"Answering as: <b>{place.words}</b>")
            who.setAccessibleName(f"Answering as {place.words}")
            layout.addWidget(who)
        note = QLabel(PRIVACY_WORDS)
        note.setWordWrap(True)
        note.setStyleSheet("color: #444444;")
        layout.addWidget(note)

        qset = questions.question_set()
        self.groups: dict[str, QButtonGroup] = {}
        self.buttons: dict[str, list[QPushButton]] = {}
        for q in qset.questions:
            text = QLabel(f"<b>{q.text}</b>")
            text.setWordWrap(True)
            text.setContentsMargins(0, 10, 0, 2)
            layout.addWidget(text)
            row = QGridLayout()
            row.setHorizontalSpacing(6)
            group = QButtonGroup(self)
            group.setExclusive(False)  # pressing the chosen answer again clears it
            self.groups[q.key] = group
            self.buttons[q.key] = []
            for value, label in enumerate(qset.labels, start=1):
                button = QPushButton(f"{value}\n{label}")
                button.setCheckable(True)
                button.setMinimumHeight(52)
                button.setAccessibleName(f"{q.short}: {value}, {label}")
                group.addButton(button, value)
                self.buttons[q.key].append(button)
                row.addWidget(button, 0, value - 1)
            group.idClicked.connect(lambda value, key=q.key: self.choose(key, value))
            layout.addLayout(row)

        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem with the answers")
        self.problem.setStyleSheet("color: #B00020; font-weight: bold;")
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.skip_button = QPushButton("Skip these questions")
        self.skip_button.setAccessibleName("Skip all the staff questions")
        self.skip_button.setMinimumHeight(44)
        self.skip_button.clicked.connect(self.skip)
        self.save_button = QPushButton("Save my answers")
        self.save_button.setMinimumHeight(44)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self._show_choices()

    def choose(self, key: str, value: int) -> None:
        """Press an answer: it is chosen; press the chosen one again: the question is skipped."""
        if self.answers.get(key) == value:
            del self.answers[key]
        else:
            self.answers[key] = value
        self._show_choices()

    def _show_choices(self) -> None:
        for key, buttons in self.buttons.items():
            for value, button in enumerate(buttons, start=1):
                button.setChecked(self.answers.get(key) == value)
        self.save_button.setEnabled(bool(self.answers))
        self.save_button.setText(
            "Save my answers" if self.answers else "Save my answers (choose at least one)"
        )

    def _record(self, answers: dict[str, int]) -> bool:
        try:
            job = self.profession.currentData()
            self.clinic.record_staff_experience(
                self.session_id,
                role=str(self.role.currentData()),
                profession=None if job == questions.NOT_RECORDED else str(job),
                answers=answers,
            )
        except ClinicError as exc:
            self.problem.setText(str(exc))
            return False
        return True

    def save(self) -> None:
        if self.answers and self._record(dict(self.answers)):
            self.saved_as = "answered"
            self.accept()

    def skip(self) -> None:
        if self._record({}):
            self.saved_as = "skipped"
            self.accept()


class StaffExperiencePanel(QGroupBox):
    """The wrap-up page's list of who ran the session, each with their own "Answer" button."""

    def __init__(self, clinic: Clinic, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__("How was this clinic for you? Three quick questions for staff", parent)
        self.clinic = clinic
        self.session_id = session_id
        self.setAccessibleName("Staff questions")
        self.setStyleSheet("QGroupBox { font-weight: bold; }")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Each of you who ran it, please answer for yourself: press your own line. "
            + PRIVACY_WORDS
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("font-weight: normal;")
        layout.addWidget(intro)
        self.rows = QGridLayout()
        self.rows.setColumnStretch(0, 1)
        layout.addLayout(self.rows)
        self.thanks = QLabel("")
        self.thanks.setAccessibleName("Staff questions: last saved")
        self.thanks.setStyleSheet("font-weight: normal; color: #1B5E20;")
        layout.addWidget(self.thanks)
        self.answer_buttons: list[QPushButton] = []
        self.places: list[StaffPlace] = []
        self.refresh()

    def wanted(self) -> bool:
        """Shown after the session is finished, to anyone who may run a session."""
        actor = self.clinic.actor
        session = self.clinic.session(self.session_id)
        finished = session.status.value in ("finished", "exported")
        return finished and actor is not None and allows(actor.role, Permission.CHECK_IN)

    def refresh(self) -> None:
        wanted = self.wanted()
        self.setVisible(wanted)
        if not wanted:
            return
        # The signed-in person's own line first: they are the one at the keyboard.
        places = sorted(
            self.clinic.staff_experience_places(self.session_id), key=lambda p: not p.mine
        )
        if places == self.places and self.rows.count():
            return  # unchanged: keep the buttons (and whichever has the focus)
        self.places = places
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.answer_buttons = []
        for row, place in enumerate(self.places):
            # One wide button per person, their words on it: nothing to line up by eye.
            words = place.words + (" (you, signed in)" if place.mine else "")
            if place.state == "waiting":
                button = QPushButton(f"{words}: answer…")
                button.setMinimumHeight(44)
                button.setMinimumWidth(420)
                button.setStyleSheet("text-align: left; padding-left: 12px; font-weight: normal;")
                button.setAccessibleName(f"Answer the staff questions as {place.words}")
                button.clicked.connect(lambda _=False, p=place: self.ask(p))
                self.answer_buttons.append(button)
                self.rows.addWidget(button, row, 0, Qt.AlignmentFlag.AlignLeft)
            else:
                done = QLabel(f"{words}: {STATE_WORDS[place.state].lower()}")
                done.setMinimumHeight(44)
                done.setStyleSheet("font-weight: normal; padding-left: 12px;")
                self.rows.addWidget(done, row, 0, Qt.AlignmentFlag.AlignLeft)
        other = QPushButton("Someone else who helped: answer…")
        other.setAccessibleName("Answer the staff questions as someone else who helped")
        other.setMinimumHeight(44)
        other.setMinimumWidth(420)
        other.setStyleSheet("text-align: left; padding-left: 12px; font-weight: normal;")
        other.clicked.connect(lambda: self.ask(None))
        self.other_button = other
        self.rows.addWidget(other, len(self.places), 0, Qt.AlignmentFlag.AlignLeft)

    def focus_first(self) -> None:
        """Put the keyboard on the first line still waiting (after finishing, say)."""
        if self.answer_buttons:
            self.answer_buttons[0].setFocus()

    def dialog(self, place: StaffPlace | None) -> StaffQuestionsDialog:
        return StaffQuestionsDialog(self.clinic, self.session_id, place, self)

    def ask(self, place: StaffPlace | None) -> None:
        dialog = self.dialog(place)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.done(dialog.saved_as)

    def done(self, saved_as: str | None) -> None:
        self.thanks.setText(
            "Thank you: your answers are saved. Next person, press your own line."
            if saved_as == "answered"
            else "Skipped. Next person, press your own line."
        )
        self.refresh()
        QTimer.singleShot(0, self.focus_first)  # once the dialog has handed the focus back
