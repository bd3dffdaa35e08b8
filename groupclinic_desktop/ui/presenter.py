"""The presenter view: the board full-screen on the room's screen, for everyone to read.

It shows only what the board model holds (first names by consent, codes otherwise), in the
practice's plain words, in large type, with no editing controls. It follows the session's bus,
so a value typed at check-in appears without a restart, and it blanks itself to "Session paused"
while the laptop is locked. It goes on a screen other than the laptop's, and moves when a screen
is plugged in or pulled out. It speaks the session's language (chosen on the board page), through
Qt's translation system, and lays itself out right to left for Urdu.

The facilitator controls it: Esc (or Q, Ctrl+W, the Close button, right-click) closes it, B
blanks and shows it again; the lock blanks it too. Numbers are the point, so values are as large
as names and scaled to the screen (never under 48 px at 768 px high); a value not taken today
carries its date, and a stale one says so. A demo practice says DEMO on this screen too.

A room of twelve does not fit a 768-pixel screen at that size, and a scroll bar is no use to the
back of the room: the people are shown a page at a time, every page with the group line, a page
mark ("1 / 2 ● ○") on the last line, turning by itself every few seconds (Page Down, Space or the
arrows turn it by hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QPainter,
    QResizeEvent,
    QScreen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.i18n import ENGLISH, Words
from groupclinic_desktop.core.views.board import Board, Cell
from groupclinic_desktop.core.views.board_look import INK, KEY_TEXT, cell_words, group_words, tint
from groupclinic_desktop.ui.four_ms_panel import FourMsPanel
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.translation import qt_words

PAUSED = "Session paused"
DEMO_MARK = "DEMO — fictional people"
VALUE_PX_AT_768 = 48  # the smallest value on a 1366x768 projector, read from the back
BASE_HEIGHT = 768
RLM = "\u200f"
HEADER_LINE_CHARS = 17  # about a fifth of a 1600-pixel screen at 17 pt
TURN_MS = 12_000  # a page of the board stays this long before the next one comes up
PAGE_KEYS = {
    Qt.Key.Key_PageDown: +1, Qt.Key.Key_Space: +1, Qt.Key.Key_Right: +1, Qt.Key.Key_Down: +1,
    Qt.Key.Key_PageUp: -1, Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1,
}
T = TypeVar("T")


def pick_screen(screens: Sequence[T], laptop: T | None, current: T | None = None) -> T | None:
    """The screen for the room: stay where we are if that is still another screen, else the
    first screen that is not the laptop's, else (one screen only) the laptop's own."""
    others = [s for s in screens if s is not laptop]
    if current is not None and current in others:
        return current
    if others:
        return others[0]
    return screens[0] if screens else None


def presenter_text(cell: Cell, words: Words = ENGLISH) -> str:
    """A cell for the room on one line, read from the back: "150/84 ~" (the key explains)."""
    return cell_words(cell, words)


class PresenterWindow(QWidget):
    shown_changed = Signal()  # shown, hidden, blanked or back: the board page says which

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        bus: SessionBus,
        *,
        laptop: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.clinic = clinic
        self.session_id = session_id
        self.bus = bus
        self.laptop = laptop
        self.today = today
        self.board: Board | None = None
        self.is_locked = False
        self.cells_painted = 0
        self.refreshes = 0  # how many times it repainted from the board (wholly or in part)
        self.words: Words = ENGLISH
        self.setWindowTitle("Group results board")
        self.setAccessibleName("Group results board (presenter view)")
        self.is_blank = False
        self.value_px = VALUE_PX_AT_768
        self.pages: list[list[int]] = [[]]  # board rows on each page of the room screen
        self.page = 0
        self.turn = QTimer(self)
        self.turn.setInterval(TURN_MS)
        self.turn.timeout.connect(lambda: self.turn_page(+1, by_hand=False))
        # Keys reach it once someone clicks on it; showing it does not take the laptop's keys.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        # It never keeps the app running on its own once the main window has closed.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self._style()

        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 8, 24, 8)
        # One line on top: the DEMO mark, the title, the page mark, and the two controls.
        controls = QHBoxLayout()
        self.demo_mark = QLabel(DEMO_MARK)
        self.demo_mark.setObjectName("demo")
        practice = clinic.practice()
        self.demo_mark.setVisible(bool(practice and practice.is_demo))
        controls.addWidget(self.demo_mark)
        self.title = QLabel()
        self.title.setObjectName("title")
        # The title takes the room that is left on the line (cut short with "…" if need be):
        # it must never make the window wider than the projector.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title_text = ""
        controls.addWidget(self.title, 1)
        self.page_mark = QLabel()
        self.page_mark.setObjectName("title")
        self.page_mark.setAccessibleName("Page of the board")
        self.blank_button = QPushButton("Blank (B)")
        self.blank_button.setAccessibleName("Blank the room screen, or show it again")
        self.blank_button.clicked.connect(self.toggle_blank)
        self.close_button = QPushButton("Close (Esc)")
        self.close_button.setAccessibleName("Close the room screen")
        self.close_button.clicked.connect(self.close)
        for button in (self.blank_button, self.close_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setObjectName("control")
            controls.addWidget(button)
        outer.addLayout(controls)
        outer.addWidget(self.stack)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.key = QLabel(KEY_TEXT)
        self.key.setObjectName("small")
        self.table = QTableWidget(0, 0)
        self.table.setItemDelegate(CellPainter(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumHeight(70)
        # Never a scroll bar: rows that do not fit go on the next page (see paginate()).
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setMinimumSectionSize(1)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.viewport().installEventFilter(self)
        self.table.setShowGrid(True)
        self.table.setStyleSheet("QTableWidget { gridline-color: #555555; }")
        self.note = QLabel()
        self.note.setObjectName("small")
        layout.addWidget(self.table, 1)
        foot = QHBoxLayout()  # the key, the page mark and the note share the last line
        foot.addWidget(self.key, 1)
        foot.addWidget(self.page_mark)
        self.note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        foot.addWidget(self.note, 1)
        layout.addLayout(foot)
        layout.addWidget(FourMsPanel(clinic, session_id, bus, room=True, today=today))
        self.stack.addWidget(page)

        self.paused = QLabel(PAUSED)
        self.paused.setObjectName("paused")
        self.paused.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.paused)
        self.blank = QLabel("")  # nothing at all: the room sees a plain screen
        self.stack.addWidget(self.blank)

        self._stale = False  # changed while closed: read again when shown
        # The same board model as the board page's: one read of the board per change.
        bus.follow(clinic)
        self.model = bus.board(clinic, session_id)
        self.model.changed.connect(self.board_changed)
        bus.locked.connect(self.set_locked)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenAdded.connect(self._screens_changed)
            app.screenRemoved.connect(self._screens_changed)
        self.refresh()

    # ------------------------------------------------------------------ placing on a screen

    def laptop_screen(self) -> QScreen | None:
        return self.laptop.screen() if self.laptop is not None else QGuiApplication.primaryScreen()

    def show_on(self, screen: QScreen | None = None) -> None:
        """Full screen on the given screen, or on the one that is not the laptop's."""
        screen = screen or pick_screen(QGuiApplication.screens(), self.laptop_screen())
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    def _screens_changed(self, _screen: QScreen) -> None:
        if not self.isVisible():
            return
        current = self.screen()
        chosen = pick_screen(QGuiApplication.screens(), self.laptop_screen(), current)
        if chosen is not None and chosen is not current:
            self.show_on(chosen)

    # ------------------------------------------------------------------ content

    def set_language(self, code: str) -> None:
        """Speak a language (its Qt catalogue) and read in its direction; repaint."""
        if code != self.words.code:
            self.words = qt_words(code, confirmed=self.clinic.language_confirmed(code))
        rtl = self.words.rtl
        self.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        )
        words = self.words
        self.setWindowTitle(words("Group results board"))
        self.key.setText(words(KEY_TEXT))
        self.paused.setText(words("Session paused"))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        if self._stale:  # never shown out of date
            self.refresh()
        super().showEvent(event)
        self._keep_turning()
        self.shown_changed.emit()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        self.turn.stop()
        self.shown_changed.emit()

    def refresh(self) -> None:
        if self.is_locked:
            return
        self._stale = False
        self.set_language(self.clinic.session_language(self.session_id))
        words = self.words
        self.board = self.model.current()
        self.refreshes += 1
        board = self.board
        # A right-to-left mark makes the line read from the right even when it starts with
        # the programme's English name.
        start = RLM if words.rtl else ""
        self.title_text = f"{start}{board.title}  ·  {words.day(board.day)}"
        self._fit_title()
        self.table.clear()
        self.table.setColumnCount(len(board.columns) + 1)
        self.table.setRowCount(len(board.rows) + 1)
        self.table.setHorizontalHeaderLabels(
            [""]
            + [
                f"{wrap_words(words(c.plain_label))}\n{wrap_words(words.target(c.target_text))}"
                for c in board.columns
            ]
        )
        for r in range(len(board.rows)):
            self._paint_row(r)
        self._paint_group()
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        hidden = (
            words("{n} more people here today are not shown.", n=board.hidden) + " "
            if board.hidden
            else ""
        )
        self.note.setText(hidden + words("Names only for people who agreed to share."))
        self.paginate()

    def board_changed(self, changes: ChangeSet) -> None:
        """Repaint only the rows that changed and the group line; all of it when people came
        or went or a setting changed (the room's language). Closed, locked or blank-and-hidden,
        nobody sees it: it reads the board again when shown."""
        if self.is_locked or self.board is None or not self.isVisible():
            self._stale = True
            return
        board = self.model.current()
        old = self.board
        same_shape = (
            [r.patient_id for r in board.rows] == [r.patient_id for r in old.rows]
            and board.columns == old.columns
        )
        if not same_shape or "setting" in changes.kinds:
            self.refresh()
            return
        self.board = board
        self.refreshes += 1
        for r, (was, now) in enumerate(zip(old.rows, board.rows, strict=True)):
            if was != now:
                self._paint_row(r)
        if old.summaries != board.summaries:
            self._paint_group()
        self.paginate()  # a value that now carries a date needs a taller row

    def _paint_row(self, r: int) -> None:
        assert self.board is not None
        row = self.board.rows[r]
        name = QTableWidgetItem(row.label)
        name.setFont(_px_font(self.name_px, bold=True))
        self.table.setItem(r, 0, name)
        for c, cell in enumerate(row.cells, start=1):
            item = QTableWidgetItem(self.cell_text(cell))
            item.setFont(_px_font(self.value_px, bold=True))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setBackground(QBrush(QColor(tint(cell))))
            item.setForeground(QBrush(QColor(INK)))
            item.setToolTip(cell_words(cell, self.words))
            self.table.setItem(r, c, item)
            self.cells_painted += 1

    def _paint_group(self) -> None:
        assert self.board is not None
        r = len(self.board.rows)
        label = QTableWidgetItem(self.words("Group"))
        label.setFont(_px_font(self.name_px, bold=True))
        self.table.setItem(r, 0, label)
        for c, summary in enumerate(self.board.summaries, start=1):
            item = QTableWidgetItem(group_words(summary, self.words))
            item.setFont(_px_font(self.name_px))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setBackground(QBrush(QColor("#F2F2F2")))
            self.table.setItem(r, c, item)

    def cell_text(self, cell: Cell) -> str:
        """The value and its status; a value not from the board's day carries its date."""
        text = presenter_text(cell, self.words)
        day = self.board.day if self.board is not None else None
        if cell.has_value and cell.taken_on is not None and cell.taken_on != day:
            month = self.words.day(cell.taken_on).split()[1][:3]
            text += f"\n{self.words('from')} {cell.taken_on.day} {month} {cell.taken_on.year}"
        return text

    # ------------------------------------------------------------------ pages of people

    def row_px(self, r: int) -> int:
        """The height a row needs: its value (the digits' own height and a little air), and a
        line for a date when one of its values carries one."""
        metrics = QFontMetrics(_px_font(self.value_px, bold=True))
        need = metrics.tightBoundingRect("0123456789/!~✓").height() + self.value_px // 3
        dated = any(
            "\n" in item.text()
            for c in range(1, self.table.columnCount())
            for item in [self.table.item(r, c)]
            if item is not None
        )
        return need + (QFontMetrics(_date_font(self.value_px)).height() if dated else 0)

    def paginate(self) -> None:
        """Share the people out over pages that each fit the screen with the group line."""
        if self.board is None or self.is_locked:
            return
        count = len(self.board.rows)
        heights = [self.row_px(r) for r in range(count)]
        room = max(1, self.table.viewport().height() - self.row_px(count))
        pages: list[list[int]] = []
        page: list[int] = []
        used = 0
        for r, height in enumerate(heights):
            if page and used + height > room:
                pages.append(page)
                page, used = [], 0
            page.append(r)
            used += height
        pages.append(page)
        if len(pages) > 1:  # the same number on each page (6 and 6, not 7 and 5) when it fits
            per = -(-count // len(pages))
            even = [list(range(i, min(count, i + per))) for i in range(0, count, per)]
            if len(even) == len(pages) and all(
                sum(heights[r] for r in part) <= room for part in even
            ):
                pages = even
        self.pages = pages
        self.page = min(self.page, len(pages) - 1)
        self._show_page(heights)

    def _show_page(self, heights: list[int] | None = None) -> None:
        assert self.board is not None
        count = len(self.board.rows)
        heights = heights or [self.row_px(r) for r in range(count)]
        shown = self.pages[self.page]
        group = self.row_px(count)
        spare = self.table.viewport().height() - group - sum(heights[r] for r in shown)
        more = max(0, spare) // (len(shown) + 1)  # a short page spreads out, as before
        for r in range(count):
            self.table.setRowHidden(r, r not in shown)
            if r in shown:
                self.table.setRowHeight(r, heights[r] + more)
        self.table.setRowHeight(count, group + more)
        many = len(self.pages) > 1
        dots = " ".join("●" if n == self.page else "○" for n in range(len(self.pages)))
        self.page_mark.setText(f"{self.page + 1} / {len(self.pages)}  {dots}" if many else "")
        self.page_mark.setVisible(many)
        self._keep_turning()

    def turn_page(self, step: int = +1, *, by_hand: bool = True) -> None:
        """The next (or previous) page of people; by hand, the clock starts again."""
        if len(self.pages) < 2 or self.board is None:
            return
        self.page = (self.page + step) % len(self.pages)
        self._show_page()
        if by_hand:
            self.turn.start()

    def _keep_turning(self) -> None:
        showing = self.isVisible() and not self.is_blank and not self.is_locked
        if showing and len(self.pages) > 1:
            if not self.turn.isActive():
                self.turn.start()
        else:
            self.turn.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.paginate()
        return super().eventFilter(watched, event)

    @property
    def name_px(self) -> int:
        return self.value_px * 3 // 4  # names smaller than the numbers, which are the point

    def _style(self) -> None:
        """Sizes in pixels, scaled to the screen's height: the app's own text size (a laptop
        setting) must not shrink the room's numbers."""
        scale = max(1.0, self.height() / BASE_HEIGHT) if self.isVisible() else 1.0
        self.value_px = round(VALUE_PX_AT_768 * scale)
        small, title = round(20 * scale), round(30 * scale)
        self.setStyleSheet(
            f"QWidget {{ background: white; color: {INK}; font-size: {small}px; }}"
            f"QLabel#title {{ font-size: {title}px; font-weight: bold; }}"
            f"QLabel#paused {{ font-size: {round(60 * scale)}px; font-weight: bold; }}"
            f"QHeaderView {{ font-size: {round(22 * scale)}px; font-weight: bold; }}"
            "QLabel#demo { color: white; background: #B71C1C; font-weight: bold;"
            " padding: 2px 8px; }"
            "QPushButton#control { background: #EEEEEE; color: #333333; padding: 2px 10px; }"
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        before = self.value_px
        self._style()
        if self.value_px != before and not self.is_locked and self.board is not None:
            self.refresh()
        super().resizeEvent(event)
        self._fit_title()

    def _fit_title(self) -> None:
        if self.is_locked or not self.title_text:
            return
        self.title.ensurePolished()
        width = max(self.title.width(), 200)
        elided = QFontMetrics(self.title.font()).elidedText(
            self.title_text, Qt.TextElideMode.ElideRight, width
        )
        self.title.setText(elided)
        self.title.setToolTip(self.title_text)

    # ------------------------------------------------------------------ the facilitator's keys

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        key = event.key()
        closing = key in (Qt.Key.Key_Escape, Qt.Key.Key_Q) or (
            key == Qt.Key.Key_W and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )
        if closing:
            self.close()
        elif key == Qt.Key.Key_B:
            self.toggle_blank()
        elif key in PAGE_KEYS:
            self.turn_page(PAGE_KEYS[key])
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt's name)
        menu = QMenu(self)
        menu.addAction("Show the board" if self.is_blank else "Blank (B)", self.toggle_blank)
        menu.addAction("Close the room screen (Esc)", self.close)
        menu.exec(event.globalPos())

    def toggle_blank(self) -> None:
        self.set_blank(not self.is_blank)

    def set_blank(self, blank: bool) -> None:
        """A plain screen for the room (B); the board comes back as it is now."""
        self.is_blank = blank
        self.blank_button.setText("Show (B)" if blank else "Blank (B)")
        self._show_current()
        self.shown_changed.emit()

    def _show_current(self) -> None:
        if self.is_locked:
            self.stack.setCurrentWidget(self.paused)
        elif self.is_blank:
            self.stack.setCurrentWidget(self.blank)
        else:
            self.stack.setCurrentIndex(0)
        board = not self.is_locked and not self.is_blank
        self.title.setVisible(board)  # a plain screen is plain: no title, no page mark
        self.page_mark.setVisible(board and len(self.pages) > 1)
        self._keep_turning()

    def set_locked(self, locked: bool) -> None:
        """While the laptop is locked the room sees only "Session paused"; nothing else is
        kept in the window, not even hidden."""
        self.is_locked = locked
        if locked:
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.title.clear()
            self.title.setToolTip("")
            self.title_text = ""
            self.note.clear()
        else:
            self.refresh()
        self._show_current()

    def texts(self) -> list[str]:
        """Every piece of text the window holds (labels, cells, headers), for checking."""
        found = [label.text() for label in self.findChildren(QLabel)]
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                if item is not None:
                    found += [item.text(), item.toolTip()]
        for c in range(self.table.columnCount()):
            header = self.table.horizontalHeaderItem(c)
            if header is not None:  # as read: the lines of a wrapped heading run on
                found.append(" ".join(header.text().split()))
        found.append(self.windowTitle())
        return [t for t in found if t]


def wrap_words(text: str, limit: int = HEADER_LINE_CHARS) -> str:
    """Break a heading into lines of about `limit` characters: Qt's headers do not wrap, and a
    clipped "Sugar level (HbA…" is no use at the back of the room."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


class CellPainter(QStyledItemDelegate):
    """A value in large type and, under it, its date in small type: never elided away."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        value, _, when = text.partition("\n")
        painter.save()
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if background is not None:
            painter.fillRect(option.rect, background)
        font = index.data(Qt.ItemDataRole.FontRole) or option.font
        painter.setPen(QColor(INK))
        painter.setFont(font)
        rect = option.rect.adjusted(4, 2, -4, -2)
        if when:
            small = _date_font(font.pixelSize())
            small_height = QFontMetrics(small).height()
            value_height = QFontMetrics(font).height()
            spare = rect.height() - value_height - small_height
            if spare > 0:  # a tall row: the value and its date together in the middle
                rect = rect.adjusted(0, spare // 2, 0, -(spare - spare // 2))
            top = rect.adjusted(0, 0, 0, -small_height)
            painter.drawText(top, Qt.AlignmentFlag.AlignCenter, value)
            painter.setFont(small)
            bottom = rect.adjusted(0, rect.height() - small_height, 0, 0)
            painter.drawText(bottom, Qt.AlignmentFlag.AlignCenter, when)
        else:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, value)
        painter.restore()


def _date_font(value_px: int) -> QFont:
    """The small type of a value's date, under the value."""
    return _px_font(max(14, value_px * 2 // 5))


def _px_font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font
