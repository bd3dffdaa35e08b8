"""Wrap-up: the session's summary and its gaps, finishing the session, and explicit corrections.

Finishing backs the store up and closes the record to everyday edits (the facade enforces it);
after that a change is a correction: who, what, and a reason, all in the audit trail.
"""

from html import escape
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.professions import name_with_profession
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.core.views.summary import STATUS_WORDS, SessionSummary, session_summary
from groupclinic_desktop.ui.measurement_fix import FixMeasurementDialog
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.red_flags import RedFlagList
from groupclinic_desktop.ui.staff_experience import StaffExperiencePanel
from groupclinic_desktop.ui.widgets import SavedIndicator, heading

# What a correction can change: key -> (label, which record, which field).
CORRECTABLE = {
    "notes": ("Review notes", "review", "notes"),
    "safety_netting": ("Safety-netting advice", "review", "safety_netting"),
    "goal": ("Goal (their words)", "goal", "text"),
    "what_matters": ("What matters to them", "goal", "what_matters"),
}


def summary_html(summary: SessionSummary) -> str:
    """The summary as simple HTML: headings and lists, readable by a screen reader."""
    parts: list[str] = []
    if summary.gaps:
        parts.append(f"<h3>⚠ Needs attention ({len(summary.gaps)})</h3><ul>")
        parts += [f"<li>{escape(gap.message)}</li>" for gap in summary.gaps]
        parts.append("</ul>")
    else:
        parts.append(
            "<h3>✓ Nothing missing</h3><p>Everyone present has a review, a goal and "
            "their consents recorded.</p>"
        )
    parts.append(f"<h3>Who came ({len(summary.came)})</h3><ul>")
    for person in summary.came:
        carer = " (with carer)" if person.carer_present else ""
        status = (
            "came late"
            if person.status.value == "late"
            else ("dropped in" if person.status.value == "drop_in" else "attended")
        )
        joined = {"video": " by video", "phone": " by phone"}.get(person.channel.value, "")
        parts.append(f"<li>{escape(person.name)} — {status}{joined}{carer}</li>")
    parts.append("</ul>")
    if summary.did_not_come:
        names = ", ".join(
            f"{escape(p.name)} ({STATUS_WORDS[p.status]})" for p in summary.did_not_come
        )
        parts.append(f"<p><b>Did not come:</b> {names}</p>")
    parts.append("<h3>What was measured</h3>")
    if summary.measured:
        measured = ", ".join(
            f"{escape(label)}: {count} {'person' if count == 1 else 'people'}"
            for label, count in summary.measured.items()
        )
        parts.append(f"<p>{measured}</p>")
    else:
        parts.append("<p>Nothing was measured at this session.</p>")
    parts.append("<h3>Agenda</h3>")
    covered = ", ".join(escape(t) for t in summary.topics_covered) or "none"
    parts.append(f"<p><b>Covered:</b> {covered}</p>")
    if summary.topics_open:
        open_ = ", ".join(escape(t) for t in summary.topics_open)
        parts.append(f"<p><b>Not covered:</b> {open_}</p>")
    parts.append(
        f"<h3>One-to-one reviews: {len(summary.reviews_done)} done, "
        f"{len(summary.reviews_missing)} missing</h3>"
    )
    if summary.reviews_missing:
        missing = ", ".join(escape(n) for n in summary.reviews_missing)
        parts.append(f"<p><b>No review yet:</b> {missing}</p>")
    parts.append(f"<h3>Goals set: {len(summary.goals_set)} of {len(summary.came)}</h3>")
    return "".join(parts)


def allowed_records(clinic: Clinic) -> set[str]:
    """What the signed-in person may correct after the session: reviews for clinicians, goals
    for clinicians and facilitators, nothing for co-facilitators and admins."""
    actor = clinic.actor
    if actor is None:
        return set()
    if actor.role == Role.CLINICIAN:
        return {"review", "goal"}
    if actor.role == Role.FACILITATOR:
        return {"goal"}
    return set()


