"""Goal setting: each person's goal in their own words, what matters to them, their confidence
(0-10) and when to review it; and the outcome of the goal they set last time.

Saved as it changes. A goal needs its words and a confidence the person gave; until both are
there the page says what is missing instead of saving a half goal.
"""

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.joining import remote_name
from groupclinic_desktop.core.schema import Goal, GoalOutcome, SessionStatus
from groupclinic_desktop.ui.community import signpost_person
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.widgets import (
    AutoSaveLineEdit,
    AutoSaveTextEdit,
    ConfidenceScale,
    SavedIndicator,
    heading,
)

ID_ROLE = Qt.ItemDataRole.UserRole
CLOSED = (SessionStatus.FINISHED, SessionStatus.EXPORTED, SessionStatus.CANCELLED)
# With no next session planned, review the goal in four weeks.
DEFAULT_REVIEW_DAYS = 28
OUTCOME_BUTTONS = (
    (GoalOutcome.ACHIEVED, "Achieved"),
    (GoalOutcome.PARTLY, "Partly"),
    (GoalOutcome.NOT_YET, "Not yet"),
    (GoalOutcome.CHANGED, "Changed"),
)


class GoalsPage(PhasePage):
    phase_key = "goals"

    def concerns(self, changes: ChangeSet) -> bool:
        """Refresh rule: who came (the list of people to set goals with)."""
        return changes.touches({"attendance"}, session_id=self.session_id)

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(clinic, session_id, bus, parent)
        self.patient_id: int | None = None
        self._previous: Goal | None = None
        self._loading = False

        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(heading("Who is setting a goal"))
        self.people = QListWidget()
        self.people.setAccessibleName("People present: choose who is setting a goal")
        self.people.setMaximumWidth(300)
        self.people.setStyleSheet("QListWidget::item { padding: 6px 2px; }")
        self.people.currentItemChanged.connect(self._person_chosen)
        left.addWidget(self.people, 1)
        outer.addLayout(left)

        right = QVBoxLayout()
        self.name_label = heading("Choose a person", 1.4)
        self.name_label.setAccessibleName("Person setting a goal")
        right.addWidget(self.name_label)

        self.previous_box = QGroupBox("Last time's goal")
        previous = QVBoxLayout(self.previous_box)
        self.previous_text = QLabel("")
        self.previous_text.setWordWrap(True)
        self.previous_text.setAccessibleName("Last time's goal")
        previous.addWidget(self.previous_text)
        outcome_line = QHBoxLayout()
        outcome_line.addWidget(QLabel("How did it go?"))
        self.outcome_group = QButtonGroup(self)
        self.outcome_group.setExclusive(True)
        self.outcome_buttons: dict[GoalOutcome, QPushButton] = {}
        for outcome, text in OUTCOME_BUTTONS:
            button = QPushButton(text)
            button.setCheckable(True)
            button.setAccessibleName(f"Last time's goal: {text}")
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _=False, o=outcome: self.record_outcome(o))
            self.outcome_group.addButton(button)
            outcome_line.addWidget(button)
            self.outcome_buttons[outcome] = button
        outcome_line.addStretch(1)
        previous.addLayout(outcome_line)
        self.outcome_said = QLabel("")
        self.outcome_said.setAccessibleName("Outcome recorded")
        previous.addWidget(self.outcome_said)
        right.addWidget(self.previous_box)

        self.form = QGroupBox("This time's goal")
        form = QFormLayout(self.form)
        self.goal_text = AutoSaveTextEdit(
            "Goal in their own words", "Their goal, in their own words"
        )
        self.goal_text.setMaximumHeight(90)
        self.goal_text.save_requested.connect(lambda _t: self.save())
        form.addRow("Goal (their words)", self.goal_text)
        self.what_matters = AutoSaveLineEdit(
            "What matters to them", "Why this matters to them (optional)"
        )
        self.what_matters.save_requested.connect(lambda _t: self.save())
        form.addRow("What matters to them", self.what_matters)
        self.confidence = ConfidenceScale("Confidence")
        self.confidence.value_changed.connect(lambda _v: self.save())
        form.addRow("How confident (0-10)", self.confidence)
        self.review_date = QDateEdit()
        self.review_date.setCalendarPopup(True)
        self.review_date.setDisplayFormat("dd/MM/yyyy")
        self.review_date.setAccessibleName("Review date")
        self.review_date.dateChanged.connect(lambda _d: self.save())
        form.addRow("Review on", self.review_date)
        self.review_hint = QLabel("")
        form.addRow("", self.review_hint)
        right.addWidget(self.form)

        bottom = QHBoxLayout()
        self.status = SavedIndicator()
        bottom.addWidget(self.status, 1)
        self.signpost_button = QPushButton("Signpost…")
        self.signpost_button.setAccessibleName("Signpost or refer this person to local support")
        self.signpost_button.clicked.connect(self.signpost)
        bottom.addWidget(self.signpost_button)
        self.plan_button = QPushButton("Care plan…")
        self.plan_button.setAccessibleName("Open this person's care and support plan")
        self.plan_button.clicked.connect(self.open_plan)
        bottom.addWidget(self.plan_button)
        self.next_button = QPushButton("Next person ▶")
        self.next_button.setAccessibleName("Next person")
        self.next_button.setMinimumHeight(40)
        self.next_button.clicked.connect(self.next_person)
        bottom.addWidget(self.next_button)
        right.addStretch(1)
        right.addLayout(bottom)
        outer.addLayout(right, 1)

        session = clinic.session(session_id)
        following = clinic.next_session(session_id)
        if following is not None:
            self.default_review = following.day
            self.review_hint.setText(f"Default: the next session, {following.day:%a %d %b %Y}")
        else:
            self.default_review = session.day + timedelta(days=DEFAULT_REVIEW_DAYS)
            self.review_hint.setText("Default: four weeks on (no next session is planned yet)")
        self.refresh()

    # ----------------------------------------------------------------- the list of people

    def refresh(self) -> None:
        if self.patient_id is not None:  # what is being typed is saved, not overwritten
            self.goal_text.flush()
            self.what_matters.flush()
        present = [e for e in self.clinic.roster(self.session_id) if e.attendance.status.present]
        goals = {g.patient_id: g for g in self.clinic.goals(session_id=self.session_id)}
        keep = self.patient_id
        ids = [e.patient.id for e in present]
        self._loading = True
        try:
            # The same people keep their items: showing the page again lays nothing out again.
            listed = [self.people.item(r).data(ID_ROLE) for r in range(self.people.count())]
            if listed != ids:
                self.people.clear()
                for entry in present:
                    item = QListWidgetItem()
                    item.setData(ID_ROLE, entry.patient.id)
                    self.people.addItem(item)
            for row, entry in enumerate(present):
                item = self.people.item(row)
                name = remote_name(entry.patient.full_name, entry.attendance)
                self._label(item, name, entry.patient.id in goals)
        finally:
            self._loading = False
        target = keep if keep in ids else (ids[0] if ids else None)
        self.patient_id = None
        if target is not None:
            # Chosen quietly: the person is loaded once, just below.
            self._loading = True
            try:
                self.people.setCurrentRow(ids.index(target))
            finally:
                self._loading = False
        self._show(target)
        closed = self.clinic.session(self.session_id).status in CLOSED
        self.form.setEnabled(target is not None and not closed)
        self.next_button.setEnabled(target is not None)
        if closed:
            self.status.pending("this session is finished; correct a goal from Wrap-up.")

    @staticmethod
    def _label(item: QListWidgetItem, name: str, has_goal: bool) -> None:
        mark = "✓ Goal set" if has_goal else "○ No goal yet"
        item.setText(f"{name}\n   {mark}")
        item.setData(ID_ROLE + 1, name)

    def _person_chosen(self, current: QListWidgetItem | None, _previous: object) -> None:
        if self._loading or current is None:
            return
        pid = int(current.data(ID_ROLE))
        if pid != self.patient_id:
            self._show(pid)

    # ----------------------------------------------------------------- one person

    def _show(self, patient_id: int | None) -> None:
        # Save anything still being typed for the person we are leaving.
        if self.patient_id is not None:
            self.goal_text.flush()
            self.what_matters.flush()
        self.patient_id = patient_id
        self._loading = True
        try:
            if patient_id is None:
                self.name_label.setText("No one is checked in yet")
                self.previous_box.setVisible(False)
                return
            patient = self.clinic.patient(patient_id)
            self.name_label.setText(patient.full_name)
            goal = next(
                iter(self.clinic.goals(session_id=self.session_id, patient_id=patient_id)), None
            )
            # Text set again only when it differs: setting it lays the box out again.
            if self.goal_text.toPlainText() != (goal.text if goal else ""):
                self.goal_text.set_text_quietly(goal.text if goal else "")
            if self.what_matters.text() != (goal.what_matters if goal else ""):
                self.what_matters.set_text_quietly(goal.what_matters if goal else "")
            self.confidence.set_value_quietly(goal.confidence if goal else None)
            review = goal.review_date if goal and goal.review_date else self.default_review
            self.review_date.setDate(QDate(review.year, review.month, review.day))
            self._show_previous(self.clinic.previous_goal(self.session_id, patient_id))
        finally:
            self._loading = False

    def _show_previous(self, goal: Goal | None) -> None:
        self._previous = goal
        self.previous_box.setVisible(goal is not None)
        if goal is None:
            return
        # The day of the session it was set in: created_at is when it was typed, not the clinic.
        when = self.clinic.session(goal.session_id).day.strftime("%d %b %Y")
        matters = f" — what matters: {goal.what_matters}" if goal.what_matters else ""
        self.previous_text.setText(
            f"“{goal.text}” (set {when}, confidence {goal.confidence}/10){matters}"
        )
        self.outcome_group.setExclusive(False)
        for outcome, button in self.outcome_buttons.items():
            button.setChecked(goal.outcome == outcome)
        self.outcome_group.setExclusive(True)
        self._say_outcome(goal.outcome)

    def _say_outcome(self, outcome: GoalOutcome | None) -> None:
        words = dict(OUTCOME_BUTTONS)
        self.outcome_said.setText(
            f"Recorded: {words[outcome]}" if outcome else "No outcome recorded yet."
        )

    # ----------------------------------------------------------------- saving

    def record_outcome(self, outcome: GoalOutcome) -> None:
        if self._previous is None or self._previous.id is None:
            return
        try:
            self._previous = self.clinic.record_goal_outcome(self._previous.id, outcome)
        except ClinicError as exc:
            self.status.failed(str(exc))
            return
        self._say_outcome(outcome)
        self.status.saved("last time's outcome")

    def review_day(self) -> date:
        return self.review_date.date().toPython()  # type: ignore[no-any-return]

    def save(self) -> bool:
        if self._loading or self.patient_id is None:
            return False
        text = self.goal_text.toPlainText().strip()
        confidence = self.confidence.value()
        if not text:
            self.status.pending("type the goal in their own words.")
            return False
        if confidence is None:
            self.status.pending("ask how confident they are, from 0 to 10.")
            return False
        try:
            self.clinic.set_goal(
                self.session_id,
                self.patient_id,
                text,
                confidence=confidence,
                what_matters=self.what_matters.text(),
                review_date=self.review_day(),
            )
        except ClinicError as exc:
            self.status.failed(str(exc))
            return False
        self.status.saved("the goal")
        item = self.people.currentItem()
        if item is not None and int(item.data(ID_ROLE)) == self.patient_id:
            self._label(item, str(item.data(ID_ROLE + 1)), True)
        return True

    def signpost(self) -> None:
        signpost_person(self.clinic, self.session_id, self.patient_id, self)

    def open_plan(self) -> None:
        """The person's plan, opened at this session: last time's goals and this one's are in."""
        from groupclinic_desktop.ui.care_plan import open_care_plan

        self.goal_text.flush()
        self.what_matters.flush()
        self.plan_dialog = open_care_plan(
            self.clinic, self.patient_id, self, session_id=self.session_id,
            programme_id=self.clinic.session(self.session_id).programme_id,
        )
        if self.plan_dialog is not None:
            # A goal typed while the plan is open shows in it at once.
            view, pid = self.plan_dialog.view, self.patient_id
            self.bus.changes.connect(
                lambda ch: view.refresh() if "goal" in ch.kinds and pid in ch.patients else None
            )

    def next_person(self) -> None:
        self.goal_text.flush()
        self.what_matters.flush()
        row = self.people.currentRow()
        if row + 1 < self.people.count():
            self.people.setCurrentRow(row + 1)
            self.goal_text.setFocus()
        else:
            self.status.saved("— that was the last person")
