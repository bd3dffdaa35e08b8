"""Board charts as Qt widgets: a person's trend and the group's spread against the target.

matplotlib is imported only when a chart is first drawn (start-up time matters). The drawing
itself lives in export/handouts.py, so a chart on screen and on a hand-out look the same.
Type is large (18 pt) because these are read from the back of a room.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from groupclinic_desktop.core.board import Board, TrendSeries

PROJECTOR_FONT = 18


class ChartBox(QWidget):
    """One matplotlib canvas (QtAgg), made on first use."""

    def __init__(self, parent: QWidget | None = None, *, accessible_name: str = "") -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._canvas: Any = None
        self.draws = 0  # how many times this chart was redrawn (redraw only what changed)
        self.setAccessibleName(accessible_name)
        self.setMinimumHeight(240)

    def axes(self) -> Any:
        if self._canvas is None:
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure

            figure = Figure(figsize=(6, 3.2), dpi=100, facecolor="white")
            figure.add_subplot(1, 1, 1)
            self._canvas = FigureCanvasQTAgg(figure)
            self._layout.addWidget(self._canvas)
        return self._canvas.figure.axes[0]

    @property
    def figure(self) -> Any:
        self.axes()
        return self._canvas.figure

    def _finish(self) -> None:
        # A window too small to lay out yet raises; the next draw will lay it out.
        with contextlib.suppress(ValueError):
            self._canvas.figure.tight_layout()
        self._canvas.draw_idle()
        self.draws += 1


class TrendChart(ChartBox):
    """One person's values for a chosen measurement over past sessions, with their target."""

    def show_trend(self, series: Sequence[TrendSeries]) -> None:
        from groupclinic_desktop.export.handouts import draw_trend

        draw_trend(self.axes(), series, font_size=PROJECTOR_FONT)
        self._finish()


class DistributionChart(ChartBox):
    """Everyone's current value for one measurement against the target band."""

    def show_group(self, board: Board, column_key: str) -> None:
        from groupclinic_desktop.export.handouts import draw_distribution

        draw_distribution(self.axes(), board, column_key, font_size=PROJECTOR_FONT)
        self._finish()
