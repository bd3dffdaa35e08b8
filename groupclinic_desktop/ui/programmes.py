"""The admin's programme editor: create from a template, rename, change what the programme
measures, its targets, topics, phase durations and questionnaires; plan a series of sessions;
move or cancel one planned session.

Every change goes through the Clinic, which checks it against the catalogue and bumps the
programme's version; sessions already planned keep the version they were planned under.
"""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import appointments, questionnaires
from groupclinic_desktop.core import programmes as templates
from groupclinic_desktop.core.catalogue import MeasurementType, catalogue
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.joining import CADENCE_WORDS, DROP_IN_WORDS
from groupclinic_desktop.core.joining import MODE_WORDS as JOINING_MODE_WORDS
from groupclinic_desktop.core.schema import Cadence, ClinicSession, Mode, SessionStatus
from groupclinic_desktop.ui.widgets import heading

DROP_IN = "drop_in"  # the Repeat choice for a single drop-in clinic
SCHEDULE_CHOICES = ("every", "first", "last", "first_and_every_3", "first_and_every_2")
NOT_ASKED = "not asked"


class ProgrammeEditor(QWidget):
    """Edit one programme at a time; "Save changes" makes a new version."""

    changed = Signal(int)  # programme id, after a save

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.setAccessibleName("Programme editor")
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        layout.addWidget(heading("Programmes"))
        top = QHBoxLayout()
        self.chooser = QComboBox()
        self.chooser.setAccessibleName("Programme to edit")
        self.chooser.currentIndexChanged.connect(lambda _: self.load())
        top.addWidget(self.chooser, 2)
        self.version = QLabel()
        top.addWidget(self.version)
        layout.addLayout(top)

        new = QHBoxLayout()
        self.template = QComboBox()
        self.template.setAccessibleName("Template for a new programme")
        for key, t in sorted(templates.templates().items()):
            self.template.addItem(t.name, key)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("Name of the new programme")
        self.new_name.setAccessibleName("Name of the new programme")
        self.create_button = QPushButton("Create from template")
        self.create_button.clicked.connect(self.create)
        new.addWidget(self.template, 1)
        new.addWidget(self.new_name, 1)
        new.addWidget(self.create_button)
        layout.addLayout(new)

        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("Programme name")
        form.addRow("Name", self.name)
        layout.addLayout(form)

        # Measurements, in board order.
        box = QGroupBox("Measurements (board order)")
        grid = QGridLayout(box)
        self.measurements = QListWidget()
        self.measurements.setAccessibleName("Measurements on the board, in order")
        self.measurements.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.measurements.setMinimumHeight(170)
        grid.addWidget(self.measurements, 0, 0, 4, 1)
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.remove_button = QPushButton("Remove")
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.remove_button.clicked.connect(self._remove)
        grid.addWidget(self.up_button, 0, 1)
        grid.addWidget(self.down_button, 1, 1)
        grid.addWidget(self.remove_button, 2, 1)
        add_row = QHBoxLayout()
        self.add_choice = QComboBox()
        self.add_choice.setAccessibleName("Measurement to add")
        for mtype in catalogue():
            if mtype.key in templates.PRIVATE_MEASURES:
                continue  # a private answer (PHQ-9 item 9) never goes on the board
            if not mtype.is_derived or mtype.key == "bmi":
                self.add_choice.addItem(mtype.label, mtype.key)
                self.add_choice.setItemData(
                    self.add_choice.count() - 1, _library_note(mtype), Qt.ItemDataRole.ToolTipRole
                )
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self._add)
        add_row.addWidget(self.add_choice, 1)
        add_row.addWidget(self.add_button)
        grid.addLayout(add_row, 4, 0, 1, 2)
        layout.addWidget(box)

        # Targets: programme overrides of the catalogue's (blank = the catalogue's own).
        box = QGroupBox("Targets (leave blank to use the guideline in the catalogue)")
        v = QVBoxLayout(box)
        self.targets = QTableWidget(0, 4)
        self.targets.setHorizontalHeaderLabels(("Measurement", "Below", "Above", "Source"))
        self.targets.setAccessibleName("Programme targets")
        self.targets.horizontalHeader().setStretchLastSection(True)
        self.targets.setMinimumHeight(220)
        v.addWidget(self.targets)
        layout.addWidget(box)

        box = QGroupBox("Topic board (one topic a line)")
        v = QVBoxLayout(box)
        self.topics = QPlainTextEdit()
        self.topics.setAccessibleName("Topics, one a line")
        self.topics.setTabChangesFocus(True)
        v.addWidget(self.topics)
        layout.addWidget(box)

        box = QGroupBox("Minutes per phase")
        h = QHBoxLayout(box)
        self.minutes: dict[str, QSpinBox] = {}
        for phase in templates.PHASES:
            spin = QSpinBox()
            spin.setRange(0, 120)
            spin.setAccessibleName(f"{templates.PHASE_TITLES[phase]} minutes")
            self.minutes[phase] = spin
            h.addWidget(QLabel(templates.PHASE_TITLES[phase]))
            h.addWidget(spin)
        self.total = QLabel()
        h.addWidget(self.total)
        for spin in self.minutes.values():
            spin.valueChanged.connect(self._show_total)
        layout.addWidget(box)

        # The one-to-one appointment a review replaces, for the ICB's "clinician time released".
        box = QGroupBox("Usual one-to-one appointment (for the ICB's time-released figures)")
        form = QFormLayout(box)
        self.usual_minutes = QLineEdit()
        self.usual_minutes.setAccessibleName(appointments.FIELD)
        self.usual_minutes.setMaximumWidth(120)
        self.usual_default = QLabel()
        self.usual_default.setWordWrap(True)
        self.usual_default.setAccessibleName("Usual appointment minutes: default and source")
        row_box = QHBoxLayout()
        row_box.addWidget(self.usual_minutes)
        row_box.addWidget(QLabel("minutes (1-120; leave blank for the default)"))
        row_box.addStretch(1)
        form.addRow("Usual appointment", row_box)
        form.addRow("Default", self.usual_default)
        layout.addWidget(box)

        box = QGroupBox("Questionnaires and when they are asked")
        form = QFormLayout(box)
        self.schedules: dict[str, QComboBox] = {}
        for key, q in questionnaires.questionnaires().items():
            combo = QComboBox()
            combo.setEditable(True)  # first_and_every_N for any N
            combo.addItem(NOT_ASKED)
            combo.addItems(SCHEDULE_CHOICES)
            combo.setAccessibleName(f"{q.short_title}: when asked")
            combo.setToolTip(f"{q.title}. Licence: {q.licence}")
            self.schedules[key] = combo
            form.addRow(q.short_title, combo)
        layout.addWidget(box)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save changes (new version)")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Result of the last change")
        buttons.addWidget(self.message, 1)
        layout.addLayout(buttons)

        layout.addWidget(heading("Sessions", 1.1))
        self.sessions = QListWidget()
        self.sessions.setAccessibleName("Sessions of this programme")
        layout.addWidget(self.sessions)
        row = QHBoxLayout()
        self.series_button = QPushButton("Plan a series or drop-in clinic…")
        self.move_button = QPushButton("Move session…")
        self.cancel_button = QPushButton("Cancel session…")
        self.joining_button = QPushButton("How it is held and joined…")
        self.joining_button.setAccessibleName("Change how the session is held and its joining link")
        self.series_button.clicked.connect(self._ask_series)
        self.move_button.clicked.connect(self._ask_move)
        self.cancel_button.clicked.connect(self._ask_cancel)
        self.joining_button.clicked.connect(self._ask_joining)
        for b in (self.series_button, self.move_button, self.joining_button, self.cancel_button):
            row.addWidget(b)
        layout.addLayout(row)
        self.reload()

    # ------------------------------------------------------------------ loading

    def programme_id(self) -> int | None:
        return self.chooser.currentData()

    def reload(self, select: int | None = None) -> None:
        wanted = select if select is not None else self.programme_id()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for p in self.clinic.programmes():
            self.chooser.addItem(p.name, p.id)
        index = self.chooser.findData(wanted) if wanted is not None else 0
        self.chooser.setCurrentIndex(max(index, 0))
        self.chooser.blockSignals(False)
        self.load()

    def load(self) -> None:
        pid = self.programme_id()
        if pid is None:
            return
        p = self.clinic.programme(pid)
        d = p.definition or {}
        self.version.setText(f"version {p.version}")
        self.name.setText(p.name)
        self.measurements.clear()
        for key in d.get("measurements", []):
            self._add_item(key)
        self._fill_targets(d.get("targets") or {})
        self.topics.setPlainText("\n".join(d.get("topics", [])))
        for phase, spin in self.minutes.items():
            spin.setValue(int((d.get("phase_minutes") or {}).get(phase, 0)))
        own = d.get(appointments.KEY)
        self.usual_minutes.setText("" if own is None else str(own))
        default = appointments.default_for(d.get("key") or p.template_key)
        self.usual_minutes.setPlaceholderText(str(default.minutes))
        self.usual_default.setText(
            f"{default.words()}. The sessions' monitoring events carry the figure in use."
        )
        asked = d.get("questionnaires") or {}
        for key, combo in self.schedules.items():
            combo.setCurrentText(asked.get(key, NOT_ASKED))
        self._show_total()
        self._fill_sessions()

    def _add_item(self, key: str) -> None:
        label = catalogue().get(key).label if key in catalogue() else key
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.measurements.addItem(item)

    def _fill_targets(self, targets: dict) -> None:
        keys = self.measurement_keys()
        self.targets.setRowCount(len(keys))
        for r, key in enumerate(keys):
            fields = targets.get(key, {})
            name = QTableWidgetItem(catalogue().get(key).label)
            name.setData(Qt.ItemDataRole.UserRole, key)
            name.setToolTip(_library_note(catalogue().get(key)))
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.targets.setItem(r, 0, name)
            for c, field in enumerate(("below", "above", "source"), start=1):
                value = fields.get(field)
                self.targets.setItem(r, c, QTableWidgetItem("" if value is None else f"{value}"))

    def _fill_sessions(self) -> None:
        chosen = self.selected_session()
        self.sessions.clear()
        pid = self.programme_id()
        for s in self.clinic.sessions():
            if s.programme_id != pid:
                continue
            item = QListWidgetItem(_session_words(s))
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.sessions.addItem(item)
            if s.id == chosen:
                self.sessions.setCurrentItem(item)  # the one just moved stays chosen

    def _show_total(self) -> None:
        self.total.setText(f"= {sum(s.value() for s in self.minutes.values())} min")

    # ------------------------------------------------------------------ editing

    def measurement_keys(self) -> list[str]:
        return [
            self.measurements.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.measurements.count())
        ]

    def _move(self, step: int) -> None:
        row = self.measurements.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.measurements.count():
            return
        item = self.measurements.takeItem(row)
        self.measurements.insertItem(target, item)
        self.measurements.setCurrentRow(target)

    def _remove(self) -> None:
        row = self.measurements.currentRow()
        if row >= 0:
            self.measurements.takeItem(row)
            self._fill_targets(self._targets_from_table())

    def _add(self) -> None:
        key = self.add_choice.currentData()
        if key and key not in self.measurement_keys():
            self._add_item(key)
            self._fill_targets(self._targets_from_table())

    def _targets_from_table(self) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for r in range(self.targets.rowCount()):
            key = self.targets.item(r, 0).data(Qt.ItemDataRole.UserRole)
            texts = [
                (self.targets.item(r, c).text().strip() if self.targets.item(r, c) else "")
                for c in (1, 2, 3)
            ]
            if not any(texts):
                continue
            fields: dict = {"source": texts[2]}
            for name, text in zip(("below", "above"), texts[:2], strict=True):
                if text:
                    try:
                        fields[name] = float(text)
                    except ValueError:
                        fields[name] = text  # the Clinic refuses it with a clear message
            found[key] = fields
        return found

    def create(self) -> None:
        try:
            p = self.clinic.create_programme_from_template(
                self.template.currentData(), self.new_name.text()
            )
        except ClinicError as exc:
            self._say(str(exc), ok=False)
            return
        self.new_name.clear()
        self.reload(select=p.id)
        self._say(f"Created '{p.name}' (version 1).")

    def save(self) -> None:
        pid = self.programme_id()
        if pid is None:
            return
        schedules = {
            key: combo.currentText().strip()
            for key, combo in self.schedules.items()
            if combo.currentText().strip() not in ("", NOT_ASKED)
        }
        try:
            p = self.clinic.update_programme(
                pid,
                name=self.name.text(),
                measurements=self.measurement_keys(),
                targets=self._targets_from_table(),
                topics=self.topics.toPlainText().splitlines(),
                phase_minutes={k: s.value() for k, s in self.minutes.items()},
                questionnaires=schedules,
                usual_appointment_minutes=self.usual_minutes.text(),
            )
        except (ClinicError, ValueError) as exc:
            self._say(str(exc), ok=False)
            return
        self.reload(select=p.id)
        self._say(f"Saved: '{p.name}' is now version {p.version}. Past sessions keep theirs.")
        self.changed.emit(pid)

    def _say(self, text: str, *, ok: bool = True) -> None:
        self.message.setText(text)
        self.message.setProperty("state", "ok" if ok else "error")
        self.message.setStyleSheet("" if ok else "color: #B00020; font-weight: bold;")

    # ------------------------------------------------------------------ sessions

    def selected_session(self) -> int | None:
        item = self.sessions.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def series_dialog(self) -> SeriesDialog:
        return SeriesDialog(self.clinic, self.programme_id(), self)  # type: ignore[arg-type]

    def _ask_series(self) -> None:
        dialog = self.series_dialog()
        if dialog.exec():
            self._fill_sessions()
            self._say(f"Planned {len(dialog.planned)} sessions.")

    def move_selected(self, day: date, start: time | None = None, place: str | None = None) -> bool:
        sid = self.selected_session()
        if sid is None:
            self._say("Choose a session first.", ok=False)
            return False
        try:
            self.clinic.move_session(sid, day, start, place)
        except ClinicError as exc:
            self._say(str(exc), ok=False)
            return False
        self._fill_sessions()
        self._say(f"Moved to {day:%a %d %b %Y}.")
        return True

    def cancel_selected(self, reason: str) -> bool:
        sid = self.selected_session()
        if sid is None:
            self._say("Choose a session first.", ok=False)
            return False
        try:
            self.clinic.cancel_session(sid, reason)
        except ClinicError as exc:
            self._say(str(exc), ok=False)
            return False
        self._fill_sessions()
        self._say("Session cancelled.")
        return True

    def _ask_move(self) -> None:
        sid = self.selected_session()
        if sid is None:
            self._say("Choose a session first.", ok=False)
            return
        dialog = MoveDialog(self.clinic.session(sid), self)
        if dialog.exec():
            self.move_selected(*dialog.values())

    def set_joining_selected(self, mode: str, link: str, instructions: str) -> bool:
        """Face to face, video or hybrid, with the joining link and words. Audited."""
        sid = self.selected_session()
        if sid is None:
            self._say("Choose a session first.", ok=False)
            return False
        remote = mode != Mode.FACE_TO_FACE.value
        try:
            self.clinic.set_session_joining(
                sid, mode=mode, joining_link=link if remote else None,
                joining_instructions=instructions if remote else None,
            )
        except ClinicError as exc:
            self._say(str(exc), ok=False)
            return False
        self._fill_sessions()
        self._say(f"Now held: {JOINING_MODE_WORDS[Mode(mode)].lower()}.")
        return True

    def _ask_joining(self) -> None:
        sid = self.selected_session()
        if sid is None:
            self._say("Choose a session first.", ok=False)
            return
        dialog = JoiningDialog(self.clinic.session(sid), self)
        if dialog.exec():
            self.set_joining_selected(*dialog.values())

    def _ask_cancel(self) -> None:
        reason, ok = QInputDialog.getText(self, "Cancel session", "Why is it cancelled?")
        if ok:
            self.cancel_selected(reason)


