"""Agenda setting: the programme's topic board and the group's own questions, prioritised.

Every change is saved through the facade the moment it is made; the order on screen is the order
in the store (drag and drop, Alt+Up/Down, or sort by votes all write positions).
"""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import AgendaItem, SessionStatus
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.widgets import SavedIndicator, heading

COVERED, TEXT, RAISED_BY, VOTES, TOPIC = range(5)
ID_ROLE = Qt.ItemDataRole.UserRole
TOPICS_PER_ROW = 5
CLOSED = (SessionStatus.FINISHED, SessionStatus.EXPORTED, SessionStatus.CANCELLED)
_WHAT_CHANGED = {"covered": "covered", "text": "the new wording", "raised_by": "who raised it"}


class AgendaList(QTreeWidget):
    """The agenda as a list that can be dragged, and moved with Alt+Up/Down, into order."""

    order_dropped = Signal(list)  # agenda item ids in their new order
    move_requested = Signal(int)  # -1 up, +1 down
    vote_requested = Signal(int)  # +1 or -1
    covered_toggled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(5)
        self.setHeaderLabels(["Covered", "Question or topic", "Raised by", "Votes", "Topic"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAccessibleName("Agenda items")
        self.setAccessibleDescription(
            "Alt+Up and Alt+Down move the selected item; plus and minus vote; Space ticks it "
            "covered; F2 edits the text."
        )
        header = self.header()
        header.setSectionResizeMode(COVERED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(RAISED_BY, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(VOTES, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TOPIC, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        # Roomy rows: the list is read across a room and clicked in a hurry.
        self.setStyleSheet("QTreeWidget::item { padding: 5px 2px; }")
        font = self.font()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.15)
        self.setFont(font)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        # Work out the new order ourselves and let the page save and redraw it: Qt's own move
        # could drop an item inside another (a tree) and would change rows the store owns.
        moving = [_item_id(i) for i in sorted(self.selectedItems(), key=self.indexOfTopLevelItem)]
        if not moving:
            event.ignore()
            return
        pos = event.position().toPoint()
        ids = self.ids_in_order()
        target = self.itemAt(pos)
        if target is None:
            insert_at = len(ids)
        else:
            row = self.indexOfTopLevelItem(target)
            insert_at = row if pos.y() < self.visualItemRect(target).center().y() else row + 1
        order = (
            [i for i in ids[:insert_at] if i not in moving]
            + moving
            + [i for i in ids[insert_at:] if i not in moving]
        )
        # CopyAction so the drag's source does not delete the rows it thinks it moved.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if order != ids:
            QTimer.singleShot(0, lambda: self.order_dropped.emit(order))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        key = event.key()
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if alt and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_requested.emit(-1 if key == Qt.Key.Key_Up else 1)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.vote_requested.emit(1)
        elif key == Qt.Key.Key_Minus:
            self.vote_requested.emit(-1)
        elif key == Qt.Key.Key_Space:
            self.covered_toggled.emit()
        elif key == Qt.Key.Key_F2 and self.currentItem() is not None:
            self.editItem(self.currentItem(), TEXT)
        else:
            super().keyPressEvent(event)

    def ids_in_order(self) -> list[int]:
        return [_item_id(self.topLevelItem(row)) for row in range(self.topLevelItemCount())]


def _item_id(item: QTreeWidgetItem) -> int:
    return int(item.data(COVERED, ID_ROLE))


class AgendaPage(PhasePage):
    phase_key = "agenda"

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(clinic, session_id, bus, parent)
        self._loading = False
        self._items: dict[int, AgendaItem] = {}
        snapshot = clinic.session(session_id).programme_snapshot or {}
        self.topics: list[str] = list(snapshot.get("topics", []))

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Agenda: what the group wants to talk about"))

        layout.addWidget(QLabel("Topic board — press a topic to put it on the agenda:"))
        board = QGridLayout()
        self.topic_buttons: dict[str, QPushButton] = {}
        for index, topic in enumerate(self.topics):
            button = QPushButton(topic)
            button.setAccessibleName(f"Topic: {topic}")
            button.setMinimumHeight(44)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, t=topic: self.add_topic(t))
            board.addWidget(button, index // TOPICS_PER_ROW, index % TOPICS_PER_ROW)
            self.topic_buttons[topic] = button
        layout.addLayout(board)

        add_row = QHBoxLayout()
        self.question = QLineEdit()
        self.question.setAccessibleName("New question")
        self.question.setPlaceholderText("Type a question from the group and press Enter")
        self.raised_by = QLineEdit()
        self.raised_by.setAccessibleName("Raised by (optional)")
        self.raised_by.setPlaceholderText("Raised by (optional)")
        self.raised_by.setMaximumWidth(200)
        self.topic_choice = QComboBox()
        self.topic_choice.setAccessibleName("Topic of the new question")
        self.topic_choice.addItem("No topic", None)
        for topic in self.topics:
            self.topic_choice.addItem(topic, topic)
        self.add_button = QPushButton("Add question")
        self.add_button.setAccessibleName("Add question")
        for widget in (self.question, self.raised_by):
            widget.returnPressed.connect(self.add_question)
        self.add_button.clicked.connect(self.add_question)
        add_row.addWidget(self.question, 3)
        add_row.addWidget(self.raised_by, 1)
        add_row.addWidget(self.topic_choice, 1)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)

        self.list = AgendaList()
        self.list.itemChanged.connect(self._item_edited)
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.list.order_dropped.connect(self._save_order)
        self.list.move_requested.connect(self.move_selected)
        self.list.vote_requested.connect(self.vote)
        self.list.covered_toggled.connect(self.toggle_covered)
        layout.addWidget(self.list, 1)

        actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip, slot in (
            ("vote_up", "Vote +1", "Plus key", lambda: self.vote(1)),
            ("vote_down", "Vote −1", "Minus key", lambda: self.vote(-1)),
            ("up", "Move up", "Alt+Up", lambda: self.move_selected(-1)),
            ("down", "Move down", "Alt+Down", lambda: self.move_selected(1)),
            ("sort", "Sort by votes", "Most votes first", self.sort_by_votes),
            ("edit", "Edit text", "F2", self._edit_current),
            ("covered", "Covered ✓", "Space: tick or untick", self.toggle_covered),
            ("merge", "Merge two duplicates", "Select two items first", self.merge_selected),
        ):
            button = QPushButton(text)
            button.setAccessibleName(text.replace("−", "minus ").replace("✓", "").strip())
            button.setToolTip(tip)
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.buttons[key] = button
        actions.addStretch(1)
        layout.addLayout(actions)

        self.status = SavedIndicator()
        layout.addWidget(self.status)
        self.refresh()

    # ----------------------------------------------------------------- showing

    def refresh(self) -> None:
        selected = {self._id(i) for i in self.list.selectedItems()}
        current = self.list.currentItem()
        current_id = self._id(current) if current is not None else None
        self._loading = True
        try:
            self.list.clear()
            self._items = {}
            for row in self.clinic.agenda(self.session_id):
                assert row.id is not None
                self._items[row.id] = row
                item = QTreeWidgetItem()
                item.setData(COVERED, ID_ROLE, row.id)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsUserCheckable
                    | Qt.ItemFlag.ItemIsEditable
                    | Qt.ItemFlag.ItemIsDragEnabled
                )
                self._paint(item, row)
                self.list.addTopLevelItem(item)
                if row.id in selected:
                    item.setSelected(True)
                if row.id == current_id:
                    self.list.setCurrentItem(item, TEXT)
        finally:
            self._loading = False
        closed = self.clinic.session(self.session_id).status in CLOSED
        for widget in (
            self.question,
            self.raised_by,
            self.topic_choice,
            self.add_button,
            *self.topic_buttons.values(),
            *self.buttons.values(),
        ):
            widget.setEnabled(not closed)
        self.list.setDragEnabled(not closed)
        if closed:
            self.status.pending(
                "this session is finished, so its agenda is closed (see Wrap-up to correct)."
            )

    def _paint(self, item: QTreeWidgetItem, row: AgendaItem) -> None:
        item.setCheckState(
            COVERED, Qt.CheckState.Checked if row.covered else Qt.CheckState.Unchecked
        )
        item.setText(COVERED, "Covered" if row.covered else "")
        item.setText(TEXT, row.text)
        item.setText(RAISED_BY, row.raised_by or "")
        item.setText(VOTES, str(row.votes))
        item.setTextAlignment(VOTES, Qt.AlignmentFlag.AlignCenter)
        item.setText(TOPIC, row.topic or "")
        font = item.font(TEXT)
        font.setStrikeOut(row.covered)
        item.setFont(TEXT, font)

    @staticmethod
    def _id(item: QTreeWidgetItem) -> int:
        return int(item.data(COVERED, ID_ROLE))

    def _select(self, item_id: int) -> None:
        for row in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(row)
            if self._id(item) == item_id:
                self.list.clearSelection()
                self.list.setCurrentItem(item, TEXT)
                item.setSelected(True)
                return

    # ----------------------------------------------------------------- changing

    def _run(self, done: str, action: object) -> bool:
        """Save through the facade; say what happened; tell the other views."""
        try:
            action()  # type: ignore[operator]
        except ClinicError as exc:
            self.status.failed(str(exc))
            self.refresh()
            return False
        self.status.saved(done)
        self.refresh()
        return True

    def add_question(self) -> None:
        text = self.question.text().strip()
        if not text:
            self.status.pending("type the question first.")
            self.question.setFocus()
            return
        added: list[AgendaItem] = []
        topic = self.topic_choice.currentData()
        raised_by = self.raised_by.text().strip() or None
        if self._run(
            "the question",
            lambda: added.append(
                self.clinic.add_agenda_item(self.session_id, text, topic=topic, raised_by=raised_by)
            ),
        ):
            self.question.clear()
            self.raised_by.clear()
            self.topic_choice.setCurrentIndex(0)
            self._select(added[0].id)  # type: ignore[arg-type]
            self.question.setFocus()

    def add_topic(self, topic: str) -> None:
        """Put a topic from the board on the agenda, or select it if it is there already."""
        for item_id, row in self._items.items():
            if row.text == topic:
                self._select(item_id)
                self.status.saved(f"(“{topic}” is already on the agenda)")
                return
        added: list[AgendaItem] = []
        if self._run(
            "the topic",
            lambda: added.append(self.clinic.add_agenda_item(self.session_id, topic, topic=topic)),
        ):
            self._select(added[0].id)  # type: ignore[arg-type]

    def _item_edited(self, item: QTreeWidgetItem, column: int) -> None:
        # Edited in place (checkbox or F2): save and repaint this row only, never rebuild the
        # list while Qt is still inside the edit.
        if self._loading:
            return
        item_id = self._id(item)
        row = self._items.get(item_id)
        if row is None:
            return
        changes: dict[str, object] = {}
        if column == COVERED:
            covered = item.checkState(COVERED) == Qt.CheckState.Checked
            if covered != row.covered:
                changes = {"covered": covered}
        elif column == TEXT and item.text(TEXT).strip() != row.text:
            changes = {"text": item.text(TEXT)}
        elif column == RAISED_BY and (item.text(RAISED_BY).strip() or None) != row.raised_by:
            changes = {"raised_by": item.text(RAISED_BY).strip() or None}
        if not changes:
            return
        try:
            row = self.clinic.update_agenda_item(item_id, **changes)
        except ClinicError as exc:
            self.status.failed(str(exc))
        else:
            self._items[item_id] = row
            self.status.saved(_WHAT_CHANGED.get(next(iter(changes)), ""))
        self._loading = True
        try:
            self._paint(item, self._items[item_id])
        finally:
            self._loading = False

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if column in (TEXT, RAISED_BY) and self.add_button.isEnabled():
            self.list.editItem(item, column)

    def _edit_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.setFocus()
            self.list.editItem(item, TEXT)

    def vote(self, change: int) -> None:
        item = self.list.currentItem()
        if item is None:
            self.status.pending("select an item to vote for.")
            return
        item_id = self._id(item)
        votes = max(0, self._items[item_id].votes + change)
        self._run(
            f"{votes} vote{'s' if votes != 1 else ''}",
            lambda: self.clinic.update_agenda_item(item_id, votes=votes),
        )
        self._select(item_id)

    def toggle_covered(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.status.pending("select an item to tick it covered.")
            return
        item_id = self._id(item)
        covered = not self._items[item_id].covered
        self._run(
            "covered" if covered else "not covered",
            lambda: self.clinic.update_agenda_item(item_id, covered=covered),
        )
        self._select(item_id)

    def move_selected(self, step: int) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        ids = self.list.ids_in_order()
        item_id = self._id(item)
        index = ids.index(item_id)
        target = index + step
        if not 0 <= target < len(ids):
            return
        ids[index], ids[target] = ids[target], ids[index]
        self._run("the new order", lambda: self.clinic.reorder_agenda(self.session_id, ids))
        self._select(item_id)

    def _save_order(self, ids: list[int]) -> None:
        current = self.list.currentItem()
        item_id = self._id(current) if current is not None else None
        self._run("the new order", lambda: self.clinic.reorder_agenda(self.session_id, ids))
        if item_id is not None:
            self._select(item_id)

    def sort_by_votes(self) -> None:
        ids = self.list.ids_in_order()
        # Python's sort is stable, so equal votes keep the group's own order.
        ids.sort(key=lambda i: -self._items[i].votes)
        self._run("the order by votes", lambda: self.clinic.reorder_agenda(self.session_id, ids))

    def merge_selected(self) -> None:
        chosen = self.list.selectedItems()
        if len(chosen) != 2:
            self.status.pending("select exactly two items (Ctrl+click) to merge them.")
            return
        chosen.sort(key=lambda i: self.list.indexOfTopLevelItem(i))
        keep_id, merge_id = self._id(chosen[0]), self._id(chosen[1])
        self._run(
            "the merge (votes added together)",
            lambda: self.clinic.merge_agenda_items(keep_id, merge_id),
        )
        self._select(keep_id)


__all__ = ["AgendaPage", "AgendaList"]
