"""The one board of a running session, shared by the board page and the room screen.

It is read once after a change that concerns it, whoever asks first; the board page and the
room screen each repaint from the same Board. `changed` tells them, with the change set.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.views.board import Board, build_board

# Records a board is built from: who came, who agreed to share, their values and targets, the
# person's own details (names, date of birth), questionnaire scores, and settings (the board's
# handling of people without consent, the room's language).
BOARD_KINDS = frozenset({
    "attendance",
    "consent",
    "measurement",
    "patient",
    "personal_target",
    "questionnaire_response",
    "setting",
})


class SessionBoard(QObject):
    changed = Signal(object)  # the ChangeSet that made the board out of date

    def __init__(self, clinic: Clinic, session_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self._board: Board | None = None
        self.builds = 0  # how many times the board was read (once per change that concerns it)

    def current(self) -> Board:
        """The board as it stands, read now only if a change made it out of date."""
        if self._board is None:
            self._board = build_board(self.clinic, self.session_id)
            self.builds += 1
        return self._board

    def heard_anew(self) -> None:
        """Read the board again at the next asking, changed or not (the board page's rebuild)."""
        self._board = None

    def concerns(self, changes: ChangeSet) -> bool:
        people = [r.patient_id for r in self._board.rows] if self._board is not None else []
        return changes.touches(BOARD_KINDS, session_id=self.session_id, patient_ids=people)

    def heard(self, changes: ChangeSet) -> None:
        if self.concerns(changes):
            self._board = None
            self.changed.emit(changes)
