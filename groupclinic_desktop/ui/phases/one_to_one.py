"""One-to-one reviews: the clinician's queue and the review of the person in front of the group.

Every field saves itself (on a pause in typing, on leaving it, on a tick), together with the time
spent so far; "Next person" saves, marks the person done and moves on. A facilitator documents
only on behalf of a named clinician of the session, and the review records both.
"""

import html
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import targets
from groupclinic_desktop.core.catalogue import Status, catalogue
from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.joining import remote_name
from groupclinic_desktop.core.professions import name_with_profession
from groupclinic_desktop.core.schema import (
    GoalOutcome,
    Measurement,
    Patient,
    Review,
    Role,
    SessionStatus,
)
from groupclinic_desktop.core.validation import age_on
from groupclinic_desktop.resources import resource
from groupclinic_desktop.ui.community import signpost_person
from groupclinic_desktop.ui.measurement_fix import voided_html
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.progress import ProgressView
from groupclinic_desktop.ui.widgets import (
    AutoSaveLineEdit,
    AutoSaveTextEdit,
    SavedIndicator,
    heading,
)

ID_ROLE = Qt.ItemDataRole.UserRole
CLOSED = (SessionStatus.FINISHED, SessionStatus.EXPORTED, SessionStatus.CANCELLED)
STATUS_WORDS = {
    Status.ON_TARGET: "On target",
    Status.CLOSE: "Close to target",
    Status.OFF_TARGET: "Off target",
    Status.NO_TARGET: "No target set",
}
OUTCOME_WORDS = {
    GoalOutcome.ACHIEVED: "achieved",
    GoalOutcome.PARTLY: "partly achieved",
    GoalOutcome.NOT_YET: "not yet",
    GoalOutcome.CHANGED: "changed",
}
MEDICATION_ACTIONS = (("start", "Start"), ("stop", "Stop"), ("change_dose", "Change dose"))
SPARKS = "▁▂▃▄▅▆▇█"
TREND_POINTS = 6


