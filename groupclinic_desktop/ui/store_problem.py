"""The screen shown when the practice store cannot be opened: what happened, and the safe ways on.

Never a traceback and never a silent new empty store: the person at the laptop reads in plain words
whether the store is damaged, already open elsewhere, from a newer version or missing its key, and
is offered only the actions that are safe for that case.
"""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError, StoreError

RESTORE, READ_ONLY, RETRY, QUIT = "restored", "read_only", "retry", "quit"

# kind -> (heading, what it means and what to do), in the words a facilitator would use.
EXPLANATIONS: dict[str, tuple[str, str]] = {
    "damaged": (
        "The practice store is damaged",
        "GroupClinic checks the store every time it starts, and part of it cannot be read. "
        "This can happen after a power cut or a disk fault. Nothing has been changed. "
        "You can put back the latest good backup (the damaged file is kept as it is), or look "
        "at what can still be read without changing anything.",
    ),
    "locked": (
        "The store is already open",
        "GroupClinic is already using this practice's store in another window or command on "
        "this laptop. Two at once could overwrite each other's work. Close the other one, "
        "then choose Try again.",
    ),
    "newer": (
        "This store is from a newer version of GroupClinic",
        "It was last used by a newer version of the app, which may have changed how it is "
        "laid out. This version will not change it. Install the newer version to work with it, "
        "or look at it read-only.",
    ),
    "key": (
        "The key to open this store is missing",
        "The store is encrypted, and its key is kept in this laptop's keyring. The key is not "
        "there or does not fit this file - for example when the store was copied from another "
        "laptop. Ask your IT support to set the key (see the deployment guide). Nothing has "
        "been changed.",
    ),
    "plain": (
        "This is not a GroupClinic store",
        "The file where the practice store should be is an ordinary, unencrypted database, so "
        "GroupClinic will not use or change it. Ask your IT support to check the data folder.",
    ),
    "disk_full": (
        "The disk is full",
        "The disk that holds the practice's data has no room left, so GroupClinic cannot work "
        "safely. The store itself is fine and nothing was changed. Free some space (empty the "
        "recycle bin, move old files away), then choose Try again.",
    ),
    "other": (
        "GroupClinic cannot open the practice store",
        "Nothing has been changed. The details below say what went wrong.",
    ),
}


def _when(path: Path) -> str:
    stamp = store._backup_time(path)
    return stamp.strftime("%d %b %Y at %H:%M") if stamp else path.name


class StoreProblemDialog(QDialog):
    """Explain a StoreError and offer the safe actions; exec() then read `choice`.

    choice is "restored" (the latest good backup is in place; open the store again), "read_only",
    "retry" or "quit". `outcome` says in words what a restore did.
    """

    def __init__(
        self, error: StoreError, data_dir: Path | str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.error = error
        self.kind = getattr(error, "kind", "other")
        self.data_dir = Path(data_dir) if data_dir else store.default_data_dir()
        self.choice = QUIT
        self.outcome = ""
        self.backup = self._find_backup() if self.kind == "damaged" else None
        heading_text, explanation = EXPLANATIONS.get(self.kind, EXPLANATIONS["other"])
        self.setWindowTitle("GroupClinic: the practice store needs attention")
        self.setMinimumWidth(620)

        layout = QVBoxLayout(self)
        self.heading = QLabel(heading_text)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        if self.kind == "damaged":
            if self.backup is not None:
                text = (
                    f"The latest good backup is from {_when(self.backup)}. Anything saved after "
                    "that time is not in it: check today's records after restoring."
                )
            else:
                text = "There is no good backup in the backups folder to put back."
            self.backup_note = QLabel(text)
            self.backup_note.setWordWrap(True)
            layout.addWidget(self.backup_note)
        self.details = QLabel(f"Details: {error}")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setStyleSheet("color: #505a5f;")
        layout.addWidget(self.details)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #b10e1e; font-weight: bold;")
        self.status.hide()
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        if self.kind == "damaged" and self.backup is not None:
            self._button(buttons, RESTORE, "Restore the latest good backup", self._restore)
        if self.kind in ("damaged", "newer"):
            self._button(buttons, READ_ONLY, "Open read-only", lambda: self._finish(READ_ONLY))
        if self.kind in ("locked", "disk_full"):
            self._button(buttons, RETRY, "Try again", lambda: self._finish(RETRY))
        self._button(buttons, QUIT, "Quit", lambda: self._finish(QUIT))
        layout.addLayout(buttons)
        first = next(iter(self.buttons.values()))
        first.setDefault(True)
        first.setFocus()

    def _button(
        self, row: QHBoxLayout, choice: str, text: str, action: Callable[[], None]
    ) -> None:
        button = QPushButton(text)
        button.setAutoDefault(True)
        button.clicked.connect(action)
        row.addWidget(button)
        self.buttons[choice] = button

    def _find_backup(self) -> Path | None:
        try:
            return Clinic.latest_good_backup(self.data_dir)
        except StoreError:
            return None

    def _finish(self, choice: str) -> None:
        self.choice = choice
        self.accept() if choice != QUIT else self.reject()

    def _restore(self) -> None:
        try:
            used, kept = Clinic.recover_from_backup(self.data_dir, self.backup)
        except ClinicError as exc:
            self.status.setText(f"The backup could not be put back: {exc}")
            self.status.show()
            return
        self.outcome = f"The backup from {_when(used)} is back in place. " + (
            f"The damaged store was kept as {kept.name} in the backups folder."
            if kept is not None
            else "The store file had gone missing, so there was nothing to keep."
        )
        self._finish(RESTORE)

    def ask(self) -> str:
        """Show the screen modally and return the choice."""
        self.exec()
        return self.choice


def open_or_ask(
    data_dir: Path | None,
    opener: Callable[[Path | None], Clinic],
    parent: QWidget | None = None,
) -> Clinic | None:
    """Open the store with `opener`; while it raises StoreError, show the problem screen.

    Returns the Clinic (possibly read-only, see Clinic.read_only) or None when the person quits.
    """
    read_only = False
    while True:
        try:
            return Clinic.open(data_dir, read_only=True) if read_only else opener(data_dir)
        except StoreError as exc:
            dialog = StoreProblemDialog(exc, data_dir, parent)
            choice = dialog.ask()
            dialog.deleteLater()
        if choice == QUIT:
            return None
        # "read_only" opens read-only next; "restored" and "retry" try the normal way again.
        read_only = choice == READ_ONLY
