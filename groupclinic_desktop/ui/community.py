"""Community connections: the practice's directory of local support, and the Signpost picker.

`CommunityDirectory` is the admin home's directory screen (list, add/edit, retire, CSV import
and export). `SignpostDialog` is opened from the one-to-one and goals pages to signpost or refer
the person in front of the group to an entry.
"""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import community
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import CommunityResource
from groupclinic_desktop.ui.widgets import error_line, save_or_cancel

ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Name", "Kind", "What it offers", "When and where", "Contact", "Organisation", "Active")


class ResourceDialog(QDialog):
    """Add or edit one directory entry."""

    def __init__(
        self, clinic: Clinic, entry: CommunityResource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clinic, self.entry = clinic, entry
        self.setWindowTitle("Edit directory entry" if entry else "Add directory entry")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key in community.TEXT_FIELDS:
            edit = QLineEdit(getattr(entry, key) if entry else "")
            edit.setAccessibleName(community.CSV_COLUMNS[key])
            self.fields[key] = edit
            form.addRow(community.CSV_COLUMNS[key], edit)
        self.fields["when_where"].setPlaceholderText("e.g. Tuesdays 10am, Riverside library")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        for kind in community.kinds():
            self.kind.addItem(kind.label, kind.key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(entry.kind if entry else "other")))
        form.addRow("Kind", self.kind)
        layout.addLayout(form)
        self.message = error_line()
        layout.addWidget(self.message)
        buttons = save_or_cancel(self, self.save)
        layout.addWidget(buttons)

    def save(self) -> None:
        values = {key: edit.text() for key, edit in self.fields.items()}
        values["kind"] = self.kind.currentData()
        try:
            if self.entry is None:
                name = values.pop("name")
                self.entry = self.clinic.add_resource(name, **values)
            else:
                assert self.entry.id is not None
                self.entry = self.clinic.update_resource(self.entry.id, **values)
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


