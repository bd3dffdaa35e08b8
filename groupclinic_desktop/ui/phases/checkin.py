"""Check-in: who came, what they agreed to, their measurements and questionnaires.

Keyboard-first: type a value, Enter (or Tab) saves it and moves on. Every value is checked as it
is typed, with the reason beside the field; an unusual one is saved only after a clear question.
Nothing needs a Save button: a field that shows "saved" is already in the store.
"""

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import programmes, questionnaires, validation
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import BLOOD_PRESSURE, Clinic, RosterEntry, SessionFlag
from groupclinic_desktop.core.errors import ClinicError, InvalidInput, NeedsConfirmation
from groupclinic_desktop.core.joining import CHANNEL_WORDS, REMOTE_MARKS
from groupclinic_desktop.core.red_flags import TELL_CLINICIAN
from groupclinic_desktop.core.schema import (
    Attendance,
    AttendanceStatus,
    Channel,
    ClinicSession,
    ConsentKind,
    Measurement,
    Mode,
    Patient,
)
from groupclinic_desktop.ui.carers import add_carer
from groupclinic_desktop.ui.measurement_fix import FixMeasurementDialog, voided_html
from groupclinic_desktop.ui.patient_details import edit_patient_details
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.red_flags import FLAG, alert_text, field_of
from groupclinic_desktop.ui.theme import set_state

STATUS_WORDS = {
    AttendanceStatus.INVITED: "Expected",
    AttendanceStatus.ATTENDED: "Attended",
    AttendanceStatus.LATE: "Late",
    AttendanceStatus.DID_NOT_ATTEND: "Did not attend",
    AttendanceStatus.CANCELLED: "Cancelled",
    AttendanceStatus.DROP_IN: "Drop-in",
}
ATTENDANCE_BUTTONS = (
    (AttendanceStatus.ATTENDED, "&Attended"),
    (AttendanceStatus.LATE, "&Late"),
    (AttendanceStatus.DID_NOT_ATTEND, "Did &not attend"),
    (AttendanceStatus.CANCELLED, "Ca&ncelled"),
)
CONSENTS = (
    (ConsentKind.CONFIDENTIALITY, "Keeps the group confidential"),
    (ConsentKind.SHARE_RESULTS, "Results on the board by name"),
    (ConsentKind.MONITORING, "Anonymous monitoring"),
)
SAVED = "✓ saved"
# Records of a session that check-in shows: the roster's status, its counts, the card's values,
# consents and red flags. A person's own details (names) come with kind "patient".
CHECKIN_KINDS = frozenset({
    "attendance", "carer_visit", "consent", "measurement", "questionnaire_response",
    "red_flag_acknowledgement",
})
CHANNEL_BUTTONS = (
    (Channel.IN_ROOM, "In the &room"),
    (Channel.VIDEO, "&Video"),
    (Channel.PHONE, "&Phone"),
)


def status_words(attendance: Attendance) -> str:
    """"Attended · 🎥 video": the attendance, and how a remote attendee joins."""
    words = STATUS_WORDS.get(attendance.status, attendance.status.value)
    mark = REMOTE_MARKS.get(attendance.channel)
    return f"{words} · {mark}" if mark else words
# A state longer than this goes on the line under its field, where it has the width to be read.
SHORT_STATUS = 28
FLAG_RED = "#EE0000"


def roster_name(patient: Patient) -> str:
    """ "Maggie (Margaret Ellis)": the name people use, then the name on the record."""
    if patient.preferred_name:
        return f"{patient.preferred_name} ({patient.given_name} {patient.family_name})"
    return patient.full_name


@dataclass(frozen=True)
class FieldSpec:
    key: str  # a catalogue key, or "blood_pressure" for the one-field reading
    label: str
    unit: str
    derived: bool = False


def measurement_fields(session: ClinicSession) -> list[FieldSpec]:
    """The programme's measurements as entry fields; BP as one "systolic/diastolic" field."""
    keys = list((session.programme_snapshot or {}).get("measurements", []))
    book = catalogue()
    fields: list[FieldSpec] = []
    for key in keys:
        if key in ("systolic_bp", "diastolic_bp") and {"systolic_bp", "diastolic_bp"} <= set(keys):
            if key == "systolic_bp":
                fields.append(FieldSpec(BLOOD_PRESSURE, "Blood pressure", "mmHg"))
            continue
        if key not in book:
            continue
        mtype = book.get(key)
        fields.append(FieldSpec(key, mtype.label, mtype.unit, derived=mtype.is_derived))
    return fields


def due_questionnaires(session: ClinicSession) -> list[questionnaires.Questionnaire]:
    """Questionnaires due at this session of the series, in the programme's order."""
    schedules = (session.programme_snapshot or {}).get("questionnaires", {}) or {}
    known = questionnaires.questionnaires()
    due = []
    for key, schedule in schedules.items():
        try:
            asked = programmes.is_due(schedule, session.session_number)
        except InvalidInput:
            continue
        if asked and key in known:
            due.append(known[key])
    return due


def check_measurement(key: str, text: str) -> tuple[str, str]:
    """What to show beside a field while typing: (state, words). Nothing is saved."""
    if not text.strip():
        return "", ""
    try:
        if key == BLOOD_PRESSURE:
            validation.parse_blood_pressure(text)
        else:
            validation.parse_measurement(key, text)
    except InvalidInput as exc:
        return "red", f"✗ {exc}"
    except NeedsConfirmation as exc:
        return "amber", f"⚠ {exc} You will be asked to confirm."
    return "info", "Press Enter to save"


def value_text(key: str, value: float) -> str:
    return f"{value:.{catalogue().get(key).decimals}f}"


def reading_text(rows: list[Measurement], key: str) -> tuple[str, Measurement] | None:
    """The latest reading of a field among rows, as typed ("142/88" for blood pressure)."""
    if key != BLOOD_PRESSURE:
        found = [m for m in rows if m.type_key == key]
        return (value_text(key, found[-1].value), found[-1]) if found else None
    systolic = [m for m in rows if m.type_key == "systolic_bp"]
    if not systolic:
        return None
    last = systolic[-1]
    diastolic = [
        m
        for m in rows
        if m.type_key == "diastolic_bp"
        and (m.reading_uid == last.reading_uid if last.reading_uid else m.taken_at == last.taken_at)
    ]
    if not diastolic:
        return None
    return f"{last.value:.0f}/{diastolic[-1].value:.0f}", last