@cache
def safety_netting_phrases() -> tuple[tuple[str, str], ...]:
    """(label, text) pairs from resources/safety_netting.toml, for the quick-insert buttons."""
    with resource("safety_netting.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return tuple((str(p["label"]), str(p["text"])) for p in data.get("phrases", []))


@dataclass(frozen=True)
class NumberLine:
    """One row of "their numbers": the latest value, its date, change and status in words."""

    label: str
    latest: str
    taken: str
    change: str
    status: str
    trend: str
    trend_said: str


def number_lines(
    patient: Patient,
    keys: list[str],
    history: list[Measurement],
    personal: Mapping[str, targets.PersonalLevel],
    today: date,
    programme: Mapping[str, Any] | None = None,
) -> list[NumberLine]:
    """The person's numbers for the programme's measurements, oldest history first in `history`."""
    cat = catalogue()
    lines: list[NumberLine] = []
    person = targets.Person.on(
        today,
        born=patient.date_of_birth,
        sex=patient.sex,
        hypo_risk=patient.hypo_risk,
        personal=personal,
    )
    for key in keys:
        if key not in cat:
            continue
        mtype = cat.get(key)
        values = [m for m in history if m.type_key == key]
        if not values:
            lines.append(NumberLine(mtype.label, "none yet", "", "", "", "", "no values"))
            continue
        latest = values[-1]
        change = ""
        if len(values) > 1:
            diff = latest.value - values[-2].value
            sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
            change = f"{sign}{abs(diff):.{mtype.decimals}f} since {values[-2].taken_at:%b %Y}"
        # The board's rule, for the person on the day the value was taken.
        status = targets.status_of(
            mtype, latest.value, person.as_on(latest.taken_at.date()), programme
        )
        recent = [m.value for m in values[-TREND_POINTS:]]
        lines.append(
            NumberLine(
                label=mtype.label,
                latest=mtype.show(latest.value),
                taken=f"{latest.taken_at:%d %b %Y}",
                change=change,
                status=STATUS_WORDS[status],
                trend=sparkline(recent) if len(recent) > 1 else "",
                trend_said=", ".join(f"{v:g}" for v in recent),
            )
        )
    return lines


def sparkline(values: list[float]) -> str:
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    span = high - low
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


class MedicationRow(QWidget):
    """Start, stop or change the dose of one drug; drug and dose are free text."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.action = QComboBox()
        for key, text in MEDICATION_ACTIONS:
            self.action.addItem(text, key)
        self.action.setAccessibleName(f"Medication change {number}: start, stop or change dose")
        self.drug = AutoSaveLineEdit(f"Medication change {number}: drug", "Drug name")
        self.dose = AutoSaveLineEdit(f"Medication change {number}: dose", "Dose, e.g. 500 mg bd")
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName(f"Remove medication change {number}")
        layout.addWidget(self.action)
        layout.addWidget(self.drug, 2)
        layout.addWidget(self.dose, 2)
        layout.addWidget(self.remove)
        self.action.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.drug.save_requested.connect(lambda _t: self.changed.emit())
        self.dose.save_requested.connect(lambda _t: self.changed.emit())
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

    def load(self, item: dict[str, Any]) -> None:
        self.action.blockSignals(True)
        index = self.action.findData(item.get("action", "start"))
        self.action.setCurrentIndex(max(0, index))
        self.action.blockSignals(False)
        self.drug.set_text_quietly(str(item.get("drug", "")))
        self.dose.set_text_quietly(str(item.get("dose", "")))

    def value(self) -> dict[str, str]:
        return {
            "action": str(self.action.currentData()),
            "drug": self.drug.text().strip(),
            "dose": self.dose.text().strip(),
        }

    def flush(self) -> None:
        self.drug.flush()
        self.dose.flush()


class ActionRow(QWidget):
    """A follow-up action: what, who does it, and by when (a UK date, optional)."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = AutoSaveLineEdit(f"Follow-up action {number}: what", "What needs doing")
        self.owner = AutoSaveLineEdit(f"Follow-up action {number}: owner", "Who (owner)")
        self.due = AutoSaveLineEdit(f"Follow-up action {number}: due date", "Due dd/mm/yyyy")
        self.due.setMaximumWidth(150)
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName(f"Remove follow-up action {number}")
        layout.addWidget(self.text, 3)
        layout.addWidget(self.owner, 1)
        layout.addWidget(self.due, 1)
        layout.addWidget(self.remove)
        for field in (self.text, self.owner, self.due):
            field.save_requested.connect(lambda _t: self.changed.emit())
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

    def load(self, item: dict[str, Any]) -> None:
        self.text.set_text_quietly(str(item.get("text", "")))
        self.owner.set_text_quietly(str(item.get("owner") or ""))
        due = item.get("due")
        self.due.set_text_quietly(date.fromisoformat(due).strftime("%d/%m/%Y") if due else "")

    def value(self) -> dict[str, str]:
        return {
            "text": self.text.text().strip(),
            "owner": self.owner.text().strip(),
            "due": self.due.text().strip(),
        }

    def flush(self) -> None:
        for field in (self.text, self.owner, self.due):
            field.flush()


class RowList(QWidget):
    """A growing list of rows (medication changes or actions) with an Add button."""

    changed = Signal()

    def __init__(self, make_row: Callable[[int], Any], add_text: str) -> None:
        super().__init__()
        self._make_row = make_row
        self.rows: list[Any] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._rows_box = QVBoxLayout()
        layout.addLayout(self._rows_box)
        self.add_button = QPushButton(add_text)
        self.add_button.setAccessibleName(add_text)
        self.add_button.clicked.connect(self.add_row)
        add_line = QHBoxLayout()
        add_line.addWidget(self.add_button)
        add_line.addStretch(1)
        layout.addLayout(add_line)

    def add_row(self, item: dict[str, Any] | None = None) -> Any:
        row = self._make_row(len(self.rows) + 1)
        if item:
            row.load(item)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove)
        self.rows.append(row)
        self._rows_box.addWidget(row)
        if not item:
            first = getattr(row, "drug", None) or getattr(row, "text", None)
            if first is not None:
                first.setFocus()
        return row

    def load(self, items: list[dict[str, Any]]) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for item in items:
            self.add_row(item)

    def values(self) -> list[dict[str, str]]:
        return [row.value() for row in self.rows]

    def flush(self) -> None:
        for row in self.rows:
            row.flush()

    def _remove(self, row: Any) -> None:
        self.rows.remove(row)
        row.deleteLater()
        self.changed.emit()