def awaiting_html(clinic: Clinic, waiting: list[Any]) -> str:
    """Reviews written on a clinician's behalf and not yet signed: who, for whom."""
    if not waiting:
        return ""

    staff = {u.id: name_with_profession(u) for u in clinic.staff(active_only=False)}
    people = {p.id: p.full_name for p in clinic.patients()}
    items = "".join(
        f"<li>{escape(people.get(r.patient_id, ''))}: awaiting sign-off by "
        f"{escape(staff.get(r.on_behalf_of_id, ''))}</li>"
        for r in waiting
    )
    return (
        "<h3>Awaiting sign-off</h3><p>These notes are held back from the GP-record export "
        f"until the clinician signs them.</p><ul>{items}</ul>"
    )


class CorrectionDialog(QDialog):
    """Correct one field of a finished session's record, with the reason why."""

    def __init__(self, clinic: Clinic, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.setWindowTitle("Correct the finished session's record")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "The session is finished. A correction is kept with your name, the time and "
                "your reason, next to what it replaced."
            )
        )
        form = QFormLayout()
        self.person = QComboBox()
        self.person.setAccessibleName("Person whose record is corrected")
        for entry in clinic.roster(session_id):
            if entry.attendance.status.present:
                self.person.addItem(entry.patient.full_name, entry.patient.id)
        self.field = QComboBox()
        self.field.setAccessibleName("What to correct")
        # Only what the signed-in person may change: clinical content is for clinicians.
        for key, (label, record, _name) in CORRECTABLE.items():
            if record in allowed_records(clinic):
                self.field.addItem(label, key)
        self.author = QComboBox()
        self.author.setAccessibleName("Whose review")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Corrected text")
        self.text.setTabChangesFocus(True)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the correction")
        self.reason.setPlaceholderText("e.g. wrong person's notes typed in by mistake")
        form.addRow("Person", self.person)
        form.addRow("What", self.field)
        form.addRow("Whose review", self.author)
        form.addRow("Corrected text", self.text)
        form.addRow("Reason (required)", self.reason)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem with the correction")
        self.problem.setStyleSheet("color: #b71c1c; font-weight: bold;")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Save correction")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.person.currentIndexChanged.connect(lambda _i: self._load_authors())
        self.field.currentIndexChanged.connect(lambda _i: self._load_authors())
        self.author.currentIndexChanged.connect(lambda _i: self._load_current())
        self._load_authors()

    def _is_review(self) -> bool:
        key = self.field.currentData()
        return key is not None and CORRECTABLE[str(key)][1] == "review"

    def _load_authors(self) -> None:
        """Each professional's review of the person, the signed-in clinician's own first."""

        self.author.blockSignals(True)
        self.author.clear()
        pid = self.person.currentData()
        if pid is not None and self._is_review():
            staff = {u.id: u for u in self.clinic.staff(active_only=False)}
            me = self.clinic.actor.id if self.clinic.actor else None
            reviews = sorted(
                self.clinic.reviews(self.session_id, pid), key=lambda r: r.author_id != me
            )
            for r in reviews:
                self.author.addItem(name_with_profession(staff.get(r.author_id), r.profession),
                                    r.author_id)
            if not reviews and me is not None:
                self.author.addItem("A new review of mine", me)
        self.author.setEnabled(self._is_review())
        self.author.blockSignals(False)
        self._load_current()

    def _current_value(self) -> str:
        pid = self.person.currentData()
        if pid is None:
            return ""
        _label, record, name = CORRECTABLE[str(self.field.currentData())]
        if record == "review":
            author = self.author.currentData()
            review = self.clinic.review(self.session_id, pid, author_id=author) if author else None
            return str(getattr(review, name)) if review else ""
        goals = self.clinic.goals(session_id=self.session_id, patient_id=pid)
        return str(getattr(goals[0], name)) if goals else ""

    def _load_current(self) -> None:
        self.text.setPlainText(self._current_value())
        self.problem.setText("")

    def save(self) -> None:
        pid = self.person.currentData()
        if pid is None:
            self.problem.setText("No one attended, so there is nothing to correct.")
            return
        _label, record, name = CORRECTABLE[str(self.field.currentData())]
        changes: dict[str, Any] = {name: self.text.toPlainText()}
        try:
            if record == "review":
                self.clinic.correct_review(
                    self.session_id,
                    pid,
                    self.reason.text(),
                    author_id=self.author.currentData(),
                    **changes,
                )
            else:
                goals = self.clinic.goals(session_id=self.session_id, patient_id=pid)
                if not goals:
                    self.problem.setText("This person has no goal from this session to correct.")
                    return
                self.clinic.correct_goal(goals[0].id, self.reason.text(), **changes)  # type: ignore[arg-type]
        except ClinicError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()


