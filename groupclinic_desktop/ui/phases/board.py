"""The biometric board phase: everyone's numbers against targets, the charts and the hand-outs.

This is the facilitator's screen (clinical labels); the room sees the presenter view, in plain
words and the language chosen here for the session, on the second screen. A new value repaints
only that person's cells, the group line and the charts that depend on it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core import i18n
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.core.schema import ClinicSession, Mode
from groupclinic_desktop.core.views.board import Board, Cell, build_board, trend
from groupclinic_desktop.core.views.board_look import INK, KEY_TEXT, tint
from groupclinic_desktop.ui import charts
from groupclinic_desktop.ui.charts import DistributionChart, TrendChart
from groupclinic_desktop.ui.four_ms_panel import FourMsPanel
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus
from groupclinic_desktop.ui.presenter import PresenterWindow

TABLE_POINTS = 15


def page_text(cell: Cell) -> str:
    """A cell on the facilitator's board: value, change, and status in words."""
    if not cell.has_value:
        return "–"
    first = f"{cell.text}  ({cell.change_text})" if cell.change_text else cell.text
    second = cell.status_text
    if cell.personal_target:
        second = f"{second} *" if second else "*"
    return f"{first}\n{second}" if second else first


class BoardTable(QTableWidget):
    """The board's table, whose rows fit their wrapped text at the columns' current width.

    Qt sizes rows to their contents when cells change, not when the columns widen, so a table
    filled before it was first laid out (a page built in idle time) would keep rows sized for
    narrow columns. When the columns change width the rows are sized again, once the header has
    finished (it reports each column before it stores the new widths)."""

    def __init__(self, rows: int, columns: int) -> None:
        super().__init__(rows, columns)
        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.setInterval(0)
        self._fit.timeout.connect(
            lambda: self.verticalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        )
        self.horizontalHeader().sectionResized.connect(lambda *_: self._fit.start())


REMOTE_SHARE_WORDS = (
    "People joining by video or phone cannot see the room screen. Share the board with them "
    "as its saved image (or the Room PDF) — never share this window: it shows staff-only "
    "information."
)


