"""The practice admin's home: exports, sync, cohort import, programmes, users, audit and backups.

Each tab is built the first time it is opened, so signing in stays quick.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import i18n
from groupclinic_desktop.core import professions as staff_professions
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import Role, StaffUser
from groupclinic_desktop.core.validation import format_nhs_number
from groupclinic_desktop.ui.cohort_import import CohortImportDialog, InvitationsDialog
from groupclinic_desktop.ui.community import CommunityDirectory
from groupclinic_desktop.ui.export_view import ExportView
from groupclinic_desktop.ui.gp_delivery import GpDeliveryPage
from groupclinic_desktop.ui.patient_details import edit_patient_details
from groupclinic_desktop.ui.widgets import fill, read_only_table

ROLE_CHOICES = [("Facilitator", Role.FACILITATOR), ("Clinician", Role.CLINICIAN),
                ("Admin", Role.ADMIN), ("Co-facilitator (volunteer, VCFSE partner)",
                                        Role.CO_FACILITATOR)]


def sign_in_trouble_text(user: "StaffUser | None") -> str:
    """'3 since their last sign-in', with the time a lock-out ends; '' when there are none."""
    if user is None:
        return ""
    text = f"{user.failed_sign_ins} since their last sign-in"
    until = user.locked_until
    if until is not None:
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        if until > datetime.now(UTC):
            text += f"; locked until {until.astimezone().strftime('%H:%M')}"
    return text


class UsersTab(QWidget):
    """Staff who may sign in: add someone with a role and a PIN, or stop someone signing in."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        layout = QVBoxLayout(self)
        self.table = read_only_table(["Name", "Role", "Profession", "Can sign in", "Wrong PINs",
                                      "SDS user ID", "SDS role profile ID"], "Staff")
        layout.addWidget(self.table)
        # The selected person's NHS Spine (SDS) identifiers: the GP-record documents name them so
        # the receiving practice's system can match the author. Both optional.
        sds = QHBoxLayout()
        self.sds_user = QLineEdit()
        self.sds_user.setAccessibleName("Selected person's SDS user ID")
        self.sds_user.setPlaceholderText("SDS user ID (on their Smartcard)")
        self.sds_role = QLineEdit()
        self.sds_role.setAccessibleName("Selected person's SDS role profile ID")
        self.sds_role.setPlaceholderText("SDS role profile ID")
        self.sds_button = QPushButton("Save SDS IDs")
        self.sds_button.setAccessibleName("Save the selected person's SDS IDs")
        self.sds_button.clicked.connect(self.save_sds_ids)
        sds.addWidget(QLabel("Selected person's SDS IDs:"))
        sds.addWidget(self.sds_user)
        sds.addWidget(self.sds_role)
        sds.addWidget(self.sds_button)
        layout.addLayout(sds)
        self.table.itemSelectionChanged.connect(self._show_sds_ids)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("New staff member's name")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for text, role in ROLE_CHOICES:
            self.role.addItem(text, role)
        # What the record shows beside the name (resources/professions.toml); the role above
        # decides what they may do.

        self.profession = QComboBox()
        self.profession.setAccessibleName("Profession")
        self.profession.addItem("Not recorded", None)
        for p in staff_professions.professions().values():
            self.profession.addItem(p.label, p.key)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName("PIN")
        self.pin_again = QLineEdit()
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again.setAccessibleName("PIN again")
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("Profession", self.profession)
        form.addRow("PIN", self.pin)
        form.addRow("PIN again", self.pin_again)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add staff member")
        self.add_button.clicked.connect(self.add)
        self.toggle_button = QPushButton("Stop / allow signing in")
        self.toggle_button.setAccessibleName("Stop or allow the selected person signing in")
        self.toggle_button.clicked.connect(self.toggle_active)
        self.unlock_button = QPushButton("Unlock sign-in")
        self.unlock_button.setAccessibleName("Unlock the selected person's sign-in")
        self.unlock_button.clicked.connect(self.unlock)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        self.people = self.clinic.staff(active_only=False)

        troubles = {u.id: u for u in self.clinic.sign_in_troubles()}
        fill(self.table, [[u.name, u.role.value.replace("_", "-").capitalize(),
                            staff_professions.label(u.profession) or "not recorded",
                            "yes" if u.active else "no",
                            sign_in_trouble_text(troubles.get(u.id)), u.sds_user_id or "",
                            u.sds_role_profile_id or ""]
                           for u in self.people])

    def _show_sds_ids(self) -> None:
        row = self.table.currentRow()
        user = self.people[row] if 0 <= row < len(self.people) else None
        self.sds_user.setText(user.sds_user_id or "" if user else "")
        self.sds_role.setText(user.sds_role_profile_id or "" if user else "")

    def save_sds_ids(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            self.message.setText("Choose a person in the list first.")
            return
        user = self.people[row]
        try:
            self.clinic.set_staff_sds_ids(user.id, self.sds_user.text(),  # type: ignore[arg-type]
                                          self.sds_role.text())
        except ClinicError as exc:
            self.message.setText(f"{exc} Nothing was saved.")
            return
        self.message.setText(f"Saved {user.name}'s SDS IDs.")
        self.refresh()
        self.table.selectRow(row)

    def unlock(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            self.message.setText("Choose a person in the list first.")
            return
        user = self.people[row]
        try:
            self.clinic.unlock_staff(user.id)  # type: ignore[arg-type]
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"{user.name} can sign in again; their wrong PINs are cleared.")
        self.refresh()

    def add(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.message.setText("The two PINs are not the same; nothing was saved.")
            return
        try:
            user = self.clinic.add_staff(self.name.text(), self.role.currentData(),
                                         self.pin.text(), self.profession.currentData())
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        for field in (self.name, self.pin, self.pin_again):
            field.clear()
        self.message.setText(f"Added {user.name}.")
        self.refresh()

    def toggle_active(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            self.message.setText("Choose a person in the list first.")
            return
        user = self.people[row]
        try:
            self.clinic.set_staff_active(user.id, not user.active)  # type: ignore[arg-type]
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"{user.name} {'can no longer' if user.active else 'can now'} "
                             "sign in.")
        self.refresh()


class AuditTab(QWidget):
    """The audit trail, newest first, filtered by words; with a chain check and a CSV export."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by user, action or record (e.g. correction)")
        self.filter.setAccessibleName("Filter the audit trail")
        self.filter.textChanged.connect(self._apply_filter)
        self.verify_button = QPushButton("Check the chain")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("Export as CSV…")
        self.export_button.clicked.connect(self.export)
        top.addWidget(self.filter, 1)
        top.addWidget(self.verify_button)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.table = read_only_table(["#", "When (UTC)", "Who", "Action", "Record", "Patient id"],
                                     "Audit trail")
        layout.addWidget(self.table)
        self.refresh()

    def refresh(self) -> None:
        entries = list(reversed(self.clinic.audit_entries()))[:2000]
        self.rows = [[str(e.id), f"{e.at:%Y-%m-%d %H:%M:%S}", e.user_name, e.action,
                      f"{e.entity} {e.entity_id or ''}".strip(),
                      "" if e.patient_id is None else str(e.patient_id)] for e in entries]
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        shown = [r for r in self.rows if all(w in " ".join(r).lower() for w in words)]
        fill(self.table, shown)

    def verify(self) -> None:
        problems = self.clinic.verify_audit()
        if problems:
            self.verdict.setText("✗ The audit trail is broken: " + "; ".join(map(str, problems)))
        else:
            self.verdict.setText(f"✓ The audit trail is intact ({len(self.rows)} entries shown).")

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit trail", "audit.csv",
                                              "CSV files (*.csv)")
        if not path:
            return
        count = self.clinic.export_audit_trail(Path(path))
        self.verdict.setText(f"Wrote {count} entries to {path}.")


class BackupsTab(QWidget):
    """Backups in the store's folder: make one now, or restore one (the app then restarts)."""

    def __init__(self, clinic: Clinic, on_restored: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.on_restored = on_restored
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Backups are kept in {clinic.location.backup_dir}. They are "
                                "encrypted with the store's key and checked after writing."))
        self.list = QListWidget()
        self.list.setAccessibleName("Backups, newest first")
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton("Back up now")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Restore the selected backup…")
        self.restore_button.clicked.connect(self.restore)
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        folder = self.clinic.location.backup_dir
        for path in sorted(folder.glob("groupclinic-*.db"), reverse=True) if folder.is_dir() \
                else []:
            self.list.addItem(path.name)

    def backup_now(self) -> None:
        try:
            path = self.clinic.backup(reason="manual")
        except ClinicError as exc:  # a full disk: one line, nothing changed, nothing rotated
            self.message.setText(f"No backup was made: {exc}")
            return
        self.message.setText(f"✓ Backup written and checked: {path.name}")
        self.refresh()

    def restore(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.message.setText("Choose a backup in the list first.")
            return
        answer = QMessageBox.question(
            self, "Restore this backup?",
            f"Replace the store with {item.text()}? A backup of the store as it is now is kept "
            "first. The app signs you out afterwards.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.clinic.restore(self.clinic.location.backup_dir / item.text())
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.on_restored()


class SessionsTab(QWidget):
    """Sessions from today on: invitations, the batch-messaging list, letters and the pack."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Plan series and move or cancel sessions under Programmes. "
                                "Here: who is invited, their replies, and the printed pack."))
        self.table = read_only_table(
            ["Date", "Time", "Programme", "Place", "Status", "On the roster"],
            "Sessions from today on",
        )
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.invitations_button = QPushButton("Invitations and session pack…")
        self.invitations_button.clicked.connect(self.open_invitations)
        buttons.addWidget(self.invitations_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        from datetime import date

        self.sessions = self.clinic.sessions(since=date.today())
        names = {p.id: p.name for p in self.clinic.programmes()}
        fill(self.table, [[f"{s.day:%a %d %b %Y}", f"{s.start_time:%H:%M}",
                            names.get(s.programme_id, ""), s.place, s.status.value,
                            str(len(self.clinic.roster(s.id)))]  # type: ignore[arg-type]
                           for s in self.sessions])
        if self.sessions:
            self.table.selectRow(0)

    def open_invitations(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        self.dialog = InvitationsDialog(self.clinic, self.sessions[row].id, self)  # type: ignore[arg-type]
        self.dialog.show()


class PeopleTab(QWidget):
    """Everyone on the practice's list for group clinics, with their details and equity fields."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        layout = QVBoxLayout(self)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Find by name or NHS number")
        self.filter.setAccessibleName("Find a person by name or NHS number")
        self.filter.textChanged.connect(self.refresh)
        layout.addWidget(self.filter)
        self.table = read_only_table(["Name", "NHS number", "Date of birth", "Language", "Carer"],
                                     "People")
        self.table.doubleClicked.connect(self.edit)
        layout.addWidget(self.table)
        self.details_button = QPushButton("Details and equity fields…")
        self.details_button.clicked.connect(self.edit)
        layout.addWidget(self.details_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.refresh()

    def refresh(self) -> None:
        words = self.filter.text().lower().replace(" ", "")
        self.people = [
            p for p in self.clinic.patients()
            if not words or words in (p.full_name + p.nhs_number).lower().replace(" ", "")
        ]
        fill(self.table, [[p.full_name, format_nhs_number(p.nhs_number),
                            f"{p.date_of_birth:%d %b %Y}", p.preferred_language or "",
                            {True: "yes", False: "no", None: ""}[p.is_carer]]
                           for p in self.people])

    def edit(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        if edit_patient_details(self.clinic, self.people[row].id, self):  # type: ignore[arg-type]
            self.refresh()


class LanguagesTab(QWidget):
    """Translations for what the group sees: each stays marked "needs review by a native
    speaker" on screen and on paper until the practice confirms someone has checked it."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "Patient-facing views and hand-outs can be shown in these languages. The plain "
            "labels they use are in resources/plain_labels.toml and the translations in "
            "resources/i18n/."))
        self.boxes: dict[str, QCheckBox] = {}
        for lang in i18n.languages():
            if lang.is_source:
                continue
            box = QCheckBox(f"{lang.name} ({lang.native}): a native speaker has checked it")
            box.setAccessibleName(f"{lang.name} translation checked by a native speaker")
            box.setChecked(clinic.language_confirmed(lang.code))
            box.toggled.connect(lambda on, code=lang.code: self.confirm(code, on))
            self.boxes[lang.code] = box
            layout.addWidget(box)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch()

    def confirm(self, code: str, confirmed: bool) -> None:
        try:
            self.clinic.confirm_language(code, confirmed)
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(
            "Saved: hand-outs in this language no longer carry the review note."
            if confirmed else "Saved: hand-outs in this language say it needs review again."
        )


class AdminHome(QWidget):
    """Tabs for the admin's work after a session; each tab is made when first shown."""

    def __init__(self, clinic: Clinic, sync_runner: object, on_restored: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.sync_runner = sync_runner
        self.on_restored = on_restored
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Practice admin</h2>")
        layout.addWidget(title)
        # Wrong PINs never go unseen: the admin is told on arrival, and unlocks in Staff.
        self.sign_in_notice = QLabel()
        self.sign_in_notice.setObjectName("error")
        self.sign_in_notice.setWordWrap(True)
        self.sign_in_notice.setAccessibleName("Wrong PINs")
        layout.addWidget(self.sign_in_notice)
        self.show_sign_in_troubles()
        # People a facilitator added on the day: the admin checks them against the GP record.
        added = clinic.added_on_the_day()
        self.added_note = QLabel(
            f"⚠ Added on the day, to check against the GP record ({len(added)}): "
            + "; ".join(f"{p.full_name}, {p.added_on_day:%d %b %Y}" for p in added)
        )
        self.added_note.setWordWrap(True)
        self.added_note.setAccessibleName("People added on the day")
        self.added_note.setVisible(bool(added))
        layout.addWidget(self.added_note)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Admin areas")
        layout.addWidget(self.tabs)
        self._makers: dict[int, Callable[[], QWidget]] = {}
        for label, maker in (
            ("Sessions and invitations", lambda: SessionsTab(clinic)),
            ("Export to GP record", self._export),
            ("GP record delivery", self._delivery),
            ("Sync to ICB", self._sync),
            ("Import cohort", self._cohort),
            ("Programmes", self._programmes),
            ("Outcomes", self._outcomes),
            ("What is due", self._due),
            ("People", lambda: PeopleTab(clinic)),
            ("Community directory", self._community),
            ("Languages", lambda: LanguagesTab(clinic)),
            ("Staff", lambda: UsersTab(clinic)),
            ("Audit trail", lambda: AuditTab(clinic)),
            ("Backups", lambda: BackupsTab(clinic, on_restored)),
        ):
            index = self.tabs.addTab(QWidget(), label)
            self._makers[index] = maker
        self.tabs.currentChanged.connect(self._build)
        self._build(0)

    def show_sign_in_troubles(self) -> None:
        try:
            troubles = self.clinic.sign_in_troubles()
        except ClinicError:
            troubles = []
        self.sign_in_notice.setText(
            "Wrong PINs: " + "; ".join(f"{u.name}, {sign_in_trouble_text(u)}" for u in troubles)
            + ". If that was not them, talk to them; unlock in the Staff tab."
            if troubles else ""
        )
        self.sign_in_notice.setVisible(bool(troubles))

    def _build(self, index: int) -> None:
        maker = self._makers.pop(index, None)
        if maker is None:
            page = self.tabs.widget(index)
            if hasattr(page, "refresh"):
                page.refresh()
            return
        label = self.tabs.tabText(index)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, maker(), label)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)

    def _export(self) -> QWidget:
        return ExportView(self.clinic)

    def _delivery(self) -> QWidget:
        return GpDeliveryPage(self.clinic)

    def _sync(self) -> QWidget:
        from groupclinic_desktop.ui.sync_admin import SyncAdminPage

        return SyncAdminPage(self.clinic, self.sync_runner)  # type: ignore[arg-type]

    def _cohort(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(
            "Import the CSV your GP system's search exported (EMIS Web or SystmOne). You will "
            "see a preview and a report before anything is saved."))
        button = QPushButton("Import a cohort CSV…")
        button.clicked.connect(lambda: CohortImportDialog(self.clinic, self).exec())
        layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()
        return page

    def _community(self) -> QWidget:
        return CommunityDirectory(self.clinic)

    def _due(self) -> QWidget:
        from groupclinic_desktop.ui.due_list import DueListPage

        return DueListPage(self.clinic)

    def _programmes(self) -> QWidget:
        return _optional(self.clinic, "groupclinic_desktop.ui.programmes", "ProgrammeEditor")

    def _outcomes(self) -> QWidget:
        return _optional(self.clinic, "groupclinic_desktop.ui.outcomes", "OutcomesScreen")


def _optional(clinic: Clinic, module: str, name: str) -> QWidget:
    import importlib

    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return QLabel("This area is not available in this version.")
    return cls(clinic)
