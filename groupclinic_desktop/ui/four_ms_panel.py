"""The 4Ms panel (Movement, Mood, Motivation, What matters to me) for the board page and the
room's presenter screen.

A page adds it in one line; it hides itself for a programme without 4M domains and repaints when
a value, attendance or consent changes, or when it is shown. Everything on it comes from
core.views.four_ms, so people appear exactly as on the board (first name with consent, else a code).
"""

from __future__ import annotations

import textwrap
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.views.four_ms import FourMItem, FourMPanel, build_four_ms
from groupclinic_desktop.ui.phases.base import SessionBus

INK = "#1A1A1A"
# One calm tint per M, with dark text on it (contrast well above 4.5:1).
TINTS = {
    "movement": "#E3F1E6",
    "mood": "#E6ECF8",
    "motivation": "#FFF1DC",
    "matters_to_me": "#F3E6F3",
}


def item_words(item: FourMItem) -> str:
    """One line for the group: "Mood score: group 25.03, up 3.52 since last time"."""
    if not item.median_text:
        return f"{item.plain_label}: no scores yet"
    line = f"{item.plain_label}: group {item.median_text}"
    if item.change_text == "0":
        line += ", the same as last time"
    elif item.change_text:
        way = "up" if item.change_text.startswith("+") else "down"
        line += f", {way} {item.change_text.lstrip('+−')} since last time"
    return line


def _goal_words(goals: int | None, people: int) -> str:
    """How many have a goal today; never the goal's words, which are the person's own."""
    if not goals:
        return "Each person's own goal, set at the end of the session."
    return f"Goals set today: {goals} of {people}"


# What the panel is built from (core/four_ms.py): the roster, consents, answers and goals.
FOUR_MS_KINDS = frozenset(
    {"attendance", "consent", "questionnaire_response", "goal", "patient"}
)


class FourMsPanel(QFrame):
    """The group's 4Ms: one box per M with the group's figures, and a table of people."""

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        bus: SessionBus | None = None,
        *,
        room: bool = False,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.today = today
        self.room = room
        self.panel: FourMPanel | None = None
        self.setAccessibleName("Our 4Ms: movement, mood, motivation and what matters to me")
        self.setStyleSheet(f"color: {INK};")
        self._size = 20 if room else 11
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 6, 0, 0)
        self.heading = QLabel("Our 4Ms")
        self.heading.setFont(self._font(self._size + 4, bold=True))
        outer.addWidget(self.heading)
        self.boxes = QHBoxLayout()
        outer.addLayout(self.boxes)
        self.people = QTableWidget(0, 0)
        self.people.setAccessibleName("4Ms for each person (names only with consent)")
        self.people.setFont(self._font(self._size))
        self.people.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.people.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.people.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.people.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.people.horizontalHeader().setFont(self._font(self._size - 2, bold=True))
        self.people.verticalHeader().setFont(self._font(self._size, bold=True))
        outer.addWidget(self.people)
        if bus is not None:
            bus.follow(clinic)
            bus.changes.connect(self.heard)
        self.refresh()

    def heard(self, changes: ChangeSet) -> None:
        """Refresh rule: who came, consents, questionnaires and goals of this session."""
        if changes.touches(FOUR_MS_KINDS, session_id=self.session_id):
            self.refresh()

    def _font(self, points: int, *, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSize(points)
        font.setBold(bold)
        return font

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self.panel is not None:
            self.refresh()  # questionnaires saved at check-in since it was last painted

    def refresh(self) -> None:
        panel = build_four_ms(self.clinic, self.session_id, today=self.today)
        if panel == self.panel and panel is not None:
            return
        self.panel = panel
        if panel is None:
            self.setVisible(False)
            return
        while self.boxes.count():
            widget = self.boxes.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for domain in panel.domains:
            box = QFrame()
            box.setAccessibleName(f"4Ms: {domain.label}")
            box.setStyleSheet(
                f"QFrame {{ background: {TINTS.get(domain.key, '#F2F2F2')}; border-radius: 6px; }}"
            )
            lines = QVBoxLayout(box)
            title = QLabel(domain.label)
            title.setFont(self._font(self._size + 2, bold=True))
            lines.addWidget(title)
            for item in domain.items:
                label = QLabel(item_words(item))
                label.setWordWrap(True)
                label.setFont(self._font(self._size))
                lines.addWidget(label)
            if not domain.items:
                # The goal's words are private: the room hears them only from the person.
                label = QLabel(_goal_words(panel.goals_set, len(panel.people)))
                label.setWordWrap(True)
                label.setFont(self._font(self._size))
                lines.addWidget(label)
            lines.addStretch(1)
            self.boxes.addWidget(box, 1)
            box.show()  # added to a panel that may be on screen already
        items = [item for domain in panel.domains for item in domain.items]
        self.people.clear()
        self.people.setColumnCount(len(items))
        self.people.setRowCount(len(panel.people))
        # Qt's headers do not wrap: break long labels so none is clipped at the back of the room.
        self.people.setHorizontalHeaderLabels([textwrap.fill(i.plain_label, 16) for i in items])
        self.people.setVerticalHeaderLabels([person.label for person in panel.people])
        for r, person in enumerate(panel.people):
            for c, item in enumerate(items):
                cell = QTableWidgetItem(person.values.get(item.key) or "–")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.people.setItem(r, c, cell)
        self.people.setVisible(bool(items and panel.people))
        # As tall as its rows: the board above keeps the rest of the screen.
        rows = sum(self.people.rowHeight(r) for r in range(self.people.rowCount()))
        self.people.setFixedHeight(self.people.horizontalHeader().sizeHint().height() + rows + 6)
        self.setVisible(True)

    def texts(self) -> list[str]:
        """Every piece of text the panel shows, for checking."""
        found = [label.text() for label in self.findChildren(QLabel) if label.isVisibleTo(self)]
        for r in range(self.people.rowCount()):
            header = self.people.verticalHeaderItem(r)
            if header is not None:
                found.append(header.text())
            for c in range(self.people.columnCount()):
                item = self.people.item(r, c)
                if item is not None:
                    found.append(item.text())
        for c in range(self.people.columnCount()):
            header = self.people.horizontalHeaderItem(c)
            if header is not None:  # as read: the lines of a wrapped heading run on
                found.append(" ".join(header.text().split()))
        return found
