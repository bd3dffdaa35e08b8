"""The admin's export screen: get each attendee's notes into the GP record and track filing.

Pick a finished session; see each person's coded summary (with a Copy button that puts it on the
clipboard as tab-separated text for a GP-system template); export the session, or every session
not yet exported, to a folder the admin picks; mark people "filed in GP record" and see who is
still outstanding. Everything goes through the Clinic facade and export.batch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.private_files import readable_by_others
from groupclinic_desktop.core.professions import name_with_profession
from groupclinic_desktop.core.schema import ExportRecord, SessionStatus
from groupclinic_desktop.core.validation import format_nhs_number
from groupclinic_desktop.core.views.session_record import (
    PersonRecord,
    SessionRecord,
    build_session_record,
)
from groupclinic_desktop.export.batch import export_session, export_unexported
from groupclinic_desktop.export.coded_summary import COLUMNS, clipboard_text, coded_rows

FolderChooser = Callable[[QWidget], str | None]


def folder_warning(folder: str | Path) -> str:
    """A warning when other accounts on this laptop can look into the export folder."""

    if not readable_by_others(folder):
        return ""
    return (
        " Warning: other accounts on this laptop can look into this folder. The exported files "
        "are readable by you alone, but their names show who was exported: choose a private "
        "folder, and move the files into the GP record soon."
    )


def ask_for_folder(parent: QWidget) -> str | None:
    folder = QFileDialog.getExistingDirectory(
        parent, "Choose the folder for the exported notes", str(Path.home())
    )
    return folder or None


def _local(moment: datetime) -> datetime:
    # The store keeps UTC; people read the laptop's own clock.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone()


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def _table(headers: tuple[str, ...] | list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ExportView(QWidget):
    """The admin export screen. `choose_folder` asks where to write (a folder dialog by default)."""

    def __init__(
        self,
        clinic: Clinic,
        parent: QWidget | None = None,
        *,
        choose_folder: FolderChooser = ask_for_folder,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.choose_folder = choose_folder
        self.record: SessionRecord | None = None
        self.setWindowTitle("Export to the GP record")

        self.sessions = QComboBox()
        self.sessions.setAccessibleName("Session")
        self.sessions.currentIndexChanged.connect(self._load_session)
        self.outstanding = QLabel()
        self.outstanding.setObjectName("outstanding")
        self.export_button = QPushButton("Export this session…")
        self.export_button.setObjectName("primary")
        self.export_button.clicked.connect(self.export_session)
        self.correction_button = QPushButton("Export corrections…")
        self.correction_button.clicked.connect(self.export_corrections)
        self.all_button = QPushButton("Export all unexported sessions…")
        self.all_button.clicked.connect(self.export_all)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(QLabel("Session:"))
        top.addWidget(self.sessions, 1)
        top.addWidget(self.export_button)
        top.addWidget(self.correction_button)
        top.addWidget(self.all_button)

        self.people = _table(
            ("Name", "NHS number", "Exported", "Filed in GP record", "Registered practice",
             "Sent over MESH")
        )
        self.people.itemSelectionChanged.connect(self._show_person)
        self.mark_button = QPushButton("Mark filed in GP record")
        self.mark_button.clicked.connect(self.mark_selected_filed)
        people_box = QGroupBox("People who attended")
        people_layout = QVBoxLayout(people_box)
        people_layout.addWidget(self.people)
        people_layout.addWidget(self.mark_button)

        self.summary = _table(COLUMNS)
        # The term takes the spare width so the date and clinician stay in view.
        self.summary.horizontalHeader().setStretchLastSection(False)
        self.summary.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary.setWordWrap(True)
        self.summary_title = QLabel("Choose a person to see their coded summary.")
        self.copy_button = QPushButton("Copy coded summary")
        self.copy_button.setToolTip("Tab-separated, to paste into the GP system's template")
        self.copy_button.clicked.connect(self.copy_summary)
        summary_box = QGroupBox("Coded summary")
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.addWidget(self.summary_title)
        summary_layout.addWidget(self.summary)
        summary_layout.addWidget(self.copy_button)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(people_box)
        split.addWidget(summary_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        self.log = _table(("When", "Person", "Formats", "Version", "By", "Filed", "Went to"))
        log_box = QGroupBox("Export log")
        log_layout = QVBoxLayout(log_box)
        log_layout.addWidget(self.log)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.outstanding)
        layout.addWidget(self.message)
        layout.addWidget(split, 3)
        layout.addWidget(log_box, 2)
        self.refresh()

    # ---- loading

    def refresh(self) -> None:
        """Reload the session list, keeping the chosen session where it still exists."""
        current = self.current_session_id()
        done = [
            s
            for s in self.clinic.sessions()
            if s.status in (SessionStatus.FINISHED, SessionStatus.EXPORTED)
        ]
        programmes = {p.id: p.name for p in self.clinic.programmes()}
        self.sessions.blockSignals(True)
        self.sessions.clear()
        for s in reversed(done):  # newest first
            label = (
                f"{s.day:%d/%m/%Y} {s.start_time:%H:%M}  {programmes.get(s.programme_id, '')}"
                f"  (session {s.session_number}, {s.status.value})"
            )
            self.sessions.addItem(label, s.id)
        index = self.sessions.findData(current) if current is not None else 0
        self.sessions.setCurrentIndex(max(index, 0))
        self.sessions.blockSignals(False)
        self._load_session()

    def current_session_id(self) -> int | None:
        data = self.sessions.currentData()
        return int(data) if data is not None else None

    def _load_session(self) -> None:
        sid = self.current_session_id()
        self.record = build_session_record(self.clinic, sid) if sid is not None else None
        self.all_button.setEnabled(True)
        self.export_button.setEnabled(sid is not None)
        self._fill_people()
        self._fill_log()
        self._show_person()

    def _latest_exports(self) -> dict[int, ExportRecord]:
        latest: dict[int, ExportRecord] = {}
        sid = self.current_session_id()
        if sid is None:
            return latest
        for row in self.clinic.export_log(sid):
            if row.patient_id not in latest or row.version > latest[row.patient_id].version:
                latest[row.patient_id] = row
        return latest

    def _fill_people(self) -> None:
        people = self.record.people if self.record else ()
        latest = self._latest_exports()
        sid = self.current_session_id()
        sent = {d.patient_id: d for d in self.clinic.deliveries(sid)} if sid is not None else {}
        self.people.setRowCount(len(people))
        for row, person in enumerate(people):
            export = latest.get(person.patient_id)
            exported = "not yet"
            if export is None and person.awaiting_sign_off:
                # Held back: the clinician has not signed a review written on their behalf.
                who = ", ".join(person.staff_name(r.author_id) for r in person.awaiting_sign_off)
                exported = f"held back: awaiting sign-off by {who}"
            filed = "not yet" if export else "-"
            if export is not None:
                exported = f"{_local(export.exported_at):%d/%m/%Y}" + (
                    f" (v{export.version}, correction)" if export.is_correction else ""
                )
                if export.filed_at is not None:
                    filed = f"Filed {_local(export.filed_at):%d/%m/%Y}"
            values = (
                person.patient.full_name,
                format_nhs_number(person.patient.nhs_number),
                exported,
                filed,
                f"{person.registered_name} ({person.registered_ods})",
                _delivery_text(sent.get(person.patient_id)),
            )
            for column, text in enumerate(values):
                self.people.setItem(row, column, _cell(text))
        sid = self.current_session_id()
        if sid is None:
            self.outstanding.setText("No finished sessions yet.")
            self.correction_button.setEnabled(False)
            return
        waiting = len(self.clinic.outstanding_filing(sid))
        not_exported = sum(1 for p in people if p.patient_id not in latest)
        self.outstanding.setText(
            f"{waiting} of {len(people)} people still to file in the GP record"
            + (f"; {not_exported} not yet exported." if not_exported else ".")
        )
        self.correction_button.setEnabled(bool(self.clinic.corrections_since_export(sid)))

    def _fill_log(self) -> None:
        sid = self.current_session_id()
        rows = self.clinic.export_log(sid) if sid is not None else []
        names = {
            p.patient_id: p.patient.full_name for p in (self.record.people if self.record else ())
        }

        staff = {u.id: name_with_profession(u) for u in self.clinic.staff(active_only=False)}
        self.log.setRowCount(len(rows))
        for r, row in enumerate(reversed(rows)):
            values = (
                f"{_local(row.exported_at):%d/%m/%Y %H:%M}",
                names.get(row.patient_id, f"patient #{row.patient_id}"),
                row.formats,
                f"{row.version}" + (" (correction)" if row.is_correction else ""),
                staff.get(row.exported_by_id, "command line / system"),
                f"{_local(row.filed_at):%d/%m/%Y}" if row.filed_at else "not yet",
                row.destination or "",
            )
            for column, text in enumerate(values):
                self.log.setItem(r, column, _cell(text))

    def selected_person(self) -> PersonRecord | None:
        rows = self.people.selectionModel().selectedRows() if self.people.selectionModel() else []
        if not rows or self.record is None:
            return None
        return self.record.people[rows[0].row()]

    def _show_person(self) -> None:
        person = self.selected_person()
        rows = coded_rows(person) if person else []
        self.summary.setRowCount(len(rows))
        for r, coded in enumerate(rows):
            for column, text in enumerate(coded.cells()):
                self.summary.setItem(r, column, _cell(text))
        self.copy_button.setEnabled(bool(rows))
        self.mark_button.setEnabled(
            person is not None and person.patient_id in self._latest_exports()
        )
        self.summary_title.setText(
            f"{person.patient.full_name}: {len(rows)} items"
            if person
            else "Choose a person to see their coded summary."
        )

    # ---- actions

    def copy_summary(self) -> None:
        person = self.selected_person()
        if person is None:
            return
        QGuiApplication.clipboard().setText(clipboard_text(person))
        self._say(f"Copied {person.patient.full_name}'s coded summary to the clipboard.")

    def export_session(self) -> None:
        self._export(correction=False)

    def export_corrections(self) -> None:
        self._export(correction=True)

    def _export(self, *, correction: bool) -> None:
        sid = self.current_session_id()
        if sid is None:
            return
        folder = self.choose_folder(self)
        if not folder:
            return
        try:
            result = export_session(self.clinic, sid, folder, correction=correction)
        except ClinicError as exc:
            self._say(str(exc), error=True)
            return
        what = "corrected notes" if correction else "notes"
        held = (
            " Held back until signed: " + "; ".join(result.held_back) + "."
            if result.held_back
            else ""
        )
        self._say(
            f"Exported {what} for {result.people} people to {folder}.{held}"
            + folder_warning(folder)
        )
        self.refresh()

    def export_all(self) -> None:
        folder = self.choose_folder(self)
        if not folder:
            return
        try:
            results = export_unexported(self.clinic, folder)
        except ClinicError as exc:
            self._say(str(exc), error=True)
            return
        if not results:
            self._say("Nothing to export: every finished session is already exported.")
        else:
            people = sum(r.people for r in results)
            held = [reason for r in results for reason in r.held_back]
            self._say(
                f"Exported {len(results)} session(s), {people} people, to {folder}."
                + (f" Held back until signed: {'; '.join(held)}." if held else "")
                + folder_warning(folder)
            )
        self.refresh()

    def mark_selected_filed(self) -> None:
        person = self.selected_person()
        if person is None:
            return
        export = self._latest_exports().get(person.patient_id)
        if export is None or export.id is None:
            self._say("Export this person's notes before marking them filed.", error=True)
            return
        try:
            self.clinic.mark_filed(export.id)
        except ClinicError as exc:
            self._say(str(exc), error=True)
            return
        row = self.people.currentRow()
        self._say(f"Marked {person.patient.full_name}'s notes as filed in the GP record.")
        self._fill_people()
        self._fill_log()
        self.people.selectRow(row)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(("Not done: " if error else "") + text)
        self.message.setProperty("state", "error" if error else "ok")


def _delivery_text(delivery: object | None) -> str:
    """A person's GP Connect delivery state, as the export log shows it."""
    if delivery is None:
        return "-"
    state = delivery.status.value  # type: ignore[attr-defined]
    reason = delivery.reason  # type: ignore[attr-defined]
    return f"{state}: {reason}" if state == "failed" and reason else state