class CommunityDirectory(QWidget):
    """The directory screen for the admin home."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Local community support the practice points people to: walking groups, peer "
            "support, voluntary services, social prescribers and carers support."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Community directory")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.retire_button = QPushButton("Retire")
        self.retire_button.setToolTip("Take it out of the pickers; past signposting is kept")
        self.import_button = QPushButton("Import CSV…")
        self.export_button = QPushButton("Export CSV…")
        for button, slot in (
            (self.add_button, self.add),
            (self.edit_button, self.edit),
            (self.retire_button, self.retire),
            (self.import_button, self.import_csv),
            (self.export_button, self.export_csv),
        ):
            button.clicked.connect(lambda _=False, f=slot: f())
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        entries = self.clinic.community_resources()
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = (
                entry.name,
                community.kind_label(entry.kind),
                entry.offers,
                entry.when_where,
                entry.contact,
                entry.organisation,
                "Yes" if entry.active else "Retired",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, entry.id)
                self.table.setItem(row, column, item)
        has = bool(entries)
        self.edit_button.setEnabled(has)
        self.retire_button.setEnabled(has)

    def selected_id(self) -> int | None:
        item = self.table.item(self.table.currentRow(), 0)
        return None if item is None else int(item.data(ID_ROLE))

    def add(self) -> None:
        if ResourceDialog(self.clinic, None, self).exec():
            self.message.setText("Entry added.")
            self.refresh()

    def edit(self) -> None:
        entry_id = self.selected_id()
        if entry_id is None:
            self.message.setText("Choose an entry first.")
            return
        dialog = ResourceDialog(self.clinic, self.clinic.community_resource(entry_id), self)
        if dialog.exec():
            self.message.setText("Entry saved.")
            self.refresh()

    def retire(self) -> None:
        entry_id = self.selected_id()
        if entry_id is None:
            self.message.setText("Choose an entry first.")
            return
        try:
            entry = self.clinic.deactivate_resource(entry_id)
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"'{entry.name}' retired; it no longer appears in the picker.")
        self.refresh()

    def import_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Import directory", "", "CSV files (*.csv)")
        if not path:
            return
        try:
            counts = self.clinic.import_resources_csv(Path(path))
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(
            f"Imported: {counts['created']} added, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged."
        )
        self.refresh()

    def export_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export directory", "community-directory.csv", "CSV files (*.csv)"
            )
        if not path:
            return
        try:
            written = self.clinic.export_resources_csv(Path(path))
        except (ClinicError, OSError) as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Directory saved to {written}.")


class SignpostDialog(QDialog):
    """Pick a directory entry, signposted or referred, and an optional note; Save records it."""

    def __init__(
        self, clinic: Clinic, session_id: int, patient_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clinic, self.session_id, self.patient_id = clinic, session_id, patient_id
        patient = clinic.patient(patient_id)
        self.setWindowTitle(f"Signpost {patient.board_name} to local support")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to filter: name, kind or what it offers")
        self.search.setAccessibleName("Filter the directory")
        self.search.textChanged.connect(self._filter)
        layout.addWidget(self.search)
        self.entries = QListWidget()
        self.entries.setAccessibleName("Directory entries")
        for entry in clinic.community_resources(active_only=True):
            text = f"{entry.name} — {community.kind_label(entry.kind)}"
            if entry.when_where:
                text += f"\n    {entry.when_where}"
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, entry.id)
            words = " ".join((entry.name, entry.kind, entry.offers, entry.organisation)).lower()
            item.setData(Qt.ItemDataRole.UserRole + 1, words)
            self.entries.addItem(item)
        if self.entries.count():
            self.entries.setCurrentRow(0)
        layout.addWidget(self.entries, 1)
        if not self.entries.count():
            layout.addWidget(QLabel("The directory is empty: an admin adds entries."))
        how = QHBoxLayout()
        self.kind_group = QButtonGroup(self)
        self.signposted = QRadioButton("Signposted (told about it)")
        self.referred = QRadioButton("Referred (we sent the referral)")
        self.signposted.setChecked(True)
        for button in (self.signposted, self.referred):
            self.kind_group.addButton(button)
            how.addWidget(button)
        layout.addLayout(how)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("Note (optional), e.g. will go with a friend")
        self.note.setMaximumHeight(70)
        layout.addWidget(self.note)
        self.already = QLabel(self._already_text())
        self.already.setWordWrap(True)
        layout.addWidget(self.already)
        self.message = error_line()
        layout.addWidget(self.message)
        buttons = save_or_cancel(self, self.save)
        layout.addWidget(buttons)

    def _already_text(self) -> str:
        done = self.clinic.signposts(session_id=self.session_id, patient_id=self.patient_id)
        if not done:
            return ""
        names = {r.id: r.name for r in self.clinic.community_resources()}
        return "Already today: " + ", ".join(names.get(s.resource_id, "?") for s in done)

    def _filter(self, text: str) -> None:
        wanted = text.strip().lower()
        first = None
        for row in range(self.entries.count()):
            item = self.entries.item(row)
            hidden = bool(wanted) and wanted not in str(item.data(Qt.ItemDataRole.UserRole + 1))
            item.setHidden(hidden)
            if not hidden and first is None:
                first = row
        if first is not None:
            self.entries.setCurrentRow(first)

    def save(self) -> None:
        item = self.entries.currentItem()
        if item is None or item.isHidden():
            self.message.setText("Directory: choose an entry first.")
            return
        kind = "referred" if self.referred.isChecked() else "signposted"
        try:
            self.clinic.signpost(
                self.session_id,
                self.patient_id,
                int(item.data(ID_ROLE)),
                kind,
                self.note.toPlainText(),
            )
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


def signpost_person(
    clinic: Clinic, session_id: int, patient_id: int | None, parent: QWidget | None = None
) -> bool:
    """Open the picker for the person on screen; True when a signposting was saved."""
    if patient_id is None:
        return False
    dialog = SignpostDialog(clinic, session_id, patient_id, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted
