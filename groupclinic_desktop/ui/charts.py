"""Board charts as Qt widgets: a person's trend and the group's spread against the target.

matplotlib is not imported at start-up (start-up time matters). `preload()` imports it, and warms
its font look-ups, off the UI thread (ui/tasks.py) while the session window sits idle (a second
or so, far longer the very first time, when matplotlib builds its font list); a chart asked to
draw before then says "Preparing the chart…" and draws as soon as matplotlib is there. Code
that needs a chart at once (`axes()`, `figure`) waits for the thread instead. The main thread
never imports matplotlib while the thread does, so the two never race inside matplotlib.

A chart is redrawn only when what it shows has changed: each draw is keyed by its data.

The drawing itself lives in core/views/board_look.py, so a chart on screen and on a hand-out look
the same. Type is large (18 pt) because these are read from the back of a room.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from groupclinic_desktop.core.views.board import Board, TrendSeries
from groupclinic_desktop.ui import tasks
from groupclinic_desktop.ui.phases.base import IdleWork

log = logging.getLogger(__name__)

PROJECTOR_FONT = 18
PREPARING = "Preparing the chart…"
LOAD_JOB = "load charts"
# What the charts import; the thread imports exactly these, in this order.
_MODULES = (
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.dates",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_qtagg",
    "groupclinic_desktop.core.views.board_look",
)


class _Loader(QObject):
    """Lives in the main thread and emits `done` there once matplotlib is loaded."""

    done = Signal()


_loader: _Loader | None = None
# The loading task. Its `ended` is set on its thread as the work ends: whoever connects to `done`
# too late still sees loaded() when it checks again after connecting.
_task: tasks.Task[None] | None = None


def loaded() -> bool:
    """matplotlib is imported and warm, and no thread is still working on it."""
    if _task is not None and not _task.ended.is_set():
        return False
    return "matplotlib.backends.backend_qtagg" in sys.modules


def _notifier() -> _Loader:
    global _loader
    if _loader is None:  # made in the main thread, so its slots run there
        _loader = _Loader()
    return _loader


def preload() -> None:
    """Start importing matplotlib in the background (once; call from the main thread)."""
    global _task
    if _task is not None or loaded():
        return
    loader = _notifier()
    _task = tasks.run(
        _load,
        done=lambda _none: loader.done.emit(),
        failed=lambda error: _not_loaded(error, loader),
        expected=(Exception,),
        name="matplotlib",
    )


def load_now() -> None:
    """matplotlib, now: wait for the background import if one is running, else import here."""
    if _task is not None:
        _task.wait()
    for name in _MODULES:
        __import__(name)


def _load() -> None:
    for name in _MODULES:
        __import__(name)
    _warm()


def _not_loaded(error: BaseException, loader: _Loader) -> None:
    # The main thread imports again and reports it where it is used; the type only here.
    log.warning("matplotlib could not be loaded in the background (%s)", type(error).__name__)
    loader.done.emit()


def _warm() -> None:
    """Draw a throwaway chart in the chart type sizes: matplotlib's first font look-ups and
    first layout cost some 0.3 s, and are cached for the whole process."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.2), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot(1, 1, 1)
    for size in (PROJECTOR_FONT - 2, PROJECTOR_FONT, PROJECTOR_FONT + 2):
        ax.set_title("Blood pressure: the group", fontsize=size, loc="left")
        ax.set_xlabel("mmHg", fontsize=size)
        ax.text(0.5, 0.5, "No numbers yet", fontsize=size, transform=ax.transAxes)
    ax.tick_params(labelsize=PROJECTOR_FONT - 2)
    figure.tight_layout()
    figure.canvas.draw()


class ChartBox(QWidget):
    """One matplotlib canvas (QtAgg), made on first use.

    With an idle queue, a chart that is not on screen draws in a quiet moment instead of at once;
    a chart on screen always draws at once (or as soon as matplotlib is loaded).
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        accessible_name: str = "",
        idle: IdleWork | None = None,
    ) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._canvas: Any = None
        self._idle = idle
        self._shown_key: Hashable = None  # the data of the picture on the canvas
        self._pending: tuple[Hashable, Callable[[Any], None]] | None = None
        self._waiting = False  # connected to the loader's `done`
        self.preparing = QLabel(PREPARING)
        self.preparing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preparing.setObjectName("muted")
        self.preparing.setVisible(False)
        self._layout.addWidget(self.preparing)
        self.draws = 0  # how many times this chart was redrawn (redraw only what changed)
        self.setAccessibleName(accessible_name)
        self.setMinimumHeight(240)

    def axes(self) -> Any:
        if self._canvas is None:
            load_now()
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure

            # The figure starts at the box's size when the box is laid out, so the first
            # layout of the chart is already the one shown.
            width, height = self.width(), self.height()
            size = (width / 100, height / 100) if width > 1 and height > 1 else (6, 3.2)
            # Laid out tight at every draw (as tight_layout() would), so the layout also follows
            # a resize, and its cost falls in the drawing, which a hidden chart does in idle time.
            figure = Figure(figsize=size, dpi=100, facecolor="white", layout="tight")
            figure.add_subplot(1, 1, 1)
            self._canvas = FigureCanvasQTAgg(figure)
            self.preparing.setVisible(False)
            self._layout.addWidget(self._canvas)
        return self._canvas.figure.axes[0]

    @property
    def figure(self) -> Any:
        self.axes()
        return self._canvas.figure

    def forget(self) -> None:
        """Draw the next picture asked for even if it shows the same data."""
        self._shown_key = None

    @property
    def pending(self) -> bool:
        """A newer picture is waiting to be drawn."""
        return self._pending is not None

    def draw(self, key: Hashable, paint: Callable[[Any], None]) -> None:
        """Show the picture `paint(axes)` draws, whose data is `key`; nothing happens when the
        chart shows that data already."""
        if key == self._shown_key and self._canvas is not None:
            self._pending = None
            return
        self._pending = (key, paint)
        if self._idle is None or self.isVisible():
            if self._idle is None or loaded():
                self._draw_pending()
            else:
                self.preparing.setVisible(self._canvas is None)
                self._when_loaded()
        elif loaded():
            self._idle.add(self._job, self._draw_pending)
        else:
            self._when_loaded()

    @property
    def _job(self) -> str:
        return f"draw {self.accessibleName() or type(self).__name__} ({id(self):x})"

    def _when_loaded(self) -> None:
        if self._idle is None or self.isVisible():
            preload()
        else:
            # Not on screen: start loading in a quiet moment, after the work queued before
            # (a thread importing matplotlib halves the speed of the main thread meanwhile).
            self._idle.add(LOAD_JOB, preload)
        if not self._waiting:
            self._waiting = True
            _notifier().done.connect(self._loaded)
        if loaded():  # the thread may have finished before we connected
            self._loaded()

    def _loaded(self) -> None:
        if self._waiting:
            self._waiting = False
            with contextlib.suppress(RuntimeError, TypeError):
                _notifier().done.disconnect(self._loaded)
        if self._pending is None:
            return
        if self._idle is None or self.isVisible():
            self._draw_pending()
        else:
            self._idle.add(self._job, self._draw_pending)

    def _draw_pending(self) -> None:
        if self._pending is None:
            return
        key, paint = self._pending
        self._pending = None
        if self._idle is not None:
            self._idle.discard(self._job)
        paint(self.axes())
        self._shown_key = key
        if self.isVisible() or self._idle is None:
            self._finish()
            return
        # Not on screen: render (lay out, then draw the pixels) in a quiet moment of its own,
        # so that showing the chart later only copies the picture to the screen.
        self.draws += 1
        self._idle.add(self._render_job, self._render)

    @property
    def _render_job(self) -> str:
        return f"render {self._job}"

    def _render(self) -> None:
        # A figure is "stale" from a change of its artists until it is drawn; something else
        # (a paint of the whole page, say) may have drawn it since the job was queued.
        if self._canvas is None or not self._canvas.figure.stale or self.isVisible():
            return
        self._canvas.draw_idle()  # drawn by the paint that grab() makes, right now
        self.grab()

    def _finish(self) -> None:
        # The figure lays itself out when drawn (a window too small to lay out is left as is).
        self._canvas.draw_idle()
        self.draws += 1

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        # Never shown out of date: a picture still waiting for a quiet moment is drawn now.
        super().showEvent(event)
        if self._idle is not None:
            self._idle.discard(self._render_job)
        if self._canvas is not None and self._canvas.figure.stale:
            self._canvas.draw_idle()  # the paint that follows renders it
        if self._pending is not None:
            if loaded() or self._idle is None:
                self._draw_pending()
            else:
                self.preparing.setVisible(self._canvas is None)
                self._when_loaded()


class TrendChart(ChartBox):
    """One person's values for a chosen measurement over past sessions, with their target."""

    def show_trend(self, series: Sequence[TrendSeries]) -> None:
        shown = tuple(series)

        def paint(ax: Any) -> None:
            from groupclinic_desktop.core.views.board_look import draw_trend

            draw_trend(ax, shown, font_size=PROJECTOR_FONT)

        self.draw(("trend", shown), paint)


class DistributionChart(ChartBox):
    """Everyone's current value for one measurement against the target band."""

    def show_group(self, board: Board, column_key: str) -> None:
        # What draw_distribution reads: the column, and the values in it in board order.
        column = board.column(column_key)
        cells = tuple(c for c in (row.cell(column_key) for row in board.rows) if c.has_value)

        def paint(ax: Any) -> None:
            from groupclinic_desktop.core.views.board_look import draw_distribution

            draw_distribution(ax, board, column_key, font_size=PROJECTOR_FONT)

        self.draw(("group", column, cells), paint)
