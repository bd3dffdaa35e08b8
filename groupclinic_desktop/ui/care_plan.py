"""A person's care and support plan on screen: what matters, goals, actions, support, what to
do if things get worse and the next review. Opened from the goals phase, the one-to-one and the
person's details. Every button is one change through the facade: a new version, audited.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.care_plan import SUPPORT_KINDS, CarePlanView
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import PlanGoalStatus

UID = Qt.ItemDataRole.UserRole
STATUS_WORDS = {
    PlanGoalStatus.ACTIVE: "active",
    PlanGoalStatus.ACHIEVED: "achieved ✓",
    PlanGoalStatus.CHANGED: "changed",
    PlanGoalStatus.STOPPED: "stopped",
}


def _table(headers: tuple[str, ...], name: str, stretch: int = 0) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(False)
    mode = table.horizontalHeader().ResizeMode
    for column in range(len(headers)):
        table.horizontalHeader().setSectionResizeMode(
            column, mode.Stretch if column == stretch else mode.ResizeToContents
        )
    table.setWordWrap(True)
    return table


class CarePlanEditor(QWidget):
    """The plan of one person in one programme, editable in place."""

    def __init__(
        self,
        clinic: Clinic,
        patient_id: int,
        programme_id: int | None = None,
        session_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.patient_id = patient_id
        self.programme_id = programme_id
        self.session_id = session_id
        self.plan: CarePlanView | None = None
        outer = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setAccessibleName("Care plan of")
        outer.addWidget(self.title)
        self.version = QLabel()
        self.version.setAccessibleName("Plan version")
        outer.addWidget(self.version)

        grid = QGridLayout()
        outer.addLayout(grid, 1)

        about = QGroupBox("What matters, and if things get worse")
        form = QFormLayout(about)
        self.what_matters = QLineEdit()
        self.what_matters.setAccessibleName("What matters to them")
        form.addRow("What matters to them", self.what_matters)
        self.if_worse = QLineEdit()
        self.if_worse.setAccessibleName("If things get worse")
        form.addRow("If things get worse", self.if_worse)
        self.next_review = QLineEdit()
        self.next_review.setPlaceholderText("dd/mm/yyyy")
        self.next_review.setAccessibleName("Next review date")
        form.addRow("Next review", self.next_review)
        self.save_about = QPushButton("Save these")
        self.save_about.clicked.connect(self.save_about_fields)
        form.addRow("", self.save_about)
        grid.addWidget(about, 0, 0)

        goals = QGroupBox("Goals")
        goals_layout = QVBoxLayout(goals)
        self.goals = _table(("Goal", "Status", "Review by"), "Goals in the plan")
        goals_layout.addWidget(self.goals)
        buttons = QHBoxLayout()
        self.goal_buttons: dict[PlanGoalStatus, QPushButton] = {}
        for status, text in (
            (PlanGoalStatus.ACHIEVED, "Achieved"),
            (PlanGoalStatus.CHANGED, "Changed"),
            (PlanGoalStatus.STOPPED, "Stopped"),
            (PlanGoalStatus.ACTIVE, "Active again"),
        ):
            button = QPushButton(text)
            button.setAccessibleName(f"Chosen goal: {text}")
            button.clicked.connect(lambda _=False, s=status: self.set_goal_status(s))
            buttons.addWidget(button)
            self.goal_buttons[status] = button
        goals_layout.addLayout(buttons)
        add_goal = QHBoxLayout()
        self.new_goal = QLineEdit()
        self.new_goal.setPlaceholderText("A new goal, in their words")
        self.new_goal.setAccessibleName("New goal")
        self.new_goal_review = QLineEdit()
        self.new_goal_review.setPlaceholderText("review dd/mm/yyyy")
        self.new_goal_review.setMaximumWidth(140)
        self.add_goal_button = QPushButton("Add goal")
        self.add_goal_button.clicked.connect(self.add_goal)
        add_goal.addWidget(self.new_goal, 1)
        add_goal.addWidget(self.new_goal_review)
        add_goal.addWidget(self.add_goal_button)
        goals_layout.addLayout(add_goal)
        grid.addWidget(goals, 0, 1)

        actions = QGroupBox("Agreed actions")
        actions_layout = QVBoxLayout(actions)
        self.actions = _table(("Action", "Who", "By", "Done"), "Agreed actions")
        actions_layout.addWidget(self.actions)
        action_buttons = QHBoxLayout()
        self.done_button = QPushButton("Mark done")
        self.done_button.clicked.connect(lambda: self.set_action_status("done"))
        self.reopen_button = QPushButton("Open again")
        self.reopen_button.clicked.connect(lambda: self.set_action_status("open"))
        action_buttons.addWidget(self.done_button)
        action_buttons.addWidget(self.reopen_button)
        action_buttons.addStretch(1)
        actions_layout.addLayout(action_buttons)
        add_action = QHBoxLayout()
        self.new_action = QLineEdit()
        self.new_action.setPlaceholderText("What will be done")
        self.new_action.setAccessibleName("New action")
        self.new_owner = QLineEdit()
        self.new_owner.setPlaceholderText("who")
        self.new_owner.setMaximumWidth(140)
        self.new_due = QLineEdit()
        self.new_due.setPlaceholderText("by dd/mm/yyyy")
        self.new_due.setMaximumWidth(120)
        self.add_action_button = QPushButton("Add action")
        self.add_action_button.clicked.connect(self.add_action)
        for w in (self.new_action, self.new_owner, self.new_due, self.add_action_button):
            add_action.addWidget(w, 1 if w is self.new_action else 0)
        actions_layout.addLayout(add_action)
        grid.addWidget(actions, 1, 0)

        support = QGroupBox("Support and contacts")
        support_layout = QVBoxLayout(support)
        self.support = _table(
            ("Who", "Kind", "How to reach them"), "Support and contacts", stretch=2
        )
        support_layout.addWidget(self.support)
        add_support = QHBoxLayout()
        self.support_kind = QComboBox()
        for key, words in SUPPORT_KINDS.items():
            self.support_kind.addItem(words, key)
        self.support_name = QLineEdit()
        self.support_name.setPlaceholderText("Name")
        self.support_name.setAccessibleName("Support name")
        self.support_detail = QLineEdit()
        self.support_detail.setPlaceholderText("How to reach them")
        self.add_support_button = QPushButton("Add")
        self.add_support_button.clicked.connect(self.add_support)
        self.remove_support_button = QPushButton("Remove chosen")
        self.remove_support_button.clicked.connect(self.remove_support)
        for w in (self.support_kind, self.support_name, self.support_detail,
                  self.add_support_button, self.remove_support_button):
            add_support.addWidget(w)
        support_layout.addLayout(add_support)
        grid.addWidget(support, 1, 1)
        # The lists need the height; the few lines at the top need little.
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        self.goals.setMinimumHeight(130)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        bottom = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        bottom.addWidget(self.message, 1)
        self.print_button = QPushButton("Print their copy…")
        self.print_button.setAccessibleName("Print the person's own copy, large print")
        self.print_button.clicked.connect(self.print_copy)
        bottom.addWidget(self.print_button)
        outer.addLayout(bottom)
        self.bottom = bottom
        self.refresh()

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        try:
            self.plan = self.clinic.care_plan(self.patient_id, self.programme_id)
        except ClinicError as exc:
            self.message.setText(str(exc))
            self.setEnabled(False)
            return
        plan = self.plan
        self.programme_id = plan.programme_id
        person = self.clinic.patient(self.patient_id)
        self.title.setText(f"Care and support plan: {person.full_name} — {plan.programme_name}")
        if plan.saved:
            when = f"{plan.updated_at:%d %b %Y %H:%M}" if plan.updated_at else ""
            self.version.setText(f"Version {plan.version}, changed {when} by {plan.updated_by}")
        else:
            self.version.setText("Built from the sessions so far; the first change saves it.")
        self.what_matters.setText(plan.what_matters)
        self.if_worse.setText(plan.if_worse)
        for box in (self.what_matters, self.if_worse):
            box.setCursorPosition(0)  # show the start of a long sentence, not its end
        self.next_review.setText(f"{plan.next_review:%d/%m/%Y}" if plan.next_review else "")
        self.goals.setRowCount(len(plan.goals))
        for r, g in enumerate(plan.goals):
            cells = (g.text, STATUS_WORDS[g.status],
                     f"{g.review_date:%d/%m/%Y}" if g.review_date else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(UID, g.uid)
                self.goals.setItem(r, c, item)
        self.actions.setRowCount(len(plan.actions))
        for r, a in enumerate(plan.actions):
            cells = (a.text, a.owner, f"{a.due:%d/%m/%Y}" if a.due else "", "✓" if a.done else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(UID, a.uid)
                self.actions.setItem(r, c, item)
        self.support.setRowCount(len(plan.support))
        for r, x in enumerate(plan.support):
            for c, text in enumerate((x.name, x.kind_words, x.detail)):
                item = QTableWidgetItem(text)
                item.setData(UID, x.uid)
                self.support.setItem(r, c, item)
        for table in (self.goals, self.actions, self.support):
            table.resizeRowsToContents()

    # ---------------------------------------------------------------- changing

    def _do(self, what: str, change: object) -> bool:
        try:
            change()  # type: ignore[operator]
        except ClinicError as exc:
            self.message.setText(f"Not saved: {exc}")
            return False
        self.refresh()
        self.message.setText(f"Saved: {what}.")
        return True

    def _where(self) -> dict[str, int | None]:
        return {"programme_id": self.programme_id, "session_id": self.session_id}

    def save_about_fields(self) -> None:
        self._do("what matters, if things get worse, next review", lambda: (
            self.clinic.update_care_plan(
                self.patient_id, what_matters=self.what_matters.text(),
                if_worse=self.if_worse.text(), next_review=self.next_review.text(),
                **self._where(),
            )
        ))

    @staticmethod
    def _chosen(table: QTableWidget) -> str | None:
        item = table.item(table.currentRow(), 0) if table.currentRow() >= 0 else None
        return str(item.data(UID)) if item else None

    def set_goal_status(self, status: PlanGoalStatus) -> None:
        uid = self._chosen(self.goals)
        if uid is None:
            self.message.setText("Choose a goal first.")
            return
        self._do(f"goal {status.value}", lambda: self.clinic.set_plan_goal_status(
            self.patient_id, uid, status, **self._where()))

    def add_goal(self) -> None:
        if self._do("goal added", lambda: self.clinic.add_plan_goal(
            self.patient_id, self.new_goal.text(), review_date=self.new_goal_review.text(),
            **self._where(),
        )):
            self.new_goal.clear()
            self.new_goal_review.clear()

    def set_action_status(self, status: str) -> None:
        uid = self._chosen(self.actions)
        if uid is None:
            self.message.setText("Choose an action first.")
            return
        self._do(f"action {status}", lambda: self.clinic.set_plan_action_status(
            self.patient_id, uid, status, **self._where()))

    def add_action(self) -> None:
        if self._do("action added", lambda: self.clinic.add_plan_action(
            self.patient_id, self.new_action.text(), owner=self.new_owner.text(),
            due=self.new_due.text(), **self._where(),
        )):
            for box in (self.new_action, self.new_owner, self.new_due):
                box.clear()

    def add_support(self) -> None:
        if self._do("support added", lambda: self.clinic.add_plan_support(
            self.patient_id, str(self.support_kind.currentData()), self.support_name.text(),
            detail=self.support_detail.text(), **self._where(),
        )):
            self.support_name.clear()
            self.support_detail.clear()

    def remove_support(self) -> None:
        uid = self._chosen(self.support)
        if uid is None:
            self.message.setText("Choose who to remove first.")
            return
        self._do("support removed", lambda: self.clinic.remove_plan_support(
            self.patient_id, uid, **self._where()))

    def print_copy(self, path: Path | None = None) -> Path | None:
        """The person's own copy (large print, their language) as a PDF."""
        from groupclinic_desktop.export.care_plan_pdf import plan_pdf

        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save their copy of the plan", "care-plan.pdf", "PDF (*.pdf)"
            )
            if not chosen:
                return None
            path = Path(chosen)
        try:
            written = plan_pdf(self.clinic, self.patient_id, path,
                               programme_id=self.programme_id)
        except (ClinicError, OSError) as exc:
            self.message.setText(f"Not printed: {exc}")
            return None
        self.message.setText(f"Their copy is ready: {written}")
        return written


class CarePlanDialog(QDialog):
    def __init__(
        self,
        clinic: Clinic,
        patient_id: int,
        programme_id: int | None = None,
        session_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Care and support plan")
        layout = QVBoxLayout(self)
        self.view = CarePlanEditor(clinic, patient_id, programme_id, session_id, self)
        layout.addWidget(self.view)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.view.bottom.addWidget(close)
        self.resize(1300, 720)


def open_care_plan(
    clinic: Clinic,
    patient_id: int | None,
    parent: QWidget,
    *,
    programme_id: int | None = None,
    session_id: int | None = None,
) -> CarePlanDialog | None:
    """Open the person's plan (non-modal, so the session page stays usable behind it)."""
    if patient_id is None:
        return None
    dialog = CarePlanDialog(clinic, patient_id, programme_id, session_id, parent)
    dialog.setModal(False)
    dialog.show()
    return dialog