class SeriesDialog(QDialog):
    """Date, time, place, how often and how many, how it is held and how people join: the whole
    series (or a single drop-in clinic) in one step."""

    def __init__(self, clinic: Clinic, programme_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.programme_id = programme_id
        self.planned: list[ClinicSession] = []
        self.setWindowTitle("Plan a series of sessions or a drop-in clinic")
        form = QFormLayout(self)
        self.first_day = QDateEdit(QDate.currentDate().addDays(7))
        self.first_day.setCalendarPopup(True)
        self.first_day.setDisplayFormat("dd/MM/yyyy")
        self.first_day.setAccessibleName("First session date")
        self.start = QTimeEdit(QTime(10, 0))
        self.start.setAccessibleName("Start time")
        self.place = QLineEdit()
        self.place.setAccessibleName("Place")
        self.every = QComboBox()
        for cadence in (Cadence.MONTH, Cadence.WEEK, Cadence.FORTNIGHT, Cadence.QUARTER):
            self.every.addItem(CADENCE_WORDS[cadence], cadence.value)
        self.every.addItem(DROP_IN_WORDS, DROP_IN)
        self.every.setAccessibleName("How often")
        self.every.currentIndexChanged.connect(lambda _i: self._show_choices())
        self.mode = QComboBox()
        for mode in Mode:
            self.mode.addItem(JOINING_MODE_WORDS[mode], mode.value)
        self.mode.setAccessibleName("How it is held")
        self.mode.currentIndexChanged.connect(lambda _i: self._show_choices())
        self.joining_link = QLineEdit()
        self.joining_link.setAccessibleName("Joining link")
        self.joining_link.setPlaceholderText("https://… (the video call's link)")
        self.joining_instructions = QPlainTextEdit()
        self.joining_instructions.setAccessibleName("Joining instructions")
        self.joining_instructions.setPlaceholderText(
            "e.g. Join 10 minutes early; by phone, call 0300 123 4567 and give code 1234."
        )
        self.joining_instructions.setMaximumHeight(64)
        self.joining_note = QLabel(
            "People joining by video or phone get this link and these words in their text "
            "message and letter. Their identity and a private place are checked at check-in."
        )
        self.joining_note.setWordWrap(True)
        self.joining_note.setObjectName("muted")
        self.count = QSpinBox()
        self.count.setRange(1, Clinic.MAX_SERIES)
        self.count.setValue(6)
        self.count.setAccessibleName("Number of sessions")
        self.facilitator = QComboBox()
        self.facilitator.addItem("(choose later)", None)
        self.clinicians = QListWidget()
        self.clinicians.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.clinicians.setMaximumHeight(90)
        for user in clinic.staff():
            if user.role.value == "facilitator":
                self.facilitator.addItem(user.name, user.id)
            if user.role.value == "clinician":
                item = QListWidgetItem(user.name)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                self.clinicians.addItem(item)
        form.addRow("First session", self.first_day)
        form.addRow("Start time", self.start)
        form.addRow("Place", self.place)
        form.addRow("Repeat", self.every)
        form.addRow("Sessions", self.count)
        form.addRow("Held", self.mode)
        form.addRow("Joining link", self.joining_link)
        form.addRow("Joining instructions", self.joining_instructions)
        form.addRow(self.joining_note)
        form.addRow("Facilitator", self.facilitator)
        form.addRow("Clinicians", self.clinicians)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #B00020; font-weight: bold;")
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Plan the series")
        buttons.accepted.connect(self.plan)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._show_choices()

    def _show_choices(self) -> None:
        """Only what applies: a count for a series, a link for video and hybrid sessions."""
        drop_in = self.every.currentData() == DROP_IN
        self.count.setEnabled(not drop_in)
        self.ok_button.setText("Plan the drop-in clinic" if drop_in else "Plan the series")
        remote = self.mode.currentData() != Mode.FACE_TO_FACE.value
        for widget in (self.joining_link, self.joining_instructions, self.joining_note):
            widget.setEnabled(remote)

    def plan(self) -> None:
        remote = self.mode.currentData() != Mode.FACE_TO_FACE.value
        common: dict = {
            "mode": Mode(self.mode.currentData()),
            "facilitator_id": self.facilitator.currentData(),
            "clinician_ids": [
                i.data(Qt.ItemDataRole.UserRole) for i in self.clinicians.selectedItems()
            ],
            "joining_link": self.joining_link.text() if remote else None,
            "joining_instructions": self.joining_instructions.toPlainText() if remote else None,
        }
        day = self.first_day.date().toPython()
        start = self.start.time().toPython()
        try:
            if self.every.currentData() == DROP_IN:
                self.planned = [
                    self.clinic.plan_drop_in_clinic(
                        self.programme_id, day, start, self.place.text(), **common  # type: ignore[arg-type]
                    )
                ]
            else:
                self.planned = self.clinic.plan_series(
                    self.programme_id,
                    day,  # type: ignore[arg-type]
                    start,  # type: ignore[arg-type]
                    self.place.text(),
                    every=self.every.currentData(),
                    count=self.count.value(),
                    **common,
                )
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


class MoveDialog(QDialog):
    def __init__(self, session: ClinicSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Move session")
        form = QFormLayout(self)
        self.day = QDateEdit(QDate(session.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.start = QTimeEdit(QTime(session.start_time))
        self.place = QLineEdit(session.place)
        form.addRow("New date", self.day)
        form.addRow("Start time", self.start)
        form.addRow("Place", self.place)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[date, time, str]:
        return self.day.date().toPython(), self.start.time().toPython(), self.place.text()  # type: ignore[return-value]


class JoiningDialog(QDialog):
    """How one session is held (face to face, video, hybrid) and its joining link and words."""

    def __init__(self, session: ClinicSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("How the session is held and joined")
        form = QFormLayout(self)
        self.mode = QComboBox()
        for mode in Mode:
            self.mode.addItem(JOINING_MODE_WORDS[mode], mode.value)
        self.mode.setCurrentIndex(self.mode.findData(session.mode.value))
        self.joining_link = QLineEdit(session.joining_link or "")
        self.joining_link.setAccessibleName("Joining link")
        self.joining_instructions = QPlainTextEdit(session.joining_instructions or "")
        self.joining_instructions.setAccessibleName("Joining instructions")
        self.joining_instructions.setMaximumHeight(64)
        form.addRow("Held", self.mode)
        form.addRow("Joining link", self.joining_link)
        form.addRow("Joining instructions", self.joining_instructions)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str]:
        return (
            self.mode.currentData(),
            self.joining_link.text(),
            self.joining_instructions.toPlainText(),
        )


def _library_note(mtype: MeasurementType) -> str:
    """What the catalogue says of a measure, for the admin choosing targets: the plausible range
    a programme target must lie in, and the guideline's own target (if any) with its source."""
    unit = f" {mtype.unit}"
    guideline = (
        f"Guideline target: {mtype.target.source}." if mtype.target else "No guideline target."
    )
    return (
        f"{mtype.label}: a target must lie within {mtype.hard_min:g}-{mtype.hard_max:g}{unit} "
        f"(plausible range). {guideline}"
    )


def _session_words(s: ClinicSession) -> str:
    status = "" if s.status == SessionStatus.PLANNED else f" ({s.status.value})"
    held = "" if s.mode == Mode.FACE_TO_FACE else f", {s.mode.value.replace('_', ' ')}"
    kind = " drop-in clinic" if s.drop_in else ""
    return (
        f"{s.session_number}.{kind} {s.day:%a %d %b %Y} {s.start_time:%H:%M}, {s.place}{held}"
        f" - version {s.programme_version}{status}"
    )