class OneToOnePage(PhasePage):
    phase_key = "one_to_ones"

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        bus: SessionBus,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(clinic, session_id, bus, parent)
        self.today = today or date.today()
        session = clinic.session(session_id)
        snapshot = session.programme_snapshot or {}
        self.programme: dict[str, Any] = dict(snapshot)  # its targets, for the board's rule
        self.board_keys: list[str] = list(snapshot.get("measurements", []))
        self.pick_list: list[dict[str, Any]] = list(snapshot.get("coded_findings", []))
        self.patient_id: int | None = None
        self.seconds = 0
        self._saved_seconds = 0
        self._loading = False
        self._done: list[int] = []

        outer = QHBoxLayout(self)

        # --- the queue
        left = QVBoxLayout()
        left.addWidget(heading("Queue"))
        self.queue = QListWidget()
        self.queue.setAccessibleName("Review queue: people present, in review order")
        self.queue.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.queue.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.queue.setMaximumWidth(300)
        # A red flag's words wrap in the narrow queue instead of running off to the right.
        self.queue.setWordWrap(True)
        self.queue.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.queue.setStyleSheet("QListWidget::item { padding: 6px 2px; }")
        self.queue.currentItemChanged.connect(self._queue_selected)
        self.queue.model().rowsMoved.connect(lambda *_: self._save_queue())
        left.addWidget(self.queue, 1)
        moves = QHBoxLayout()
        self.up_button = QPushButton("Move up")
        self.up_button.setAccessibleName("Move up the queue")
        self.up_button.setToolTip("Alt+Up")
        self.up_button.setShortcut(QKeySequence("Alt+Up"))
        self.down_button = QPushButton("Move down")
        self.down_button.setAccessibleName("Move down the queue")
        self.down_button.setToolTip("Alt+Down")
        self.down_button.setShortcut(QKeySequence("Alt+Down"))
        self.up_button.clicked.connect(lambda: self.move_in_queue(-1))
        self.down_button.clicked.connect(lambda: self.move_in_queue(1))
        moves.addWidget(self.up_button)
        moves.addWidget(self.down_button)
        left.addLayout(moves)
        self.done_box = QCheckBox("Done")
        self.done_box.setAccessibleName("Review done for the selected person")
        self.done_box.toggled.connect(self._done_toggled)
        left.addWidget(self.done_box)
        outer.addLayout(left)

        # --- the review panel
        right = QVBoxLayout()
        top = QHBoxLayout()
        self.name_label = heading("Choose a person from the queue", 1.4)
        self.name_label.setAccessibleName("Person under review")
        self.timer_label = QLabel("Time 00:00")
        self.timer_label.setAccessibleName("Time spent on this review")
        timer_font = self.timer_label.font()
        timer_font.setBold(True)
        if timer_font.pointSizeF() > 0:
            timer_font.setPointSizeF(timer_font.pointSizeF() * 1.3)
        self.timer_label.setFont(timer_font)
        top.addWidget(self.name_label, 1)
        self.progress_button = QPushButton("Progress over time…")
        self.progress_button.setAccessibleName("Show this person's progress across the programme")
        self.progress_button.clicked.connect(self.show_progress)
        top.addWidget(self.progress_button)
        self.signpost_button = QPushButton("Signpost…")
        self.signpost_button.setAccessibleName("Signpost or refer this person to local support")
        self.signpost_button.clicked.connect(self.signpost)
        top.addWidget(self.signpost_button)
        self.plan_button = QPushButton("Care plan…")
        self.plan_button.setAccessibleName("Open this person's care and support plan")
        self.plan_button.clicked.connect(self.open_plan)
        top.addWidget(self.plan_button)
        top.addWidget(self.timer_label)
        right.addLayout(top)

        self.on_behalf = QComboBox()
        self.on_behalf.setAccessibleName("Documenting on behalf of (clinician)")
        self.on_behalf.addItem("Choose the clinician…", None)

        for clinician in clinic.session_clinicians(session_id):
            self.on_behalf.addItem(name_with_profession(clinician), clinician.id)
        self.on_behalf.currentIndexChanged.connect(self._on_behalf_changed)
        self.on_behalf_row = QWidget()
        behalf_line = QHBoxLayout(self.on_behalf_row)
        behalf_line.setContentsMargins(0, 0, 0, 0)
        behalf_line.addWidget(QLabel("You are a facilitator: documenting on behalf of"))
        behalf_line.addWidget(self.on_behalf)
        behalf_line.addStretch(1)
        right.addWidget(self.on_behalf_row)

        self.form = QWidget()
        form = QVBoxLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        facts = QHBoxLayout()
        numbers_box = QGroupBox("Their numbers")
        numbers_layout = QVBoxLayout(numbers_box)
        self.numbers = QTableWidget(0, 6)
        self.numbers.setAccessibleName("Their numbers: latest value, date, change and status")
        self.numbers.setHorizontalHeaderLabels(
            ["Measurement", "Latest", "Taken", "Change", "Status", "Trend"]
        )
        self.numbers.verticalHeader().setVisible(False)
        self.numbers.verticalHeader().setDefaultSectionSize(26)
        self.numbers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.numbers.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.numbers.horizontalHeader().setStretchLastSection(True)
        numbers_layout.addWidget(self.numbers)
        # Values voided as mistakes stay visible to staff, struck through with their reason.
        self.voided = QLabel("")
        self.voided.setWordWrap(True)
        self.voided.setTextFormat(Qt.TextFormat.RichText)
        self.voided.setAccessibleName("Voided values and why")
        numbers_layout.addWidget(self.voided)
        facts.addWidget(numbers_box, 3)
        side = QVBoxLayout()
        goal_box = QGroupBox("Last goal")
        goal_layout = QVBoxLayout(goal_box)
        self.last_goal = QLabel("")
        self.last_goal.setWordWrap(True)
        self.last_goal.setAccessibleName("Last goal and its outcome")
        self.last_goal.setMinimumHeight(64)
        self.last_goal.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        goal_layout.addWidget(self.last_goal)
        side.addWidget(goal_box)
        findings_box = QGroupBox("Coded findings")
        findings_layout = QGridLayout(findings_box)
        self.finding_boxes: list[tuple[QCheckBox, dict[str, Any]]] = []
        for index, finding in enumerate(self.pick_list):
            code = finding.get("code") if finding.get("confirmed") else ""
            text = f"{finding['term']}" + (f" (SNOMED {code})" if code else " (no code yet)")
            box = QCheckBox(text)
            box.setAccessibleName(f"Coded finding: {finding['term']}")
            box.toggled.connect(lambda _on: self._save(findings=self._findings()))
            findings_layout.addWidget(box, index, 0)
            self.finding_boxes.append((box, finding))
        side.addWidget(findings_box)
        facts.addLayout(side, 2)
        form.addLayout(facts)

        texts = QHBoxLayout()
        notes_box = QVBoxLayout()
        notes_box.addWidget(QLabel("Notes"))
        self.notes = AutoSaveTextEdit("Review notes", "What was discussed and found")
        self.notes.save_requested.connect(lambda text: self._save(notes=text))
        self.notes.setMinimumHeight(90)
        self.notes.setMaximumHeight(150)
        notes_box.addWidget(self.notes)
        notes_box.addStretch(1)
        texts.addLayout(notes_box, 1)
        safety_box = QVBoxLayout()
        safety_box.addWidget(QLabel("Safety-netting advice"))
        self.safety = AutoSaveTextEdit("Safety-netting advice", "What to look out for, and when")
        self.safety.save_requested.connect(lambda text: self._save(safety_netting=text))
        self.safety.setMinimumHeight(90)
        self.safety.setMaximumHeight(150)
        safety_box.addWidget(self.safety)
        self.phrase_buttons: list[QPushButton] = []
        for label, text in safety_netting_phrases():
            button = QPushButton(f"+ {label}")
            button.setAccessibleName(f"Insert safety-netting phrase: {label}")
            button.setToolTip(text)
            button.clicked.connect(lambda _=False, t=text: self.insert_phrase(t))
            self.phrase_buttons.append(button)
        phrase_grid = QGridLayout()
        for index, button in enumerate(self.phrase_buttons):
            phrase_grid.addWidget(button, index // 3, index % 3)
        phrases_holder = QWidget()
        phrases_holder.setLayout(phrase_grid)
        safety_box.addWidget(phrases_holder)
        texts.addLayout(safety_box, 1)
        form.addLayout(texts)

        meds_box = QGroupBox("Medication changes")
        meds_layout = QVBoxLayout(meds_box)
        self.medications = RowList(MedicationRow, "Add medication change")
        self.medications.changed.connect(
            lambda: self._save_rows("medication_changes", self.medications)
        )
        meds_layout.addWidget(self.medications)
        form.addWidget(meds_box)
        actions_box = QGroupBox("Follow-up actions")
        actions_layout = QVBoxLayout(actions_box)
        self.actions = RowList(ActionRow, "Add follow-up action")
        self.actions.changed.connect(lambda: self._save_rows("actions", self.actions))
        actions_layout.addWidget(self.actions)
        form.addWidget(actions_box)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        right.addWidget(scroll, 1)
        # Each professional writes their own review; what colleagues wrote for this person
        # today is shown here, read-only, outside the form so it stays readable when locked.
        self.colleagues_box = QGroupBox("Colleagues' reviews today (read-only)")
        colleagues_layout = QVBoxLayout(self.colleagues_box)
        self.colleagues = QLabel("")
        self.colleagues.setWordWrap(True)
        self.colleagues.setTextFormat(Qt.TextFormat.RichText)
        self.colleagues.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.colleagues.setAccessibleName("What colleagues wrote for this person today")
        colleagues_scroll = QScrollArea()
        colleagues_scroll.setWidgetResizable(True)
        colleagues_scroll.setFrameShape(QFrame.Shape.NoFrame)
        colleagues_scroll.setWidget(self.colleagues)
        colleagues_scroll.setMaximumHeight(170)
        colleagues_layout.addWidget(colleagues_scroll)
        right.addWidget(self.colleagues_box)

        bottom = QHBoxLayout()
        self.status = SavedIndicator()
        bottom.addWidget(self.status, 1)
        self.next_button = QPushButton("Next person ▶")
        self.next_button.setAccessibleName("Next person: save, mark done and move on")
        self.next_button.setToolTip("Ctrl+Enter")
        self.next_button.setMinimumHeight(40)
        self.next_button.clicked.connect(self.next_person)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.next_person)
        bottom.addWidget(self.next_button)
        right.addLayout(bottom)
        outer.addLayout(right, 1)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        self.refresh()

    # ----------------------------------------------------------------- who is documenting

    @property
    def is_facilitator(self) -> bool:
        actor = self.clinic.actor
        return actor is not None and actor.role == Role.FACILITATOR

    def _on_behalf_id(self) -> int | None:
        return self.on_behalf.currentData() if self.is_facilitator else None

    def _author_id(self) -> int | None:
        """Whose review this page edits: the signed-in clinician's, or the one a facilitator
        documents for."""
        if self.is_facilitator:
            return self._on_behalf_id()
        actor = self.clinic.actor
        return actor.id if actor is not None else None

    def _own_review(self, patient_id: int) -> Review | None:
        author = self._author_id()
        if author is None:
            return None
        return self.clinic.review(self.session_id, patient_id, author_id=author)

    def _on_behalf_changed(self, _index: int) -> None:
        if self._loading or self.patient_id is None:
            return
        if self._on_behalf_id() is not None:
            self._loading = True
            try:
                self._fill_review(self._own_review(self.patient_id))
                self._fill_colleagues(self.patient_id)
            finally:
                self._loading = False
        self._update_enabled()

    # ----------------------------------------------------------------- the queue

    def refresh(self) -> None:
        """Rebuild the queue from who is present, in the saved order; keep the person shown."""
        present = [e for e in self.clinic.roster(self.session_id) if e.attendance.status.present]
        # Someone joining by video or phone is marked: the clinician turns to the screen.
        names = {e.patient.id: remote_name(e.patient.full_name, e.attendance) for e in present}
        saved = self.clinic.review_queue(self.session_id)
        order = [pid for pid in saved["order"] if pid in names]
        order += [pid for pid in names if pid not in order]
        self._done = [pid for pid in saved["done"] if pid in names]
        # Someone with a red flag no clinician has acknowledged yet is seen first.
        flagged: dict[int, str] = {}
        for flag in self.clinic.red_flags(self.session_id):
            if not flag.acknowledged:
                flagged.setdefault(flag.patient_id, f"{flag.flag.rule.title} {flag.text}")
        first = [p for p in order if p in flagged and p not in self._done]
        order = first + [p for p in order if p not in first]
        reviewed = {r.patient_id for r in self.clinic.reviews(self.session_id)}
        keep = self.patient_id
        self._loading = True
        try:
            # The same people in the same order keep their items (a label set to the text it
            # has already changes nothing), so showing the page again does not lay it out again.
            if self.queue_order() != order:
                self.queue.clear()
                for pid in order:
                    item = QListWidgetItem()
                    item.setData(ID_ROLE, pid)
                    self.queue.addItem(item)
            for row, pid in enumerate(order):
                self._label(
                    self.queue.item(row), names[pid], pid in self._done, pid in reviewed,
                    flagged.get(pid, ""),
                )
        finally:
            self._loading = False
        self.on_behalf_row.setVisible(self.is_facilitator)
        target = keep if keep in names else next((p for p in order if p not in self._done), None)
        if target is None and order:
            target = order[0]
        if target is not None:
            self._select(target)
        else:
            self._show_person(None)
        # Whoever is signed in now (a hand-over keeps the person shown) may document at once.
        self._update_enabled()

    def _label(
        self, item: QListWidgetItem, name: str, done: bool, started: bool, flag: str = ""
    ) -> None:
        mark = "✓ Done" if done else ("… Started" if started else "○ Waiting")
        said = f"{name}, {mark.split(' ', 1)[1]}"
        if flag:
            mark = f"{mark}\n   ⚑ RED FLAG: {flag}"
            said = f"{said}, red flag: {flag}"
            item.setForeground(Qt.GlobalColor.darkRed)
        else:
            item.setData(Qt.ItemDataRole.ForegroundRole, None)
        item.setText(f"{name}\n   {mark}")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, said)

    def queue_order(self) -> list[int]:
        return [int(self.queue.item(r).data(ID_ROLE)) for r in range(self.queue.count())]

    def _select(self, patient_id: int) -> None:
        for row in range(self.queue.count()):
            if self.queue.item(row).data(ID_ROLE) == patient_id:
                self.queue.setCurrentRow(row)
                if self.patient_id != patient_id:
                    self._show_person(patient_id)
                return

    def _save_queue(self) -> None:
        if self._loading:
            return
        try:
            self.clinic.save_review_queue(self.session_id, self.queue_order(), self._done)
        except ClinicError as exc:
            self.status.failed(str(exc))

    def move_in_queue(self, step: int) -> None:
        row = self.queue.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.queue.count():
            return
        self._loading = True
        try:
            item = self.queue.takeItem(row)
            self.queue.insertItem(target, item)
            self.queue.setCurrentRow(target)
        finally:
            self._loading = False
        self._save_queue()

    def _done_toggled(self, done: bool) -> None:
        if self._loading or self.patient_id is None:
            return
        self._mark_done(self.patient_id, done)

    def _mark_done(self, patient_id: int, done: bool) -> None:
        if done and patient_id not in self._done:
            self._done.append(patient_id)
        elif not done and patient_id in self._done:
            self._done.remove(patient_id)
        self._save_queue()
        for row in range(self.queue.count()):
            item = self.queue.item(row)
            if item.data(ID_ROLE) == patient_id:
                started = bool(self.clinic.reviews(self.session_id, patient_id))
                name = item.text().split("\n", 1)[0]
                self._label(item, name, done, started)

    def _queue_selected(self, current: QListWidgetItem | None, _previous: object) -> None:
        if self._loading or current is None:
            return
        pid = int(current.data(ID_ROLE))
        if pid != self.patient_id:
            self._show_person(pid)

    # ----------------------------------------------------------------- one person

    def _leave_person(self) -> None:
        """Save whatever is still waiting (typing, the timer) for the person being left."""
        if self.patient_id is None:
            return
        self.notes.flush()
        self.safety.flush()
        self.medications.flush()
        self.actions.flush()
        if self.seconds != self._saved_seconds and self._own_review(self.patient_id):
            self._save()

    def signpost(self) -> None:
        signpost_person(self.clinic, self.session_id, self.patient_id, self)

    def open_plan(self) -> None:
        from groupclinic_desktop.ui.care_plan import open_care_plan

        self.plan_dialog = open_care_plan(
            self.clinic, self.patient_id, self, session_id=self.session_id,
            programme_id=self.clinic.session(self.session_id).programme_id,
        )

    def _show_person(self, patient_id: int | None) -> None:
        self._leave_person()
        self.patient_id = patient_id
        self._loading = True
        try:
            if patient_id is None:
                self.name_label.setText("No one is checked in yet")
                self.seconds = self._saved_seconds = 0
                self._update_enabled()
                return
            patient = self.clinic.patient(patient_id)
            review = self._own_review(patient_id)
            age = age_on(patient.date_of_birth, self.today)
            self.name_label.setText(f"{patient.full_name}  ·  {age}  ·  {patient.sex.value}")
            self._fill_numbers(patient)
            self._fill_last_goal(patient_id)
            self._fill_review(review)
            self._fill_colleagues(patient_id)
            self.done_box.setChecked(patient_id in self._done)
        finally:
            self._loading = False
        self._update_enabled()
        self._show_time()

    def _fill_numbers(self, patient: Patient) -> None:
        history = self.clinic.measurements(patient_id=patient.id)
        own = targets.personal_levels(self.clinic.personal_targets(patient.id))
        lines = number_lines(
            patient, self.board_keys, history, own.get(patient.id, {}), self.today,
            self.programme,
        )
        self.numbers.setRowCount(len(lines))
        for row, line in enumerate(lines):
            cells = (line.label, line.latest, line.taken, line.change, line.status, line.trend)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == 5:
                    cell.setData(Qt.ItemDataRole.AccessibleTextRole, line.trend_said)
                    cell.setToolTip(line.trend_said)
                self.numbers.setItem(row, column, cell)
        self.numbers.setMinimumHeight(
            min(240, self.numbers.horizontalHeader().height() + 26 * max(1, len(lines)) + 6)
        )
        voided = [
            m
            for m in self.clinic.measurements(patient_id=patient.id, include_voided=True)
            if m.voided and m.session_id == self.session_id
        ]

        self.voided.setText(voided_html(voided))
        self.voided.setVisible(bool(voided))

    def _fill_colleagues(self, patient_id: int) -> None:
        mine = self._author_id()
        staff = {u.id: u for u in self.clinic.staff(active_only=False)}
        others = [
            r for r in self.clinic.reviews(self.session_id, patient_id) if r.author_id != mine
        ]
        blocks = []
        for r in others:
            who = html.escape(name_with_profession(staff.get(r.author_id), r.profession))
            meds = "; ".join(
                f"{m['action'].replace('_', ' ')} {m['drug']} {m.get('dose') or ''}".strip()
                for m in r.medication_changes or []
            )
            parts = [f"<b>{who}</b>", html.escape(r.notes or "No notes yet.")]
            if meds:
                parts.append(f"<i>Medication:</i> {html.escape(meds)}")
            if r.safety_netting:
                parts.append(f"<i>Safety-netting:</i> {html.escape(r.safety_netting)}")
            if r.awaiting_sign_off:
                parts.append("<i>(awaiting sign-off)</i>")
            blocks.append("<br>".join(parts))
        self.colleagues.setText(
            "<hr>".join(blocks) if blocks else "No colleague has written a review for this "
            "person today."
        )
        # Shown only when there is something to read: at 1366x768 the room it takes is the
        # clinician's own notes field.
        self.colleagues_box.setVisible(bool(blocks))

    def _fill_last_goal(self, patient_id: int) -> None:
        goal = self.clinic.previous_goal(self.session_id, patient_id)
        if goal is None:
            self.last_goal.setText("No goal from an earlier session.")
            return
        outcome = (
            f"Outcome: {OUTCOME_WORDS[goal.outcome]}."
            if goal.outcome
            else "Outcome not recorded yet (record it in Goals)."
        )
        self.last_goal.setText(
            f"“{goal.text}” (confidence {goal.confidence}/10, set "
            f"{self.clinic.session(goal.session_id).day:%d %b %Y}). "
            f"{outcome}"
        )

    def _fill_review(self, review: Review | None) -> None:
        self.notes.set_text_quietly(review.notes if review else "")
        self.safety.set_text_quietly(review.safety_netting if review else "")
        ticked = {f.get("term") for f in (review.findings or [])} if review else set()
        for box, finding in self.finding_boxes:
            box.blockSignals(True)
            box.setChecked(finding["term"] in ticked)
            box.blockSignals(False)
        self.medications.load(list(review.medication_changes or []) if review else [])
        self.actions.load(list(review.actions or []) if review else [])
        self.seconds = self._saved_seconds = review.seconds_spent if review else 0
        if review is not None and review.on_behalf_of_id and self.is_facilitator:
            index = self.on_behalf.findData(review.on_behalf_of_id)
            if index >= 0:
                self.on_behalf.setCurrentIndex(index)

    def _update_enabled(self) -> None:
        closed = self.clinic.session(self.session_id).status in CLOSED
        chosen = not self.is_facilitator or self.on_behalf.currentData() is not None
        usable = self.patient_id is not None and chosen and not closed
        self.form.setEnabled(usable)
        self.next_button.setEnabled(self.patient_id is not None and not closed)
        self.done_box.setEnabled(self.patient_id is not None and not closed)
        if closed:
            self.status.pending("this session is finished; correct a review from Wrap-up.")
        elif self.patient_id is not None and not chosen:
            self.status.pending("choose the clinician you are documenting for.")
        elif self.status.state == "pending":
            self.status.clear_state()  # the last signed-in person's "not saved yet" is not true

    def heard(self, changes: ChangeSet) -> None:
        """Refresh rule: who came (the list of people) refreshes the page; a value saved for
        the person on screen refreshes their numbers only."""
        if changes.touches({"attendance"}, session_id=self.session_id):
            self.changed()
        elif self.patient_id is not None and self.patient_id in changes.people_in(
            {"measurement"}, self.session_id
        ):
            self._fill_numbers(self.clinic.patient(self.patient_id))

    # ----------------------------------------------------------------- saving

    def _findings(self) -> list[dict[str, Any]]:
        return [
            {"code": f.get("code", "") if f.get("confirmed") else "", "term": f["term"]}
            for box, f in self.finding_boxes
            if box.isChecked()
        ]

    def _save(self, **fields: Any) -> bool:
        if self._loading or self.patient_id is None:
            return False
        if self.is_facilitator and self.on_behalf.currentData() is None:
            self.status.pending("choose the clinician you are documenting for.")
            return False
        try:
            self.clinic.save_review(
                self.session_id,
                self.patient_id,
                on_behalf_of_id=self._on_behalf_id(),
                seconds_spent=self.seconds,
                **fields,
            )
        except ClinicError as exc:
            self.status.failed(str(exc))
            return False
        self._saved_seconds = self.seconds
        self.status.saved()
        return True

    def _save_rows(self, field: str, rows: RowList) -> None:
        # Unfinished rows (no drug, nothing to do) wait on screen; the finished ones are saved.
        key, what = ("text", "what needs doing") if field == "actions" else ("drug", "a drug name")
        values = rows.values()
        complete = [v for v in values if v[key]]
        if field == "actions":
            complete = [{**v, "due": v["due"] or None} for v in complete]
        if self._save(**{field: complete}) and len(complete) < len(values):
            self.status.pending(f"a row needs {what}; the other rows are saved.")

    def insert_phrase(self, text: str) -> None:
        current = self.safety.toPlainText().rstrip()
        self.safety.setPlainText(f"{current}\n{text}" if current else text)
        self.safety.flush()
        self.safety.setFocus()

    def next_person(self) -> None:
        """Save, mark this person done, and show the next person not yet done."""
        if self.patient_id is None:
            return
        self._leave_person()
        if self._own_review(self.patient_id) is None:
            self._save()  # at least the time spent, so the queue shows they were seen
        current = self.patient_id
        self._mark_done(current, True)
        order = self.queue_order()
        start = order.index(current) if current in order else -1
        after = order[start + 1 :] + order[: start + 1]
        following = next((p for p in after if p not in self._done), None)
        if following is None:
            self.status.saved("— everyone in the queue is done")
            self._loading = True
            self.done_box.setChecked(True)
            self._loading = False
            return
        self._select(following)
        self.notes.setFocus()

    # ----------------------------------------------------------------- the timer

    def _tick(self) -> None:
        if self.patient_id is None or not self.isVisible() or not self.form.isEnabled():
            return
        self.seconds += 1
        self._show_time()

    def _show_time(self) -> None:
        minutes, seconds = divmod(self.seconds, 60)
        self.timer_label.setText(f"Time {minutes:02d}:{seconds:02d}")
        self.timer_label.setAccessibleDescription(f"{minutes} minutes {seconds} seconds")

    def hideEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        # Leaving the page (another phase, the lock screen) saves what is waiting.
        if not self._loading:
            self._leave_person()
        super().hideEvent(event)

    def show_progress(self) -> None:
        """The person's numbers, scores and goals across the programme, with change from
        baseline, in a window of its own (it can print the private progress PDF too)."""
        from PySide6.QtWidgets import QDialog, QVBoxLayout


        if self.patient_id is None:
            return
        session = self.clinic.session(self.session_id)
        dialog = QDialog(self)
        dialog.setWindowTitle("Progress over time")
        dialog.resize(1100, 680)
        layout = QVBoxLayout(dialog)
        layout.addWidget(ProgressView(self.clinic, self.patient_id, session.programme_id, dialog))
        dialog.setAccessibleName("Progress over time")
        self.progress_dialog = dialog
        dialog.show()