class EntryRow:
    """One entry field with its checking line, its "saved" state and the previous value.

    On its grid line: label, field, last time's value, and a short state ("✓ saved") beside the
    field. A long message (a reason, a red flag's words) takes the full line under the field
    instead, so a row is one line high until there is something to read.
    """

    def __init__(
        self,
        label: str,
        field_id: str,
        check: Callable[[str], tuple[str, str]],
        save: Callable[["EntryRow", str], bool],
        *,
        read_only: bool = False,
        placeholder: str = "",
        advance: Callable[["EntryRow"], None] | None = None,
    ) -> None:
        self.field_id = field_id
        self.label = QLabel(label)
        self.label.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setAccessibleName(label)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setReadOnly(read_only)
        self.edit.setMinimumWidth(96)
        self.edit.setMaximumWidth(125)
        if read_only:
            self.edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label.setBuddy(self.edit)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(f"{label}: check")
        self.last = QLabel()
        self.last.setObjectName("muted")
        self.last.setAccessibleName(f"{label}: last time")
        self.saved_text = ""
        self.alert = ""  # a red flag on the saved value: shown instead of a plain "saved"
        self._check = check
        self._save = save
        self._advance = advance
        self._busy = False
        self._entered = False
        self._grid: QGridLayout | None = None
        self._line = 0
        self._under = False
        self.edit.textEdited.connect(self._typed)
        self.edit.returnPressed.connect(self._returned)
        self.edit.editingFinished.connect(self.commit)

    def place(self, grid: QGridLayout, line: int, *, last_under: bool = False) -> int:
        """Put the row on grid lines `line` and `line + 1` (the second one only holds long
        messages, so it is empty and takes no room most of the time). Returns the next line."""
        self._grid, self._line = grid, line
        grid.addWidget(self.label, line, 0)
        grid.addWidget(self.edit, line, 1)
        if last_under:  # long allowed answers (FFT) get a line of their own
            grid.addWidget(self.last, line + 1, 0, 1, 4)
            self._line = line + 1
            grid.addWidget(self.status, line, 2, 1, 2)
            self._under = False
            return line + 3
        grid.addWidget(self.last, line, 2)
        grid.addWidget(self.status, line, 3)
        return line + 2

    def load(self, saved: str, last: str, alert: str = "") -> None:
        self._busy = True
        self.alert = alert
        self.saved_text = saved
        self.edit.setText(saved)
        self.last.setText(last)
        self._show(("ok", SAVED) if saved else ("", ""))
        self._busy = False

    def _typed(self, text: str) -> None:
        if text.strip() and text.strip() == self.saved_text:
            self._show(("ok", SAVED))
        else:
            self._show(self._check(text))

    def _show(self, state: tuple[str, str]) -> None:
        if state == ("ok", SAVED) and self.alert:
            state = ("red", f"{SAVED} · {self.alert}")
        self.status.setText(state[1])
        set_state(self.status, state[0])
        self._fit(len(state[1]) > SHORT_STATUS)

    def _fit(self, under: bool) -> None:
        """Beside the field when short; on the full line under it when long."""
        grid = self._grid
        if grid is None or under == self._under:
            return
        self._under = under
        grid.removeWidget(self.status)
        if under:
            grid.addWidget(self.status, self._line + 1, 0, 1, 4)
        else:
            grid.addWidget(self.status, self._line, 3)

    def set_alert(self, text: str) -> None:
        self.alert = text
        if self.saved_text and self.edit.text().strip() == self.saved_text:
            self._show(("ok", SAVED))

    def commit(self) -> None:
        """Save the field if it changed; Enter and Tab both end up here. After Enter, a saved
        field moves on to the next one (as Tab does)."""
        entered, self._entered = self._entered, False
        text = self.edit.text().strip()
        if self._busy or self.edit.isReadOnly() or not text:
            return
        if text != self.saved_text:
            self._busy = True
            try:
                if self._save(self, text):
                    self.saved_text = text
                    self._show(("ok", SAVED))
            finally:
                self._busy = False
        if entered and self._advance is not None and text == self.saved_text:
            self._advance(self)

    def _returned(self) -> None:
        # Qt sends editingFinished (and so commit) straight after this, for the same key.
        self._entered = True

    def widgets(self) -> list[QWidget]:
        return [self.label, self.edit, self.status, self.last]


