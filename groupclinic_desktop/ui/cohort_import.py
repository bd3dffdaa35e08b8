"""The admin's cohort import: file -> columns (when not recognised) -> preview and report ->
import with progress and Cancel -> enrol and invite.

Reading, checking and importing run off the UI thread (ui/tasks.py) so the window never
freezes, even for a 20,000-row export. Everything goes through the Clinic facade and
core.cohort; this module only shows it and passes on what the person chose.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import cohort, invitations
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.ui import tasks

PREVIEW_ROWS = 200  # enough to recognise the file; the report covers every row
NOT_IMPORTED = "Not imported"


def _in_words(error: BaseException) -> str:
    """What the admin reads when reading, checking or importing stopped."""
    if isinstance(error, ClinicError):
        return str(error)
    if isinstance(error, OSError):
        return f"The file could not be read: {error.strerror or error}"
    return "The import stopped unexpectedly; nothing was changed (the details are in the log)."


class CohortImportDialog(QDialog):
    """Import a GP system search export, then enrol and invite the people in it."""

    imported = Signal(object)  # the ImportResult, for windows that show patients

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.setWindowTitle("Import a cohort from the GP system")
        self.resize(1100, 720)
        self.file: cohort.CohortFile | None = None
        self.checked: cohort.CohortCheck | None = None
        self.result: cohort.ImportResult | None = None
        self.outcome: cohort.ImportOutcome | None = None
        self.cancel_event = threading.Event()
        self._task: tasks.Task[Any] | None = None
        self.pages = QStackedWidget()
        self.choose_page = self._build_choose()
        self.mapping_page = self._build_mapping()
        self.preview_page = self._build_preview()
        self.progress_page = self._build_progress()
        self.done_page = self._build_done()
        for page in (
            self.choose_page,
            self.mapping_page,
            self.preview_page,
            self.progress_page,
            self.done_page,
        ):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # ------------------------------------------------------------------ 1. choose a file

    def _build_choose(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel(
            "<h2>Import a cohort</h2>Export your search from EMIS Web or SystmOne as a CSV "
            "file (NHS number, names, date of birth; sex, mobile and latest results with their "
            "dates if you have them). Nothing is saved until you have seen the preview."
        )
        intro.setWordWrap(True)
        self.choose_button = QPushButton("Choose CSV file…")
        self.choose_button.clicked.connect(self._ask_for_file)
        self.file_label = QLabel("No file chosen.")
        self.file_label.setWordWrap(True)
        self.programme_box = QComboBox()
        self.programme_box.setAccessibleName("Programme to enrol people in")
        for programme in self.clinic.programmes():
            self.programme_box.addItem(programme.name, programme.id)
        self.choose_error = QLabel()
        self.choose_error.setWordWrap(True)
        self.choose_error.setStyleSheet("color: #B00020; font-weight: bold")
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.file_label, 1)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(QLabel("Enrol the people in this programme:"))
        layout.addWidget(self.programme_box)
        layout.addWidget(self.choose_error)
        layout.addStretch(1)
        return page

    def _ask_for_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose the search export", "", "CSV files (*.csv *.txt);;All files (*)"
        )
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        """Read a file (off the GUI thread), then ask about columns or show the preview."""
        self.file_label.setText(f"Reading {path.name}…")
        self.choose_error.clear()
        self.choose_button.setEnabled(False)

        self._run(lambda: cohort.read_csv(path), self._file_read, self._choose_failed)

    def _file_read(self, source: cohort.CohortFile) -> None:
        self.file = source
        self.choose_button.setEnabled(True)
        name = source.path.name if source.path else "the file"
        self.file_label.setText(f"{name}: {len(source.rows)} row(s)")
        mapping = cohort.recognise(source.headers, self.clinic.cohort_mapping())
        if cohort.unrecognised(source.headers, mapping) or cohort.mapping_problems(mapping):
            self._show_mapping(mapping)
        else:
            self._check(mapping)

    def _choose_failed(self, message: str) -> None:
        self.choose_button.setEnabled(True)
        self.file_label.setText("No file chosen.")
        self.choose_error.setText(message)

    # ------------------------------------------------------------------ 2. columns

    def _build_mapping(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel(
            "<h2>Which column holds what?</h2>Some column titles were not recognised. Choose "
            "what each one holds, or leave it as “Not imported”. Your choices are remembered "
            "for the next file with the same titles."
        )
        intro.setWordWrap(True)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(["Column in the file", "Examples", "Holds"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_problems_label = QLabel()
        self.mapping_problems_label.setWordWrap(True)
        self.mapping_problems_label.setStyleSheet("color: #B00020; font-weight: bold")
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.pages.setCurrentWidget(self.choose_page))
        self.mapping_next = QPushButton("Check the rows")
        self.mapping_next.setDefault(True)
        self.mapping_next.clicked.connect(self._mapping_chosen)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.mapping_next)
        layout.addWidget(intro)
        layout.addWidget(self.mapping_table, 1)
        layout.addWidget(self.mapping_problems_label)
        layout.addLayout(buttons)
        return page

    def _show_mapping(self, mapping: list[str]) -> None:
        assert self.file is not None
        table = self.mapping_table
        table.setRowCount(len(self.file.headers))
        self.mapping_boxes: list[QComboBox] = []
        for index, title in enumerate(self.file.headers):
            table.setItem(index, 0, _item(title or "(no title)"))
            table.setItem(index, 1, _item(", ".join(self.file.column_samples(index))))
            box = QComboBox()
            box.setAccessibleName(f"What the column {title} holds")
            box.addItem(NOT_IMPORTED, cohort.IGNORED)
            for target in cohort.targets():
                box.addItem(target.label + (" (needed)" if target.required else ""), target.key)
            box.setCurrentIndex(max(0, box.findData(mapping[index])))
            box.currentIndexChanged.connect(self._mapping_changed)
            table.setCellWidget(index, 2, box)
            self.mapping_boxes.append(box)
        table.resizeColumnToContents(0)
        table.setColumnWidth(2, 320)
        self._mapping_changed()
        self.pages.setCurrentWidget(self.mapping_page)

    def chosen_mapping(self) -> list[str]:
        return [str(box.currentData()) for box in self.mapping_boxes]

    def _mapping_changed(self) -> None:
        problems = cohort.mapping_problems(self.chosen_mapping())
        self.mapping_problems_label.setText("\n".join(problems))
        self.mapping_next.setEnabled(not problems)

    def _mapping_chosen(self) -> None:
        assert self.file is not None
        mapping = self.chosen_mapping()
        counts: dict[str, int] = {}
        for title in self.file.headers:
            counts[title.strip()] = counts.get(title.strip(), 0) + 1
        choices = {
            title.strip(): key
            for title, key in zip(self.file.headers, mapping, strict=True)
            if title.strip() and counts[title.strip()] == 1
        }
        try:
            self.clinic.remember_cohort_mapping(choices)
        except ClinicError as exc:
            self.mapping_problems_label.setText(str(exc))
            return
        self._check(mapping)

    # ------------------------------------------------------------------ 3. preview and report

    def _build_preview(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.preview_summary = QLabel()
        self.preview_summary.setWordWrap(True)
        self.preview_table = QTableWidget(0, 8)
        self.preview_table.setHorizontalHeaderLabels(
            ["Row", "NHS number", "Name", "Date of birth", "Sex", "Mobile", "Results", "Check"]
        )
        self.preview_table.horizontalHeader().setSectionResizeMode(6, QHeaderView.Stretch)
        self.preview_table.verticalHeader().setVisible(False)
        self.preview_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.report_title = QLabel("<b>Problems to fix in the file</b>")
        self.report_table = QTableWidget(0, 4)
        self.report_table.setHorizontalHeaderLabels(["Row", "Column", "Value", "Reason"])
        self.report_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.Stretch)
        self.report_table.verticalHeader().setVisible(False)
        self.report_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.valid_only = QCheckBox(
            "Import only the valid rows, and save the rejected rows to a CSV file to fix"
        )
        self.valid_only.toggled.connect(self._update_import_button)
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.pages.setCurrentWidget(self.choose_page))
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout.addWidget(self.preview_summary)
        layout.addWidget(self.preview_table, 3)
        layout.addWidget(self.report_title)
        layout.addWidget(self.report_table, 2)
        layout.addWidget(self.valid_only)
        layout.addLayout(buttons)
        return page

    def _check(self, mapping: list[str]) -> None:
        source = self.file
        assert source is not None
        self.preview_summary.setText("Checking every row…")
        self.pages.setCurrentWidget(self.preview_page)
        self.import_button.setEnabled(False)
        members = {m.ods_code for m in self.clinic.member_practices()}
        self._run(
            lambda: cohort.check(source, mapping, members=members),
            self._show_preview,
            self._failed,
        )

    def _show_preview(self, checked: cohort.CohortCheck) -> None:
        self.checked = checked
        rejected = len(checked.rejected_lines)
        text = (
            f"<h2>Preview</h2>{checked.total_rows} row(s) in the file: "
            f"<b>{len(checked.rows)} ready to import</b>"
        )
        if rejected:
            text += (
                f", <b>{rejected} with problems</b>. Nothing is imported while any row has a "
                "problem, unless you choose to import only the valid rows."
            )
        else:
            text += ". Nothing has been saved yet."
        if checked.unchecked:
            # Ignoring a column is never a silent way round a row's checks: say what was not.
            from html import escape

            text += "<br><b>Not checked and not imported</b> (the column is ignored): " + "; ".join(
                f"'{escape(title)}', {count} value(s) on rows "
                + ", ".join(str(r) for r in rows[:5])
                + (" …" if count > 5 else "")
                for title, count, rows in checked.unchecked
            )
        if checked.mapping_problems:
            text = "<h2>The columns cannot be used</h2>" + "<br>".join(checked.mapping_problems)
        self.preview_summary.setText(text)
        self._fill_preview(checked)
        self._fill_report(checked)
        self.valid_only.setChecked(False)
        self.valid_only.setVisible(bool(checked.problems) and bool(checked.rows))
        self._update_import_button()

    def _fill_preview(self, checked: cohort.CohortCheck) -> None:
        by_line = {row.line: row for row in checked.rows}
        reasons: dict[int, str] = {}
        for p in checked.problems:
            reasons.setdefault(p.line, f"{p.column}: {p.reason}")
        lines = [line for line, _ in checked.file.rows[:PREVIEW_ROWS]]
        table = self.preview_table
        table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            row = by_line.get(line)
            if row is None:
                values = [str(line), "", "", "", "", "", "", "Problem: " + reasons.get(line, "")]
            else:
                results = ", ".join(
                    f"{_label(res.key)} {res.value:g} ({res.taken_on:%d/%m/%Y})"
                    for res in row.results
                )
                values = [
                    str(line),
                    f"{row.nhs_number[:3]} {row.nhs_number[3:6]} {row.nhs_number[6:]}",
                    f"{row.given_name} {row.family_name}",
                    row.date_of_birth.strftime("%d/%m/%Y"),
                    row.sex.value if row.sex else "",
                    row.mobile or "no mobile",
                    results,
                    "OK",
                ]
            for c, value in enumerate(values):
                table.setItem(r, c, _item(value))
        table.resizeColumnsToContents()

    def _fill_report(self, checked: cohort.CohortCheck) -> None:
        shown = checked.problems[:1000]
        self.report_table.setRowCount(len(shown))
        for r, p in enumerate(shown):
            for c, value in enumerate((str(p.line), p.column, p.value or "(empty)", p.reason)):
                self.report_table.setItem(r, c, _item(value))
        self.report_table.resizeColumnsToContents()
        self.report_title.setVisible(bool(shown))
        self.report_table.setVisible(bool(shown))

    def _update_import_button(self) -> None:
        checked = self.checked
        can = (
            checked is not None
            and not checked.mapping_problems
            and bool(checked.rows)
            and (checked.ok or self.valid_only.isChecked())
        )
        self.import_button.setEnabled(can)
        if checked is not None:
            self.import_button.setText(f"Import {len(checked.rows)} people")

    # ------------------------------------------------------------------ 4. import

    def _build_progress(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.progress_label = QLabel("<h2>Importing…</h2>")
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Import progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_import)
        layout.addStretch(1)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(
            QLabel("Cancelling undoes the whole import: the store stays exactly as it was.")
        )
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addStretch(2)
        return page

    def start_import(self) -> None:
        checked = self.checked
        if checked is None or not self.import_button.isEnabled():
            return
        programme_id = self.programme_box.currentData()
        source = checked.file
        valid_only = self.valid_only.isChecked()
        self.cancel_event.clear()
        self.progress_bar.setRange(0, max(1, len(checked.rows)))
        self.progress_bar.setValue(0)
        self.cancel_button.setEnabled(True)
        self.progress_label.setText("<h2>Starting the import…</h2>")
        self.pages.setCurrentWidget(self.progress_page)

        progressed = tasks.to_main(self._progressed)
        staged = tasks.to_main(self._staged)

        def work() -> cohort.ImportOutcome:
            return self.clinic.import_cohort_file(
                source,
                programme_id,
                mapping=checked.mapping,
                valid_rows_only=valid_only,
                progress=progressed,
                cancel=self.cancel_event,
                stage=staged,
            )

        self._run(work, self._imported, self._failed)

    def _progressed(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    def _staged(self, stage: cohort.Stage) -> None:
        """Say what the import is doing; the bar counts rows only while they are written and
        moves without a count (Qt's busy bar) before and after."""
        if self.cancel_event.is_set():
            return  # "Cancelling…" stays until the import has stopped
        people = len(self.checked.rows) if self.checked is not None else 0
        words = {
            cohort.Stage.CHECKING: f"Checking {people} people again before writing…",
            cohort.Stage.COPYING: "Keeping a copy of the store as it was…",
            cohort.Stage.WRITING: f"Importing {people} people…",
            cohort.Stage.SAVING: "Saving: making the import safe on disk…",
        }
        if stage is not cohort.Stage.WRITING:
            self.progress_bar.setRange(0, 0)
        if stage is cohort.Stage.SAVING:
            self.cancel_button.setEnabled(False)  # past undoing: it is being made durable
        self.progress_label.setText(f"<h2>{words[stage]}</h2>")

    def cancel_import(self) -> None:
        self.cancel_event.set()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("<h2>Cancelling: undoing everything…</h2>")

    def _imported(self, outcome: cohort.ImportOutcome) -> None:
        self.outcome = outcome
        self.result = outcome.result
        if outcome.result is None:  # the file changed its mind between preview and import
            self._show_preview(outcome.check)
            self.pages.setCurrentWidget(self.preview_page)
            return
        text = f"<h2>{'Import cancelled' if outcome.result.cancelled else 'Imported'}</h2>"
        text += outcome.result.summary()
        if outcome.rejected_file:
            text += f"<br>Rows to fix were saved to <b>{outcome.rejected_file}</b>."
        self.done_summary.setText(text)
        self._fill_sessions()
        self.invite_box.setVisible(
            not outcome.result.cancelled and bool(outcome.result.patient_ids)
        )
        self.pages.setCurrentWidget(self.done_page)
        if not outcome.result.cancelled:
            self.imported.emit(outcome.result)

    # ------------------------------------------------------------------ 5. enrol and invite

    def _build_done(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.done_summary = QLabel()
        self.done_summary.setWordWrap(True)
        self.invite_box = QWidget()
        invite = QVBoxLayout(self.invite_box)
        invite.setContentsMargins(0, 0, 0, 0)
        invite.addWidget(QLabel("<b>Invite these people</b> (they are enrolled already):"))
        self.session_box = QComboBox()
        self.session_box.setAccessibleName("Session to invite people to")
        self.series_check = QCheckBox("…and to the later sessions of its series")
        self.invite_button = QPushButton("Invite")
        self.invite_button.clicked.connect(self.invite)
        self.invite_result = QLabel()
        self.invite_result.setWordWrap(True)
        invite.addWidget(self.session_box)
        invite.addWidget(self.series_check)
        invite.addWidget(self.invite_button)
        invite.addWidget(self.invite_result)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        layout.addWidget(self.done_summary)
        layout.addWidget(self.invite_box)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        return page

    def _fill_sessions(self) -> None:
        programme_id = self.programme_box.currentData()
        self.session_box.clear()
        for s in self.clinic.sessions(status=SessionStatus.PLANNED):
            if s.programme_id == programme_id:
                label = f"{s.day:%a %d %b %Y} {s.start_time:%H:%M}, {s.place}"
                self.session_box.addItem(label, s.id)
        has_sessions = self.session_box.count() > 0
        self.invite_button.setEnabled(has_sessions)
        if not has_sessions:
            self.invite_result.setText("Plan a session for this programme, then invite from it.")

    def invite(self) -> None:
        if self.result is None or self.session_box.currentData() is None:
            return
        try:
            summary = invitations.enrol_and_invite(
                self.clinic,
                self.result.patient_ids,
                self.programme_box.currentData(),
                self.session_box.currentData(),
                whole_series=self.series_check.isChecked(),
            )
        except ClinicError as exc:
            self.invite_result.setText(str(exc))
            return
        self.invite_result.setText(
            f"{summary.invitations} new invitation(s) to {len(summary.sessions)} session(s). "
            "Export the batch-messaging list and letters from the session."
        )

    # ------------------------------------------------------------------ threads

    def _run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        # A file that cannot be read, or a refusal, is said here; anything else is a bug and
        # also goes to the last-resort path.
        self._task = tasks.run(
            work,
            done=done,
            failed=lambda error: failed(_in_words(error)),
            expected=(ClinicError, OSError),
            owner=self,
            name="groupclinic-cohort",
        )

    def _failed(self, message: str) -> None:
        self.choose_error.setText(message)
        self.pages.setCurrentWidget(self.choose_page)

    def busy(self) -> bool:
        return self._task is not None and self._task.running

    def reject(self) -> None:
        # Closing while importing means cancel: wait for the rollback before the window goes.
        if self.busy():
            self.cancel_import()
            assert self._task is not None
            self._task.wait()
        super().reject()


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
    return item


def _label(key: str) -> str:
    return catalogue().get(key).label


class InvitationsDialog(QDialog):
    """A session's invitations: each person's reply, the batch-messaging list, letters for
    people without a mobile, and the printed session pack."""

    def __init__(self, clinic: Clinic, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        session = clinic.session(session_id)
        self.setWindowTitle("Invitations and session pack")
        self.resize(900, 620)
        title = QLabel(
            f"<h2>Invitations</h2>{session.day:%A %d %B %Y}, {session.start_time:%H:%M}, "
            f"{session.place}"
        )
        self.counts_label = QLabel()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Name", "NHS number", "Mobile", "Reply"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.batch_button = QPushButton("Save batch-messaging list…")
        self.batch_button.clicked.connect(
            lambda: self._ask_path("Batch-messaging list", "CSV files (*.csv)", self.export_batch)
        )
        self.letters_button = QPushButton("Letters for people without a mobile…")
        self.letters_button.clicked.connect(
            lambda: self._ask_path("Invitation letters", "PDF files (*.pdf)", self.export_letters)
        )
        self.pack_button = QPushButton("Print the session pack…")
        self.pack_button.clicked.connect(
            lambda: self._ask_path("Session pack", "PDF files (*.pdf)", self.export_pack)
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.batch_button, self.letters_button, self.pack_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        people = invitations.invitees(self.clinic, self.session_id)
        self.table.setRowCount(len(people))
        self.reply_boxes: list[QComboBox] = []
        for r, invitee in enumerate(people):
            p = invitee.patient
            self.table.setItem(r, 0, _item(f"{p.family_name}, {p.given_name}"))
            self.table.setItem(
                r, 1, _item(f"{p.nhs_number[:3]} {p.nhs_number[3:6]} {p.nhs_number[6:]}")
            )
            self.table.setItem(r, 2, _item(p.mobile or "none: send a letter"))
            box = QComboBox()
            box.setAccessibleName(f"Reply from {p.full_name}")
            for status, word in invitations.STATUS_WORDS.items():
                box.addItem(word, status.value)
            box.setCurrentIndex(box.findData(invitee.status.value))
            box.currentIndexChanged.connect(
                lambda _i, pid=p.id, b=box: self._reply_changed(pid, str(b.currentData()))
            )
            self.table.setCellWidget(r, 3, box)
            self.reply_boxes.append(box)
        self.table.resizeColumnsToContents()
        self._show_counts()

    def _show_counts(self) -> None:
        counts = invitations.status_counts(self.clinic, self.session_id)
        words = [f"{invitations.STATUS_WORDS[s]}: {n}" for s, n in counts.items()]
        letters = len(invitations.without_mobile(self.clinic, self.session_id))
        self.counts_label.setText("   ".join(words) + f"   ({letters} need a letter)")
        self.letters_button.setEnabled(letters > 0)

    def _reply_changed(self, patient_id: int, status: str) -> None:
        try:
            self.clinic.set_invitation(self.session_id, patient_id, status)
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self._show_counts()

    def _ask_path(self, title: str, kinds: str, save: Callable[[Path], None]) -> None:
        name, _ = QFileDialog.getSaveFileName(self, title, "", kinds)
        if name:
            save(Path(name))

    def export_batch(self, path: Path) -> None:
        written = invitations.write_batch_messaging_csv(self.clinic, self.session_id, path)
        self.message.setText(f"Batch-messaging list saved: {written} people, {path}")

    def export_letters(self, path: Path) -> None:
        from groupclinic_desktop.export.letters import invitation_letters

        try:
            _, count = invitation_letters(self.clinic, self.session_id, path)
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"{count} letter(s) saved: {path}")

    def export_pack(self, path: Path) -> None:
        from groupclinic_desktop.export.session_pack import session_pack

        session_pack(self.clinic, self.session_id, path)
        self.message.setText(f"Session pack saved: {path}")