# What the session's summary is made of: every record of the session. Not the session's own row:
# every move between phases changes it, and this page reads it whenever it is shown.
WRAPUP_KINDS = frozenset({
    "agenda_item", "attendance", "carer_visit", "consent", "goal",
    "measurement", "questionnaire_response", "red_flag_acknowledgement", "review",
    "session_clinician", "signposting", "staff_experience",
})


class WrapUpPage(PhasePage):
    phase_key = "wrapup"

    def concerns(self, changes: ChangeSet) -> bool:
        """Refresh rule: any record of this session (the summary shows them all)."""
        return changes.touches(WRAPUP_KINDS, session_id=self.session_id)

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(clinic, session_id, bus, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Wrap-up: the session at a glance"))
        self.red_flags = RedFlagList(clinic, session_id, self._names, self.refresh)
        layout.addWidget(self.red_flags)
        # After finishing: each member of staff's own three questions (anonymous).
        self.staff_panel = StaffExperiencePanel(clinic, session_id)
        layout.addWidget(self.staff_panel)
        self.summary_view = QTextBrowser()
        self.summary_view.setAccessibleName("Session summary and gaps")
        self.summary_view.setOpenLinks(False)
        layout.addWidget(self.summary_view, 1)
        buttons = QHBoxLayout()
        self.state_label = QLabel("")
        self.state_label.setAccessibleName("Session state")
        self.state_label.setWordWrap(True)
        buttons.addWidget(self.state_label, 1)
        self.refresh_button = QPushButton("Refresh summary")
        self.refresh_button.setAccessibleName("Refresh summary")
        self.refresh_button.clicked.connect(self.refresh)
        self.finish_button = QPushButton("Finish session…")
        self.finish_button.setAccessibleName("Finish session")
        self.finish_button.setMinimumHeight(40)
        self.finish_button.clicked.connect(self.finish)
        self.correct_button = QPushButton("Correct…")
        self.correct_button.setAccessibleName("Correct the finished record")
        self.correct_button.setMinimumHeight(40)
        self.correct_button.clicked.connect(self.correct)
        self.sign_button = QPushButton("Sign reviews written for me…")
        self.sign_button.setAccessibleName("Sign the reviews written on my behalf")
        self.sign_button.setMinimumHeight(40)
        self.sign_button.clicked.connect(self.sign_mine)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.finish_button)
        self.fix_button = QPushButton("Void or correct a value…")
        self.fix_button.setAccessibleName("Void or correct a mistaken measurement")
        self.fix_button.setMinimumHeight(40)
        self.fix_button.clicked.connect(self.fix_value)
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.sign_button)
        layout.addLayout(buttons)
        self.status = SavedIndicator()
        layout.addWidget(self.status)
        self._html = ""
        self.refresh()

    def refresh(self) -> None:
        self.summary = session_summary(self.clinic, self.session_id)
        html = summary_html(self.summary)
        if html != self._html:  # laying the summary out again is most of a refresh
            self._html = html
            self.summary_view.setHtml(html)
        session = self.clinic.session(self.session_id)
        finished = self.summary.finished
        self.red_flags.refresh()
        self.staff_panel.refresh()
        waiting = self.red_flags.waiting  # the facade refuses to finish while any waits
        self.finish_button.setVisible(not finished)
        self.finish_button.setEnabled(session.status.value == "running" and not waiting)
        self.correct_button.setVisible(finished and bool(allowed_records(self.clinic)))
        # After the session only a clinician voids or corrects a measurement.
        self.fix_button.setVisible(finished and "review" in allowed_records(self.clinic))
        self.waiting = self.clinic.awaiting_sign_off(session_id=self.session_id)
        me = self.clinic.actor.id if self.clinic.actor else None
        self.mine = [r for r in self.waiting if r.on_behalf_of_id == me]
        self.sign_button.setVisible(bool(self.mine))
        self.sign_button.setText(f"Sign reviews written for me ({len(self.mine)})…")
        waiting_html = awaiting_html(self.clinic, self.waiting)
        if waiting_html and waiting_html not in self._html:
            self._html = html + waiting_html
            self.summary_view.setHtml(self._html)
        if finished:
            when = session.finished_at.strftime("%H:%M") if session.finished_at else ""
            self.state_label.setText(
                f"Finished {when}. The record is closed; use Correct… to change it, with a reason."
            )
        elif waiting:
            self.state_label.setText(
                f"Running. ⚑ {waiting} red flag(s) wait for a clinician's acknowledgement "
                "before the session can finish."
            )
        elif session.status.value == "running":
            gaps = len(self.summary.gaps)
            self.state_label.setText(
                "Running. "
                + (
                    f"{gaps} thing(s) need attention before finishing."
                    if gaps
                    else "Ready to finish."
                )
            )
        else:
            self.state_label.setText(f"This session is {session.status.value}.")

    def _names(self) -> dict[int, str]:
        return {e.patient.id: e.patient.full_name for e in self.clinic.roster(self.session_id)}  # type: ignore[misc]

    def finish(self) -> None:
        gaps = len(self.summary.gaps)
        warning = f"{gaps} thing(s) still need attention (listed on this page).\n\n" if gaps else ""
        answer = QMessageBox.question(
            self,
            "Finish the session?",
            f"{warning}Finishing makes a backup and closes the record: later changes must be "
            "made as corrections with a reason.\n\nFinish the session now?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.status.pending("the session is still running.")
            return
        try:
            self.clinic.finish_session(self.session_id)
        except ClinicError as exc:
            self.status.failed(str(exc))
            return
        self.status.saved("— session finished and backed up")
        self.refresh()  # the session's own row: not among the notices this page follows
        # The staff questions come next; after the question box has handed the focus back.
        QTimer.singleShot(0, self.staff_panel.focus_first)

    def sign_mine(self) -> None:
        """The clinician reads what was written for them, then signs it (audited)."""
        names = {e.patient.id: e.patient.full_name for e in self.clinic.roster(self.session_id)}
        text = "\n\n".join(
            f"{names.get(r.patient_id, '')}: {r.notes or '(no notes)'}" for r in self.mine
        )
        answer = QMessageBox.question(
            self,
            "Sign these reviews?",
            f"Written on your behalf:\n\n{text}\n\nSign them as yours?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            for review in self.mine:
                self.clinic.sign_review(review.id)  # type: ignore[arg-type]
        except ClinicError as exc:
            self.status.failed(str(exc))
            return
        self.status.saved("— reviews signed")  # refreshed by their notices

    def fix_value(self) -> None:
        dialog = FixMeasurementDialog(self.clinic, self.session_id, None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            # The summary refreshed from the correction's change notice.
            self.status.saved("the correction (with its reason, in the audit trail)")

    def correct(self) -> None:
        dialog = CorrectionDialog(self.clinic, self.session_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.status.saved("the correction (with its reason, in the audit trail)")