class BoldWhenChecked(QPushButton):
    """A button as wide as its words in bold, the way the theme draws it when checked, so
    "Attended" is never cut to "Attendec" by being chosen."""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        words = self.text().replace("&", "")
        bold = QFont(self.font())
        bold.setBold(True)
        extra = QFontMetrics(bold).horizontalAdvance(words) - self.fontMetrics().horizontalAdvance(
            words
        )
        return QSize(hint.width() + max(0, extra), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.sizeHint()


class CheckInPage(PhasePage):
    phase_key = "checkin"

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(clinic, session_id, bus, parent)
        self.session = clinic.session(session_id)
        self.patient_id: int | None = None
        self.rows: dict[str, EntryRow] = {}
        self.answer_rows: dict[tuple[str, str], EntryRow] = {}
        self.score_labels: dict[str, QLabel] = {}
        self.fields = measurement_fields(self.session)
        self.due = due_questionnaires(self.session)
        self.flags: dict[int, list[SessionFlag]] = {}  # red flags by person, from the facade
        # What the last refresh read, kept for the change notices (see heard()).
        self.entries: dict[int, RosterEntry] = {}
        self._consents: dict[tuple[int, ConsentKind], bool] = {}
        self._taken: dict[int, list[Measurement]] = {}

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_roster())
        splitter.addWidget(self._build_person())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([370, 690])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        for keys, slot in (
            ("Alt+Down", lambda: self.step(+1)),
            ("Alt+Up", lambda: self.step(-1)),
            ("Ctrl+F", self.search.setFocus),
            ("Alt+Q", self.toggle_questionnaires),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        self.refresh()  # like every page: built means filled in

    # ------------------------------------------------------------------ building

    def _build_roster(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 4, 0)
        heading = QLabel("Roster")
        heading.setObjectName("subtitle")
        layout.addWidget(heading)
        self.counts = QLabel()
        self.counts.setAccessibleName("Roster counts")
        layout.addWidget(self.counts)
        self.roster = QTableWidget(0, 3)
        self.roster.setAccessibleName("Roster: choose a person to check in")
        # "Done": measurements taken and consents asked, short, so the names get the width.
        self.roster.setHorizontalHeaderLabels(["Name", "Status", "Done"])
        done = self.roster.horizontalHeaderItem(2)
        done.setToolTip("Measurements taken · consents asked")
        header = self.roster.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.roster.verticalHeader().setVisible(False)
        self.roster.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roster.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.roster.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.roster.currentCellChanged.connect(self._roster_moved)
        layout.addWidget(self.roster, 1)

        drop_in = QLabel("Add a &drop-in (name or NHS number):")
        layout.addWidget(drop_in)
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setAccessibleName("Find someone to add as a drop-in")
        self.search.setPlaceholderText("e.g. Jones or 999 000 0107")
        self.search.textEdited.connect(self._find)
        self.search.returnPressed.connect(self.add_drop_in)
        drop_in.setBuddy(self.search)
        row.addWidget(self.search, 1)
        self.add_button = QPushButton("Add drop-in")
        self.add_button.setAccessibleName("Add the chosen person as a drop-in")
        self.add_button.clicked.connect(self.add_drop_in)
        row.addWidget(self.add_button)
        self.new_button = QPushButton("New person…")
        self.new_button.setAccessibleName("Add someone not in the store yet, as a drop-in")
        self.new_button.setToolTip("Someone not found: add them with NHS number, name and date of "
                                   "birth; the admin checks them against the GP record later")
        self.new_button.clicked.connect(self.add_new_person)
        row.addWidget(self.new_button)
        layout.addLayout(row)
        self.found = QListWidget()
        self.found.setAccessibleName("People found")
        self.found.setMaximumHeight(110)
        self.found.setVisible(False)
        self.found.itemActivated.connect(lambda _item: self.add_drop_in())
        layout.addWidget(self.found)
        self.search_note = QLabel()
        self.search_note.setWordWrap(True)
        layout.addWidget(self.search_note)
        return box

    def _build_person(self) -> QWidget:
        """One person's check-in as a compact card that fits a 1366x768 screen: arrival,
        consents and measurements on one screen, the questionnaires in a panel of their own."""
        scroll = self.person_scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Long messages wrap instead of hiding off to the right; only very big text, where the
        # buttons themselves are wider than the card, scrolls sideways instead of clipping.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)

        # The name wraps rather than being cut short, whatever the text size.
        self.person_title = QLabel("Choose a person on the roster")
        self.person_title.setObjectName("subtitle")
        self.person_title.setAccessibleName("Person")
        self.person_title.setWordWrap(True)
        self.person_title.setMinimumWidth(120)
        title_row = QHBoxLayout()
        who = QVBoxLayout()
        who.setSpacing(0)
        who.addWidget(self.person_title)
        self.status_note = QLabel()
        self.status_note.setObjectName("muted")
        self.status_note.setAccessibleName("Attendance")
        who.addWidget(self.status_note)
        title_row.addLayout(who, 1)
        self.details_button = QPushButton("Details…")
        self.details_button.setAccessibleName("Person's details and equity fields")
        self.details_button.clicked.connect(self.open_details)
        title_row.addWidget(self.details_button)
        self.carer_button = QPushButton("Add carer…")
        self.carer_button.setAccessibleName("Add a carer who came with this person")
        self.carer_button.clicked.connect(self.open_carer)
        title_row.addWidget(self.carer_button)
        layout.addLayout(title_row)
        self.flag_banner = QLabel()
        self.flag_banner.setWordWrap(True)
        self.flag_banner.setAccessibleName("Red flag")
        self.flag_banner.setVisible(False)
        set_state(self.flag_banner, "red")
        layout.addWidget(self.flag_banner)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.setVisible(False)
        layout.addWidget(self.message)

        self.card = QWidget()
        self.card.setAccessibleName("Check-in card")
        card = QGridLayout(self.card)
        card.setContentsMargins(0, 0, 0, 0)
        card.setHorizontalSpacing(8)
        card.setVerticalSpacing(4)
        card.setColumnStretch(3, 1)
        line = 0

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.attendance_group = QButtonGroup(self)
        self.attendance_group.setExclusive(True)
        self.attendance_buttons: dict[AttendanceStatus, QPushButton] = {}
        for status, text in ATTENDANCE_BUTTONS:
            button = BoldWhenChecked(text)
            button.setCheckable(True)
            button.setAccessibleName(text.replace("&", ""))
            button.clicked.connect(lambda _=False, s=status: self.set_status(s))
            self.attendance_group.addButton(button)
            self.attendance_buttons[status] = button
            buttons.addWidget(button)
        self.carer = QCheckBox("Carer present")
        self.carer.setAccessibleName("Carer present")
        self.carer.clicked.connect(lambda on: self._attendance_flag("carer_present", on))
        buttons.addWidget(self.carer)
        buttons.addStretch(1)
        card.addLayout(buttons, line, 0, 1, 4)
        line += 1
        self.identity = QCheckBox("Identity confirmed (e.g. last 4 digits of their phone)")
        self.identity.setAccessibleName("Identity confirmed")
        self.identity.clicked.connect(lambda on: self._attendance_flag("identity_confirmed", on))
        self.private = QCheckBox("In a private place")
        self.private.setAccessibleName("In a private place")
        self.private.clicked.connect(lambda on: self._attendance_flag("private_place", on))
        # Video and hybrid sessions: how each person joins, and the checks for remote joiners.
        # Built for every session (its mode can change before it starts), shown only then.
        self.channel_row = QWidget()
        channels = QHBoxLayout(self.channel_row)
        channels.setContentsMargins(0, 0, 0, 0)
        channels.setSpacing(6)
        channels.addWidget(QLabel("Joining:"))
        self.channel_group = QButtonGroup(self)
        self.channel_group.setExclusive(True)
        self.channel_buttons: dict[Channel, QPushButton] = {}
        for channel, text in CHANNEL_BUTTONS:
            button = BoldWhenChecked(text)
            button.setCheckable(True)
            button.setAccessibleName(f"Joining: {CHANNEL_WORDS[channel].lower()}")
            button.clicked.connect(lambda _=False, c=channel: self.set_channel(c))
            self.channel_group.addButton(button)
            self.channel_buttons[channel] = button
            channels.addWidget(button)
        channels.addStretch(1)
        self.channel_row.setVisible(self.session.mode != Mode.FACE_TO_FACE)
        card.addWidget(self.channel_row, line, 0, 1, 4)
        line += 1
        video_row = QHBoxLayout()
        video_row.addWidget(self.identity)
        video_row.addWidget(self.private)
        video_row.addStretch(1)
        card.addLayout(video_row, line, 0, 1, 4)
        line += 1
        # Identity and a private place are checked for video and phone attendees only.
        for box in (self.identity, self.private):
            box.setVisible(self.session.mode == Mode.VIDEO)

        card.addWidget(_rule(), line, 0, 1, 4)
        line += 1
        self.consent_buttons: dict[ConsentKind, tuple[QPushButton, QPushButton, QLabel]] = {}
        for kind, text in CONSENTS:
            card.addWidget(QLabel(text), line, 0)
            group = QButtonGroup(self)
            yes, no = QPushButton("Yes"), QPushButton("No")
            pair = QHBoxLayout()
            pair.setSpacing(4)
            for button, given in ((yes, True), (no, False)):
                button.setCheckable(True)
                button.setAccessibleName(f"{text}: {'yes' if given else 'no'}")
                button.clicked.connect(lambda _=False, k=kind, g=given: self.set_consent(k, g))
                group.addButton(button)
                pair.addWidget(button)
                # Y and N answer from the keyboard too, whichever of the two has the focus.
                button.installEventFilter(self)
            pair.addStretch(1)
            card.addLayout(pair, line, 1)
            state = QLabel()
            state.setAccessibleName(f"{text}: recorded")
            card.addWidget(state, line, 2, 1, 2)
            self.consent_buttons[kind] = (yes, no, state)
            line += 1

        card.addWidget(_rule(), line, 0, 1, 4)
        line += 1
        for spec in self.fields:
            unit = f" ({spec.unit})" if spec.unit else ""
            row = EntryRow(
                f"{spec.label}{unit}",
                spec.key,
                lambda text, k=spec.key: check_measurement(k, text),
                self._save_measurement,
                read_only=spec.derived,
                placeholder=(
                    "worked out"
                    if spec.derived
                    else "e.g. 138/84"
                    if spec.key == BLOOD_PRESSURE
                    else "type, then Enter"
                ),
                advance=self._after_entry,
            )
            self.rows[spec.key] = row
            line = row.place(card, line)
        # A mistaken value is voided (kept, struck through, with its reason), never overwritten.
        self.voided = QLabel("")
        self.voided.setWordWrap(True)
        self.voided.setAccessibleName("Voided values and why")
        self.voided.setVisible(False)
        card.addWidget(self.voided, line, 0, 1, 4)
        layout.addWidget(self.card)

        # The questionnaires: a panel of their own, in place of the card, so the card stays short.
        self.questions = QWidget()
        self.questions.setAccessibleName("Questionnaires")
        q_layout = QVBoxLayout(self.questions)
        q_layout.setContentsMargins(0, 0, 0, 0)
        if not self.due:
            q_layout.addWidget(QLabel("No questionnaires are due at this session."))
        for questionnaire in self.due:
            q_layout.addWidget(self._build_questionnaire(questionnaire))
        self.questions.setVisible(False)
        layout.addWidget(self.questions)

        bar = QHBoxLayout()
        self.questions_button = QPushButton()
        self.questions_button.setAccessibleName("Questionnaires: open or close their panel")
        self.questions_button.setToolTip("The questionnaires due today, in their own panel "
                                         "(Alt+Q opens it and goes back)")
        self.questions_button.clicked.connect(self.toggle_questionnaires)
        if not self.due:  # none due today: nothing to open (hide only: it has no parent yet)
            self.questions_button.hide()
        bar.addWidget(self.questions_button)
        self.fix_button = QPushButton("Void or correct a value…")
        self.fix_button.setAccessibleName("Void or correct a mistaken value")
        self.fix_button.clicked.connect(self.fix_value)
        bar.addWidget(self.fix_button)
        bar.addStretch(1)
        self.next_button = QPushButton("Next person ▼ (Alt+Down)")
        self.next_button.setAccessibleName("Next person")
        self.next_button.setObjectName("primary")
        self.next_button.clicked.connect(lambda: self.step(+1))
        self.next_button.installEventFilter(self)
        bar.addWidget(self.next_button)
        layout.addLayout(bar)
        layout.addStretch(1)
        scroll.setWidget(body)
        self.detail = body
        self._label_questions_button()
        return scroll

    def _build_questionnaire(self, q: questionnaires.Questionnaire) -> QGroupBox:
        box = QGroupBox(q.title)
        grid = QGridLayout(box)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(3, 1)
        row_index = 0
        if q.note:
            note = QLabel(q.note)
            note.setObjectName("muted")
            note.setWordWrap(True)
            grid.addWidget(note, row_index, 0, 1, 4)
            row_index += 1
        for item in q.items:
            allowed = questionnaires.allowed_answers(q, item)
            row = EntryRow(
                item.prompt,
                item.id,
                lambda text, k=q.key, i=item.id: _check_answer(k, i, text),
                lambda r, text, k=q.key: self._save_answers(k),
                placeholder=allowed if len(allowed) < 24 else "",
                advance=self._after_entry,
            )
            if len(q.items) > 1:
                row.edit.setAccessibleName(item.label)
            row.last.setText(allowed)
            row.edit.setToolTip(f"{item.prompt}\nAnswers: {allowed}")
            self.answer_rows[(q.key, item.id)] = row
            row_index = row.place(grid, row_index, last_under=len(allowed) >= 24)
        score = QLabel()
        score.setAccessibleName(f"{q.short_title} score")
        grid.addWidget(score, row_index, 0, 1, 4)
        self.score_labels[q.key] = score
        return box

    def _say(self, text: str) -> None:
        """A message over the card; no room is taken while there is none."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def toggle_questionnaires(self) -> None:
        self.show_questionnaires(not self.questions.isVisibleTo(self.detail))

    def show_questionnaires(self, shown: bool) -> None:
        """The questionnaire panel in place of the card (Alt+Q), or the card again."""
        self.questions.setVisible(shown)
        self.card.setVisible(not shown)
        self._label_questions_button()
        self.person_scroll.verticalScrollBar().setValue(0)
        self._show_flags()  # the words go beside the fields now on screen
        self._focus_first_empty()

    def _label_questions_button(self) -> None:
        if self.questions.isVisibleTo(self.detail):
            self.questions_button.setText("◂ Back to check-in")
            return
        done = sum(1 for q in self.due if self.score_labels[q.key].text())
        flagged = any(
            f.flag.measure in self._answer_measures().values()
            for f in self.flags.get(self.patient_id, [])  # type: ignore[arg-type]
        )
        mark = f"{FLAG} " if flagged else ""
        self.questions_button.setText(
            f"{mark}Questionnaires: {done} of {len(self.due)} ▸"
        )

    def _answer_measures(self) -> dict[tuple[str, str], str]:
        """Questionnaire answers also saved as measures (PHQ-9 item 9), by (key, item)."""
        return {
            (q.key, item_id): measure
            for q in self.due
            for item_id, measure in q.item_measurements.items()
        }

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Y or N on a consent's buttons answers it, as a click on Yes or No would; Enter on
        "Next person" goes on, as Space does."""
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QPushButton):
            key = event.key()  # type: ignore[attr-defined]
            if watched is self.next_button and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.next_button.click()
                return True
            for _kind, (yes, no, _state) in self.consent_buttons.items():
                if watched in (yes, no) and key in (Qt.Key.Key_Y, Qt.Key.Key_N):
                    (yes if key == Qt.Key.Key_Y else no).click()
                    return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        # Coming to check-in, the keyboard is ready where the chosen person's check-in goes on.
        QTimer.singleShot(0, self._focus_if_outside)

    def _focus_if_outside(self) -> None:
        focused = QApplication.focusWidget()
        if self.isVisible() and (focused is None or not self.isAncestorOf(focused)):
            self._focus_first_empty()

    # ------------------------------------------------------------------ the roster

    def refresh(self) -> None:
        """Read the roster again; repaint the cells that changed and the chosen person.

        The session's measurements and consents are read once for everyone (not once per row),
        so showing the page costs a few queries whatever the size of the group."""
        self.session = self.clinic.session(self.session_id)
        self.channel_row.setVisible(self.session.mode != Mode.FACE_TO_FACE)
        entries = self.clinic.roster(self.session_id)
        self.entries = {e.patient.id: e for e in entries}
        consents = self.clinic.consents(self.session_id)
        self._read_flags()
        taken: dict[int, list[Measurement]] = {}
        for m in self.clinic.measurements(session_id=self.session_id):
            taken.setdefault(m.patient_id, []).append(m)
        # Kept, so that a change notice re-reads only what it names (see heard()).
        self._consents, self._taken = consents, taken
        keep = self.patient_id
        self.roster.blockSignals(True)
        self.roster.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            pid: int = entry.patient.id  # type: ignore[assignment]
            self._fill_roster_row(row, pid, taken.get(pid, []), consents)
        self.roster.blockSignals(False)
        self._update_counts()
        ids = [e.patient.id for e in entries]
        chosen = keep if keep in ids else (ids[0] if ids else None)
        if chosen is not None:
            self._choose(chosen, consents, taken.get(chosen, []))

    def _fill_roster_row(
        self,
        row: int,
        patient_id: int,
        taken: list[Measurement] | None = None,
        consents: dict[tuple[int, ConsentKind], bool] | None = None,
    ) -> None:
        entry = self.entries[patient_id]
        status = status_words(entry.attendance)
        flags = self.flags.get(patient_id, [])
        name = roster_name(entry.patient)
        if flags:
            name = f"{FLAG} {name}"
            status = f"{FLAG} RED FLAG"  # the status is in the tooltip and over the card
        measured, asked = self._done_text(patient_id, taken, consents)
        cells = [name, status, f"{measured} · {asked}"]
        for column, text in enumerate(cells):
            item = self.roster.item(row, column)
            if item is None:
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, patient_id)
                self.roster.setItem(row, column, item)
                self._mark_flag(item, flags)
                continue
            # Only what differs is touched: each change makes the table lay its columns out.
            if item.text() != text:
                item.setText(text)
            self._mark_flag(item, flags)
            if item.data(Qt.ItemDataRole.UserRole) != patient_id:
                item.setData(Qt.ItemDataRole.UserRole, patient_id)

    def _read_flags(self, patient_id: int | None = None) -> None:
        """Red flags from the facade: everyone's (one read), or one person's after a save."""
        if patient_id is None:
            self.flags = {}
            for flag in self.clinic.red_flags(self.session_id):
                self.flags.setdefault(flag.patient_id, []).append(flag)
        else:
            self.flags[patient_id] = self.clinic.red_flags(self.session_id, patient_id)

    def _mark_flag(self, item: QTableWidgetItem, flags: list[SessionFlag]) -> None:
        # A name cut short by a narrow column or bigger text is always readable in full here.
        own = {0: item.text(), 2: "Measurements taken · consents asked: " + item.text()}
        words = "\n".join(filter(None, [own.get(item.column(), ""), alert_text(flags)]))
        if item.toolTip() != words:
            item.setToolTip(words)
            if flags:  # a red readable on white and on the high-contrast black (4.5:1 both)
                item.setForeground(QColor(FLAG_RED))
            else:  # the theme's own text colour, whichever theme is on
                item.setData(Qt.ItemDataRole.ForegroundRole, None)

    def _show_flags(self) -> None:
        """The chosen person's flags: a banner over their card and an alert beside each field."""
        flags = self.flags.get(self.patient_id, []) if self.patient_id is not None else []
        # A flag whose field is on screen has its words beside that field: the banner names
        # it in one line. One whose field is not on screen gets its words here.
        if self.questions.isVisibleTo(self.detail):
            beside = {m: self.answer_rows[w].edit.accessibleName()
                      for w, m in self._answer_measures().items()}
        else:
            beside = {f.flag.measure: self.rows[field_of(f.flag.measure)].edit.accessibleName()
                      for f in flags if field_of(f.flag.measure) in self.rows}
        words = "\n".join(
            f"{FLAG} RED FLAG: {f.flag.rule.title}. The words to say are beside "
            f"{beside[f.flag.measure]}. {TELL_CLINICIAN}."
            if f.flag.measure in beside and not f.acknowledged
            else alert_text([f])
            for f in flags
        )
        self.flag_banner.setText(words)
        self.flag_banner.setVisible(bool(flags))
        for key, row in self.rows.items():
            row.set_alert(alert_text([f for f in flags if field_of(f.flag.measure) == key]))
        # An answer saved as a measure (PHQ-9 item 9) is alerted beside that answer, the same way.
        for where, measure in self._answer_measures().items():
            row = self.answer_rows[where]
            row.set_alert(alert_text([f for f in flags if f.flag.measure == measure]))
        self._label_questions_button()

    def _done_text(
        self,
        patient_id: int,
        taken: list[Measurement] | None = None,
        consents: dict[tuple[int, ConsentKind], bool] | None = None,
    ) -> tuple[str, str]:
        """How far this person's check-in has got: measurements taken, consents asked."""
        if taken is None:
            taken = self.clinic.measurements(patient_id=patient_id, session_id=self.session_id)
        typed = [f for f in self.fields if not f.derived]
        have = sum(1 for f in typed if reading_text(taken, f.key) is not None)
        if consents is None:
            consents = self.clinic.consents(self.session_id)
        agreed = sum(1 for kind, _ in CONSENTS if (patient_id, kind) in consents)
        return f"{have}/{len(typed)}", f"{agreed}/{len(CONSENTS)}"

    def _row_of(self, patient_id: int) -> int:
        for row in range(self.roster.rowCount()):
            item = self.roster.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == patient_id:
                return row
        return -1

    def _update_roster_row(self, patient_id: int) -> None:
        """Repaint one person's roster row from what heard() has just read."""
        row = self._row_of(patient_id)
        if row < 0:
            return
        self.roster.blockSignals(True)
        self._fill_roster_row(row, patient_id, self._taken.get(patient_id, []), self._consents)
        self.roster.blockSignals(False)
        self._update_counts()

    # ------------------------------------------------------------------ change notices

    def heard(self, changes: ChangeSet) -> None:
        """Refresh rule. Hidden: catch up in a quiet moment. On screen: someone new on the
        roster or a person's details changed repaints the roster; otherwise each person named
        gets one read of each kind of record that changed (their values and red flags, the
        roster, the consents) and their row (and card, if chosen) is repainted from it."""
        people = changes.people_in(CHECKIN_KINDS, self.session_id)
        renamed = any(
            c.kind == "patient" and c.patient_id in self.entries for c in changes.changes
        )
        if not people and not renamed:
            return
        if not self.isVisible() or renamed or not people <= self.entries.keys():
            self.changed()
            return
        kinds = {c.kind for c in changes.changes if c.patient_id in people}
        if "attendance" in kinds or "carer_visit" in kinds:
            self.entries = {e.patient.id: e for e in self.clinic.roster(self.session_id)}
        if "consent" in kinds:
            self._consents = self.clinic.consents(self.session_id)
        for pid in people:
            mine = {c.kind for c in changes.changes if c.patient_id == pid}
            if "measurement" in mine:
                self._values_changed(pid)
            if "measurement" in mine or "red_flag_acknowledgement" in mine:
                self._read_flags(pid)
            self._update_roster_row(pid)
            if pid == self.patient_id:
                if "attendance" in mine or "carer_visit" in mine:
                    self._show_attendance(self.entries[pid].attendance)
                self._show_flags()

    def _values_changed(self, patient_id: int) -> None:
        """One read of a person's values in this session (voided ones too): the roster's
        count, and on their card each field whose stored value differs from the one shown."""
        every = self.clinic.measurements(
            patient_id=patient_id, session_id=self.session_id, include_voided=True
        )
        taken = [m for m in every if not m.voided]
        self._taken[patient_id] = taken
        if patient_id != self.patient_id:
            return
        for spec in self.fields:
            row = self.rows[spec.key]
            now = reading_text(taken, spec.key)
            text = now[0] if now else ""
            # The field being saved, or typed in, keeps what the person typed.
            if text != row.saved_text and not row._busy and not row.edit.hasFocus():
                row.load(text, row.last.text(), row.alert)
        self._show_voided(patient_id, [m for m in every if m.voided])

    def _update_counts(self) -> None:
        statuses = [e.attendance.status for e in self.entries.values()]
        here = sum(1 for s in statuses if s.present)
        remote = sum(
            1 for e in self.entries.values() if e.attendance.status.present
            and e.attendance.channel.remote
        )
        expected = sum(1 for s in statuses if s == AttendanceStatus.INVITED)
        joined = f" ({remote} joining remotely)" if remote else ""
        drop_in = "Drop-in clinic: add people as they arrive · " if self.session.drop_in else ""
        self.counts.setText(
            f"{drop_in}{here} here{joined} · {expected} still expected · {len(statuses)} in all"
        )

    def _roster_moved(self, row: int, *_: int) -> None:
        item = self.roster.item(row, 0) if row >= 0 else None
        if item is not None:
            self.select(item.data(Qt.ItemDataRole.UserRole))

    def step(self, direction: int) -> None:
        """Next or previous person on the roster (Alt+Down / Alt+Up)."""
        self._commit_pending()
        row = self.roster.currentRow() + direction
        if 0 <= row < self.roster.rowCount():
            self.roster.setCurrentCell(row, 0)
            self.person_scroll.verticalScrollBar().setValue(0)  # the next name is in view
            self._focus_first_empty()

    def first_empty_field(self) -> QWidget:
        """Where this person's check-in goes on: arrival, then a consent not asked yet, then a
        measurement not taken yet (on the questionnaire panel: an answer not given yet)."""
        if self.questions.isVisibleTo(self.detail):
            for row in self.answer_rows.values():
                if not row.edit.text().strip():
                    return row.edit
            return self.next_button
        entry = self.entries.get(self.patient_id) if self.patient_id is not None else None
        if entry is None or entry.attendance.status == AttendanceStatus.INVITED:
            return self.attendance_buttons[AttendanceStatus.ATTENDED]
        if not entry.attendance.status.present:
            return self.next_button  # did not attend, cancelled: nothing more to ask
        for yes, no, _state in self.consent_buttons.values():
            if not yes.isChecked() and not no.isChecked():
                return yes
        for spec in self.fields:
            row = self.rows[spec.key]
            if not spec.derived and not row.edit.text().strip():
                return row.edit
        return self.next_button

    def _focus_first_empty(self) -> None:
        field = self.first_empty_field()
        field.setFocus(Qt.FocusReason.TabFocusReason)
        self.person_scroll.ensureWidgetVisible(field)

    def _after_entry(self, row: EntryRow) -> None:
        """Enter saved a field: on to the next field that can be typed in."""
        rows = [r for r in [*self.rows.values(), *self.answer_rows.values()]
                if not r.edit.isReadOnly() and r.edit.isVisibleTo(self.detail)]
        later = rows[rows.index(row) + 1:] if row in rows else []
        empty = [r for r in later if not r.edit.text().strip()]
        target = (empty or later or [None])[0]
        if target is not None:
            target.edit.setFocus(Qt.FocusReason.TabFocusReason)
            self.person_scroll.ensureWidgetVisible(target.edit)
        else:
            self.next_button.setFocus(Qt.FocusReason.TabFocusReason)

    def _commit_pending(self) -> None:
        for row in [*self.rows.values(), *self.answer_rows.values()]:
            if row.edit.hasFocus():
                row.commit()

    # ------------------------------------------------------------------ one person

    def select(self, patient_id: int) -> None:
        entry = self.clinic.roster(self.session_id)
        self.entries = {e.patient.id: e for e in entry}
        self._choose(patient_id)

    def _choose(
        self,
        patient_id: int,
        consents: dict[tuple[int, ConsentKind], bool] | None = None,
        this_session: list[Measurement] | None = None,
    ) -> None:
        """Show a person from `self.entries` (read just before), with what is already read."""
        if patient_id != self.patient_id:
            self._commit_pending()
        self.patient_id = patient_id
        row = self._row_of(patient_id)
        if row >= 0 and self.roster.currentRow() != row:
            self.roster.blockSignals(True)
            self.roster.setCurrentCell(row, 0)
            self.roster.blockSignals(False)
        self._load_person(consents, this_session)

    def _show_attendance(self, attendance: Attendance) -> None:
        self.attendance_group.setExclusive(False)
        for status, button in self.attendance_buttons.items():
            button.setChecked(status == attendance.status)
        self.attendance_group.setExclusive(True)
        self.status_note.setText(f"Now: {status_words(attendance)}")
        self.channel_group.setExclusive(False)
        for channel, button in self.channel_buttons.items():
            button.setChecked(channel == attendance.channel)
            button.setEnabled(channel in self.session.mode.channels)
        self.channel_group.setExclusive(True)
        for box in (self.identity, self.private):
            box.setVisible(attendance.channel.remote)
        self.carer.setChecked(attendance.carer_present)
        self.identity.setChecked(attendance.identity_confirmed)
        self.private.setChecked(attendance.private_place)

    def _load_person(
        self,
        consents: dict[tuple[int, ConsentKind], bool] | None = None,
        this_session: list[Measurement] | None = None,
    ) -> None:
        pid = self.patient_id
        entry = self.entries.get(pid) if pid is not None else None
        self.detail.setEnabled(entry is not None)
        if entry is None:
            return
        self._say("")
        attendance, patient = entry.attendance, entry.patient
        self.person_title.setText(roster_name(patient))
        self._show_attendance(attendance)
        if consents is None:
            consents = self.clinic.consents(self.session_id)
        for kind, (yes, no, state) in self.consent_buttons.items():
            given = consents.get((pid, kind))  # type: ignore[arg-type]
            # An exclusive group will not uncheck its last button: release it for a moment, so
            # someone not asked yet shows neither Yes nor No (never the previous person's answer).
            group = yes.group()
            group.setExclusive(False)
            yes.setChecked(given is True)
            no.setChecked(given is False)
            group.setExclusive(True)
            state.setText(
                "not asked yet" if given is None else ("✓ saved: yes" if given else "✓ saved: no")
            )

        if this_session is None:
            this_session = self.clinic.measurements(patient_id=pid, session_id=self.session_id)
        self._show_voided(pid)
        everything = self.clinic.measurements(patient_id=pid)
        before = [m for m in everything if m.session_id != self.session_id]
        for spec in self.fields:
            now = reading_text(this_session, spec.key)
            last = reading_text(before, spec.key)
            last_words = (
                f"last: {last[0]} on {last[1].taken_at.astimezone():%d %b %Y}"
                if last
                else "last: none recorded"
            )
            self.rows[spec.key].load(now[0] if now else "", last_words)

        responses = {
            r.questionnaire_key: r
            for r in self.clinic.responses(session_id=self.session_id, patient_id=pid)
        }
        for (key, item_id), row in self.answer_rows.items():
            answers = (responses[key].answers or {}) if key in responses else {}
            value = answers.get(item_id)
            row.load("" if value in (None, "") else str(value), row.last.text())
        for q in self.due:
            self._show_score(q.key, responses[q.key].answers if q.key in responses else None)
        self._show_flags()

    def _show_voided(self, pid: int, voided: list[Measurement] | None = None) -> None:

        if voided is None:
            voided = [
                m
                for m in self.clinic.measurements(
                    patient_id=pid, session_id=self.session_id, include_voided=True
                )
                if m.voided
            ]
        self.voided.setText(voided_html(voided))
        self.voided.setVisible(bool(voided))

    def fix_value(self) -> None:
        pid = self.patient_id
        if pid is None:
            return
        dialog = FixMeasurementDialog(self.clinic, self.session_id, pid, self)
        dialog.exec()  # a void or correction repaints the card through its change notice

    def open_details(self) -> None:

        if self.patient_id is not None:
            # Names changed on the roster too: the change notice repaints it.
            edit_patient_details(self.clinic, self.patient_id, self)

    def open_carer(self) -> None:

        add_carer(self.clinic, self.session_id, self.patient_id, self)  # repainted by its notice

    def set_status(self, status: AttendanceStatus) -> None:
        pid = self.patient_id
        if pid is None:
            return
        if status == AttendanceStatus.DID_NOT_ATTEND and not self._confirm_absent(pid):
            self._load_person()
            return
        try:
            self.clinic.set_attendance(self.session_id, pid, status)
        except ClinicError as exc:
            self._say(str(exc))
            self._load_person()
            return
        entry = self.entries.get(pid)  # read again by the attendance notice
        now = status_words(entry.attendance) if entry else STATUS_WORDS[status]
        self.status_note.setText(f"Now: {now} ✓ saved")
        if status.present:
            self._focus_first_empty()  # on to the consents, from the keyboard too
        else:
            self.next_button.setFocus()  # not here: nothing more to ask them

    def _confirm_absent(self, patient_id: int) -> bool:
        """Ask before "did not attend" for someone with values or consents already saved."""
        taken = self.clinic.measurements(patient_id=patient_id, session_id=self.session_id)
        consents = self.clinic.consents(self.session_id)
        agreed = [kind for kind, _ in CONSENTS if (patient_id, kind) in consents]
        if not taken and not agreed:
            return True
        entry = self.entries.get(patient_id)
        name = roster_name(entry.patient) if entry else "This person"
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Did not attend?")
        box.setText(
            f"{name} already has {len(taken)} value(s) and {len(agreed)} consent(s) saved today."
            "\n\nMark them as did not attend? What is saved is kept."
        )
        mark = box.addButton("Mark did not attend", QMessageBox.ButtonRole.YesRole)
        keep = box.addButton("Keep as they are", QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is mark

    def add_new_person(self) -> None:
        """Someone who is not in the store: a short form, then they are a drop-in."""
        members = [(m.ods_code, m.name) for m in self.clinic.member_practices()]
        dialog = NewPersonDialog(self, members)
        typed = self.search.text().strip()
        if typed and not any(ch.isdigit() for ch in typed):
            given, _, family = typed.partition(" ")
            dialog.given.setText(given)
            dialog.family.setText(family)
        elif typed:
            dialog.nhs.setText(typed)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                patient = self.clinic.add_new_drop_in(
                    self.session_id,
                    dialog.nhs.text(),
                    dialog.given.text(),
                    dialog.family.text(),
                    dialog.born.text(),
                    sex=dialog.sex.currentData(),
                    registered_ods=dialog.practice.currentData(),
                )
            except ClinicError as exc:
                dialog.error.setText(str(exc))
                continue
            self.search.clear()
            self._find("")
            self.search_note.setText(
                f"Added {patient.full_name} as a drop-in ✓ (added on the day: the admin checks "
                "them against the GP record)"
            )
            # The notice showed them on the roster; now their card.
            self._choose(patient.id)  # type: ignore[arg-type]
            return

    def set_channel(self, channel: Channel) -> None:
        """In the room, video or phone; the identity and private-place checks follow."""
        pid = self.patient_id
        if pid is None:
            return
        try:
            self.clinic.set_attendance(self.session_id, pid, channel=channel)
        except ClinicError as exc:
            self.message.setText(str(exc))
            self._load_person()
            return
        # The attendance notice has re-read the roster and repainted the row and the card.
        self.status_note.setText(f"Now: {status_words(self.entries[pid].attendance)} ✓ saved")

    def _attendance_flag(self, name: str, on: bool) -> None:
        pid = self.patient_id
        if pid is None:
            return
        try:
            self.clinic.set_attendance(self.session_id, pid, **{name: on})
        except ClinicError as exc:
            self._say(str(exc))
            self._load_person()
            return

    def set_consent(self, kind: ConsentKind, given: bool) -> None:
        pid = self.patient_id
        if pid is None:
            return
        try:
            self.clinic.set_consent(self.session_id, pid, kind, given)
        except ClinicError as exc:
            self._say(str(exc))
            self._load_person()
            return
        self.consent_buttons[kind][2].setText("✓ saved: yes" if given else "✓ saved: no")
        self._focus_first_empty()  # the next consent not asked yet, then the measurements

    # ------------------------------------------------------------------ saving values

    def confirm_unusual(self, message: str) -> bool:
        """Ask before saving an unusual value; the safe answer is the default."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Check this value")
        box.setText(f"{message}\n\nSave it?")
        save = box.addButton("Save it", QMessageBox.ButtonRole.YesRole)
        check = box.addButton("Check again", QMessageBox.ButtonRole.NoRole)
        save.setAccessibleName("Save it")
        check.setAccessibleName("Check again")
        box.setDefaultButton(check)
        box.exec()
        return box.clickedButton() is save

    def _save_measurement(self, row: EntryRow, text: str) -> bool:
        pid = self.patient_id
        if pid is None:
            return False
        key = row.field_id
        try:
            try:
                self.clinic.record_measurement(pid, key, text, session_id=self.session_id)
            except NeedsConfirmation as exc:
                if not self.confirm_unusual(str(exc)):
                    row._show(("amber", "Not saved: check the value, then press Enter again."))
                    row.edit.setFocus()
                    return False
                self.clinic.record_measurement(
                    pid, key, text, session_id=self.session_id, confirmed=True
                )
        except ClinicError as exc:
            row._show(("red", f"✗ Not saved: {exc}"))
            return False
        # Its change notice has repainted the derived values, red flags and roster (heard()).
        return True

    def _answers(self, key: str) -> dict[str, str]:
        return {
            item_id: row.edit.text().strip()
            for (q_key, item_id), row in self.answer_rows.items()
            if q_key == key and row.edit.text().strip()
        }

    def _save_answers(self, key: str) -> bool:
        pid = self.patient_id
        if pid is None:
            return False
        answers = self._answers(key)
        try:
            self.clinic.record_questionnaire(self.session_id, pid, key, answers)
        except ClinicError as exc:
            self._say(f"Not saved: {exc}")
            return False
        # Every answer of this questionnaire is now saved together.
        for (q_key, _item), row in self.answer_rows.items():
            if q_key == key and row.edit.text().strip():
                row.saved_text = row.edit.text().strip()
                row._show(("ok", SAVED))
        self._show_score(key, answers)
        q = questionnaires.get(key)
        # Saved as measures too (a red flag, the board): the measurement notice has re-read this
        # person's flags and repainted their row and alerts; only a plain questionnaire's button
        # needs its count here.
        if not (q.measurement or q.item_measurements):
            self._label_questions_button()
        return True

    def _show_score(self, key: str, answers: dict | None) -> None:
        label = self.score_labels[key]
        if not answers:
            label.setText("")
            return
        try:
            result = questionnaires.score(key, answers)
        except InvalidInput:
            label.setText("")
            return
        label.setText(
            f"Score: {result.label}" if result.complete else f"Not complete: {result.reason}"
        )

    # ------------------------------------------------------------------ drop-ins

    def _candidates(self, text: str) -> list[Patient]:
        query = text.strip().lower()
        if not query:
            return []
        digits = "".join(ch for ch in query if ch.isdigit())
        words = [w for w in query.split() if not w.isdigit()]
        on_roster = set(self.entries)
        enrolled = self.clinic.enrolled(self.session.programme_id)
        enrolled_ids = {p.id for p in enrolled}
        # A drop-in clinic is open to those enrolled; anyone else is added with New person.
        others = (
            []
            if self.session.drop_in
            else [p for p in self.clinic.patients() if p.id not in enrolled_ids]
        )
        found = []
        for patient in [*enrolled, *others]:
            if patient.id in on_roster:
                continue
            names = " ".join(
                filter(None, [patient.given_name, patient.family_name, patient.preferred_name])
            ).lower()
            if words and not all(w in names for w in words):
                continue
            if digits and (len(digits) < 3 or digits not in patient.nhs_number):
                continue
            if not words and not digits:
                continue
            found.append(patient)
        return found[:8]

    def _find(self, text: str) -> None:
        self.found.clear()
        matches = self._candidates(text)
        for patient in matches:
            nhs = validation.format_nhs_number(patient.nhs_number)
            item = QListWidgetItem(f"{roster_name(patient)} · {nhs}")
            item.setData(Qt.ItemDataRole.UserRole, patient.id)
            self.found.addItem(item)
        self.found.setVisible(bool(matches))
        if matches:
            self.found.setCurrentRow(0)
        self.search_note.setText(
            "" if matches or not text.strip() else "No one found: New person… adds them."
        )

    def add_drop_in(self) -> None:
        item = self.found.currentItem()
        if item is None or not self.found.isVisible():
            self.search_note.setText("Type a name or NHS number, then choose the person.")
            return
        pid = item.data(Qt.ItemDataRole.UserRole)
        chosen, self.patient_id = self.patient_id, pid  # the notice's repaint shows them
        try:
            self.clinic.set_attendance(self.session_id, pid, AttendanceStatus.DROP_IN)
        except ClinicError as exc:
            self.patient_id = chosen
            self.search_note.setText(str(exc))
            return
        self.search.clear()
        self._find("")
        self.search_note.setText("Added as a drop-in ✓")


class NewPersonDialog(QDialog):
    """NHS number, names, date of birth, sex and registered practice of someone added on the
    day (the practice is asked only when the store serves several)."""

    def __init__(
        self, parent: QWidget | None = None, members: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a new person on the day")
        form = QFormLayout(self)
        note = QLabel("They join today's session as a drop-in and are marked \"added on the "
                      "day\" for the admin to check against the GP record.")
        note.setWordWrap(True)
        form.addRow(note)
        self.nhs = QLineEdit()
        self.nhs.setPlaceholderText("e.g. 999 000 0107")
        self.given = QLineEdit()
        self.family = QLineEdit()
        self.born = QLineEdit()
        self.born.setPlaceholderText("dd/mm/yyyy")
        self.sex = QComboBox()
        for value, words in (("unknown", "Not stated"), ("female", "Female"),
                             ("male", "Male"), ("other", "Other")):
            self.sex.addItem(words, value)
        # Their notes go to this practice; with one member practice there is nothing to ask.
        self.practice = QComboBox()
        members = members or []
        if len(members) > 1:
            self.practice.addItem("(choose their GP practice)", None)
        for ods, name in members:
            self.practice.addItem(f"{name} ({ods})", ods)
        rows = [("&NHS number", self.nhs), ("&First name", self.given),
                ("&Surname", self.family), ("&Date of birth", self.born), ("S&ex", self.sex)]
        if len(members) > 1:
            rows.append(("&Registered practice", self.practice))
        for label, widget in rows:
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(label, widget)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Message")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add as drop-in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def _check_answer(key: str, item_id: str, text: str) -> tuple[str, str]:
    if not text.strip():
        return "", ""
    try:
        questionnaires.score(key, {item_id: text})
    except InvalidInput as exc:
        return "red", f"✗ {exc}"
    return "info", "Press Enter to save"