class BoardPage(PhasePage):
    phase_key = "board"

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(clinic, session_id, bus, parent)
        self.board: Board | None = None
        self.presenter = None  # the PresenterWindow, once shown
        self.cells_painted = 0

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setWordWrap(True)  # a long programme name wraps; it is never cut short
        top.addWidget(self.title, 1)
        language_label = QLabel("Room &language:")
        self.language = QComboBox()
        self.language.setAccessibleName("Language the room sees")
        language_label.setBuddy(self.language)
        for lang in i18n.languages():
            shown = lang.name if lang.native == lang.name else f"{lang.name} ({lang.native})"
            self.language.addItem(shown, lang.code)
        self.language.setCurrentIndex(
            max(self.language.findData(clinic.session_language(session_id)), 0)
        )
        self.language.currentIndexChanged.connect(lambda _i: self.choose_language())
        self.language_warning = QLabel()
        self.language_warning.setObjectName("warning")
        self.language_warning.setStyleSheet("color: #8A4B00; font-weight: bold;")
        self._show_language_warning()
        self.second_screen = QPushButton("Show on &second screen")
        self.png_button = QPushButton("Save board as &PNG")
        self.room_button = QPushButton("&Room PDF")
        self.handouts_button = QPushButton("&Hand-outs")
        for button, slot in (
            (self.second_screen, self.show_on_second_screen),
            (self.png_button, lambda: self.save_png()),
            (self.room_button, lambda: self.save_room_pdf()),
            (self.handouts_button, lambda: self.save_handouts()),
        ):
            button.clicked.connect(slot)
            top.addWidget(button)
        layout.addLayout(top)
        # The room screen is always under the facilitator's hand: blank it (B) or close it.
        room = QHBoxLayout()
        self.room_state = QLabel("Room screen: not shown")
        self.room_state.setAccessibleName("Room screen")
        self.blank_button = QPushButton("&Blank room screen (B)")
        self.blank_button.clicked.connect(self.toggle_room_blank)
        self.close_room_button = QPushButton("&Close room screen")
        self.close_room_button.clicked.connect(self.close_room_screen)
        room.addWidget(self.room_state, 1)
        # The room's language sits with the room screen's controls, leaving the title its width.
        room.addWidget(language_label)
        room.addWidget(self.language)
        room.addWidget(self.language_warning)
        room.addWidget(self.blank_button)
        room.addWidget(self.close_room_button)
        layout.addLayout(room)
        layout.addWidget(self._build_remote_share(clinic.session(session_id)))
        QShortcut(QKeySequence("B"), self, self.toggle_room_blank)
        self._show_room_state()
        key = QLabel(KEY_TEXT + "    * personal target")
        key.setAccessibleName("Key to the board's symbols")
        layout.addWidget(key)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table = BoardTable(0, 0)
        self.table.setAccessibleName("Biometric board")
        font = QFont(self.table.font())
        font.setPointSize(TABLE_POINTS)
        self.table.setFont(font)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        self.table.currentCellChanged.connect(self._cell_chosen)
        splitter.addWidget(self.table)

        charts = QWidget()
        chart_layout = QVBoxLayout(charts)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Chart:"))
        self.measure = QComboBox()
        self.measure.setAccessibleName("Measurement to chart")
        self.measure.currentIndexChanged.connect(lambda _i: self._draw_charts())
        picker.addWidget(self.measure)
        self.person_label = QLabel()
        picker.addWidget(self.person_label, 1)
        chart_layout.addLayout(picker)
        row = QHBoxLayout()
        # Charts of a board not on screen draw in a quiet moment (they are the slow part).
        self.trend_chart = TrendChart(
            accessible_name="Trend for the chosen person", idle=bus.idle_work
        )
        self.group_chart = DistributionChart(
            accessible_name="The group against the target", idle=bus.idle_work
        )
        row.addWidget(self.trend_chart)
        row.addWidget(self.group_chart)
        chart_layout.addLayout(row)
        splitter.addWidget(charts)
        # The people come first on a 768-px screen; the charts take what is left.
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([480, 240])
        layout.addWidget(splitter, 1)
        layout.addWidget(FourMsPanel(clinic, session_id, bus))  # hidden without 4M domains

        # The board is read once per change, for this page and the room screen alike.
        self.model = bus.board(clinic, session_id)
        self.model.changed.connect(lambda _changes: self.changed())
        self.refreshes = 0  # how many times the page repainted from the board
        self.refresh()

    # ------------------------------------------------------------------ painting

    def refresh(self) -> None:
        """Read the board again and repaint what differs from the board on screen: the rows
        that changed, the group line if it changed, and a chart only if its data changed."""
        board = self.model.current()
        old, self.board = self.board, board
        self.refreshes += 1
        # The day is in the window's heading above; the page keeps to the programme's name.
        title = f"<b>{board.title}</b>"
        if self.title.text() != title:
            self.title.setText(title)
            self.title.setToolTip(f"{board.title} · {board.day:%a %d %b %Y}")
        same_shape = (
            old is not None
            and old.columns == board.columns
            and [r.patient_id for r in old.rows] == [r.patient_id for r in board.rows]
        )
        self.table.blockSignals(True)
        if same_shape:
            assert old is not None
            for r, (was, now) in enumerate(zip(old.rows, board.rows, strict=True)):
                if was != now:
                    self._paint_row(r)
                    if was.label != now.label:
                        self.table.setVerticalHeaderItem(r, QTableWidgetItem(now.label))
            if old.summaries != board.summaries:
                self._paint_group()
        else:
            self._paint_table()
        self.table.blockSignals(False)
        if old is None or old.columns != board.columns:
            self._fill_measures()
        self._draw_charts()

    def rebuild(self) -> None:
        """Read the board and paint all of it again, every cell and both charts, as when the
        page is first built (what the board benchmark measures; `refresh()` repaints only what
        changed)."""
        self.board = None
        self.model.heard_anew()
        self.group_chart.forget()
        self.trend_chart.forget()
        self.refresh()

    def _paint_table(self) -> None:
        board = self.board
        assert board is not None
        self.table.clear()
        self.table.setColumnCount(len(board.columns))
        self.table.setRowCount(len(board.rows) + 1)
        self.table.setHorizontalHeaderLabels([f"{c.label}\n{c.target_text}" for c in board.columns])
        self.table.setVerticalHeaderLabels([r.label for r in board.rows] + ["Group"])
        for r in range(len(board.rows)):
            self._paint_row(r)
        self._paint_group()

    def _fill_measures(self) -> None:
        assert self.board is not None
        current = self.measure.currentData()
        self.measure.blockSignals(True)
        self.measure.clear()
        for column in self.board.columns:
            self.measure.addItem(column.label, column.key)
        found = self.measure.findData(current)
        self.measure.setCurrentIndex(max(found, 0))
        self.measure.blockSignals(False)

    def _paint_row(self, r: int) -> None:
        assert self.board is not None
        for c, cell in enumerate(self.board.rows[r].cells):
            item = QTableWidgetItem(page_text(cell))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setBackground(QBrush(QColor(tint(cell))))
            item.setForeground(QBrush(QColor(INK)))
            if cell.has_value:
                item.setToolTip(f"{cell.taken_on:%d %b %Y}, {cell.source_text}")
            self.table.setItem(r, c, item)
            self.cells_painted += 1

    def _paint_group(self) -> None:
        assert self.board is not None
        r = len(self.board.rows)
        for c, summary in enumerate(self.board.summaries):
            lines = [summary.on_target_text + (" on target" if summary.has_target else "")]
            if summary.median_text:
                change = f" ({summary.change_text} since last)" if summary.change_text else ""
                lines.append(f"median {summary.median_text}{change}")
            item = QTableWidgetItem("\n".join(lines))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setBackground(QBrush(QColor("#F2F2F2")))
            self.table.setItem(r, c, item)

    # ------------------------------------------------------------------ charts

    def _column_key(self) -> str:
        data = self.measure.currentData()
        if data:
            return str(data)
        assert self.board is not None
        return self.board.columns[0].key if self.board.columns else ""

    def _person_id(self) -> int | None:
        if self.board is None:
            return None
        r = self.table.currentRow()
        if 0 <= r < len(self.board.rows):
            return self.board.rows[r].patient_id
        return None

    def _cell_chosen(self, row: int, column: int, *_: int) -> None:
        if self.board is not None and 0 <= column < len(self.board.columns):
            self.measure.setCurrentIndex(column)  # redraws both charts
        self._draw_trend()

    def _draw_charts(self) -> None:
        if self.board is None or not self.board.columns:
            return
        self.group_chart.show_group(self.board, self._column_key())
        self._draw_trend()

    def _draw_trend(self) -> None:
        pid = self._person_id()
        if pid is None or self.board is None:
            self.person_label.setText("Choose a person on the board to see their trend.")
            self.trend_chart.show_trend([])
            return
        row = self.board.row_for(pid)
        self.person_label.setText(f"Trend for {row.label if row else ''}")
        self.trend_chart.show_trend(trend(self.clinic, self.session_id, pid, self._column_key()))

    # ------------------------------------------------------------------ the room's language

    def choose_language(self, code: str | None = None) -> None:
        """Save the room's language for this session; the presenter view follows at once."""
        code = code or str(self.language.currentData())
        try:
            self.clinic.set_session_language(self.session_id, code)
        except ClinicError as exc:
            QMessageBox.warning(self, "Room language", str(exc))
            return
        found = self.language.findData(code)
        if found != self.language.currentIndex():
            self.language.blockSignals(True)
            self.language.setCurrentIndex(found)
            self.language.blockSignals(False)
        self._show_language_warning()  # the room screen follows the setting's change notice

    def _show_language_warning(self) -> None:
        code = self.clinic.session_language(self.session_id)
        unchecked = not self.clinic.language_confirmed(code)
        self.language_warning.setText("Needs review by a native speaker" if unchecked else "")
        self.language_warning.setToolTip(
            "This translation has not yet been checked by a native speaker. An admin can mark "
            "it checked once someone has."
            if unchecked
            else ""
        )
        self.language_warning.setVisible(unchecked)

    # ------------------------------------------------------------------ the room and paper

    def show_on_second_screen(self) -> None:
        try:
            board = self.model.current()
            self.clinic.record_board_display(self.session_id, "second_screen", board.shown())
        except ClinicError as exc:
            QMessageBox.warning(self, "Board", str(exc))
            return
        if self.presenter is None:
            self.presenter = PresenterWindow(
                self.clinic, self.session_id, self.bus, laptop=self.window()
            )
            self.presenter.shown_changed.connect(self._show_room_state)
        self.presenter.set_blank(False)
        self.presenter.show_on()
        self._show_room_state()

    def toggle_room_blank(self) -> None:
        if self.presenter is not None and self.presenter.isVisible():
            self.presenter.toggle_blank()
        self._show_room_state()

    def close_room_screen(self) -> None:
        if self.presenter is not None:
            self.presenter.close()
        self._show_room_state()

    def _show_room_state(self) -> None:
        shown = self.presenter is not None and self.presenter.isVisible()
        blank = shown and self.presenter.is_blank  # type: ignore[union-attr]
        self.room_state.setText(
            "Room screen: blank (B shows it)" if blank
            else "Room screen: showing the board (B blanks it)" if shown
            else "Room screen: not shown"
        )
        self.blank_button.setText("Show room screen again (&B)" if blank
                                  else "&Blank room screen (B)")
        self.blank_button.setEnabled(shown)
        self.close_room_button.setEnabled(shown)

    def _build_remote_share(self, session: ClinicSession) -> QWidget:
        """Video and hybrid sessions: people joining remotely see the board only as its saved
        image or PDF, shared in the call; this window shows staff-only data (red flags, names
        without consent), so it is never what is shared."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.remote_note = QLabel(REMOTE_SHARE_WORDS)
        self.remote_note.setWordWrap(True)
        self.remote_note.setAccessibleName("Sharing the board with people joining remotely")
        self.remote_note.setStyleSheet("font-weight: bold;")
        self.share_button = QPushButton("Save the board &image to share in the call…")
        self.share_button.setAccessibleName("Save the board image to share with remote attendees")
        self.share_button.clicked.connect(lambda: self.save_for_remote())
        row.addWidget(self.remote_note, 1)
        row.addWidget(self.share_button)
        box.setVisible(session.mode != Mode.FACE_TO_FACE)
        return box

    def save_for_remote(self, path: Path | str | None = None) -> Path | None:
        """The room board's image, saved to share in the video call; says what to do next."""
        from groupclinic_desktop.core.views.board_look import board_png

        saved = self._export(
            "remote_share", "Save the board image to share", "board-to-share.png",
            "PNG image (*.png)", path, board_png,
        )
        if saved is not None:
            self.remote_note.setText(
                f"Saved {Path(saved).name}. In the video call, share this file (open it, then "
                "share that picture's window) — never share the GroupClinic window."
            )
        return saved

    def save_png(self, path: Path | str | None = None) -> Path | None:
        from groupclinic_desktop.core.views.board_look import board_png

        return self._export(
            "png", "Save board as PNG", "board.png", "PNG image (*.png)", path, board_png
        )

    def save_room_pdf(self, path: Path | str | None = None) -> Path | None:
        from groupclinic_desktop.export.handouts import room_pdf

        words = self.clinic.words(self.clinic.session_language(self.session_id))
        return self._export(
            "room_pdf",
            "Room PDF",
            "board.pdf",
            "PDF (*.pdf)",
            path,
            lambda board, target: room_pdf(board, target, words=words),
        )

    def _export(self, how, title, name, kind, path, write):  # type: ignore[no-untyped-def]
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, title, name, kind)
            if not chosen:
                return None
            path = chosen
        charts.load_now()  # matplotlib is not for two threads: let the warming thread finish
        try:
            board = self.model.current()
            self.clinic.record_board_display(self.session_id, how, board.shown())
            return write(board, path)
        except (ClinicError, OSError) as exc:
            QMessageBox.warning(self, title, str(exc))
            return None

    def save_handouts(self, folder: Path | str | None = None) -> list[Path]:
        """Each person present gets a private PDF of their own numbers (file named by code)."""
        from groupclinic_desktop.export.handouts import personal_pdf


        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, "Hand-outs: choose a folder")
            if not chosen:
                return []
            folder = chosen
        target = Path(folder)
        charts.load_now()  # as in _export
        written: list[Path] = []
        try:
            board = build_board(self.clinic, self.session_id, hide_non_consented=False)
            for row in board.rows:
                written.append(
                    personal_pdf(
                        self.clinic,
                        self.session_id,
                        row.patient_id,
                        target / f"my-numbers-{row.code}.pdf",
                    )
                )
            self.clinic.record_board_display(
                self.session_id, "handout", {"people": [r.patient_id for r in board.rows]}
            )
        except (ClinicError, OSError) as exc:
            QMessageBox.warning(self, "Hand-outs", str(exc))
        return written
