"""How the board and its charts look, on screen and on paper: colours, cell words and drawing.

The board page, the room board and the charts (ui/) and the hand-outs and progress PDFs
(export/) all draw from here, so the screen and the paper show the same picture. Status is
always written (✓ ~ !) or shaped as well as coloured, so a black-and-white print reads the same.
Imports neither Qt nor reportlab; matplotlib only inside the drawing functions, so nothing here
costs the app anything at start-up.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.catalogue import Status
from groupclinic_desktop.core.i18n import ENGLISH, Words
from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.views.board import (
    STALE_WORD,
    STATUS_SYMBOL,
    STATUS_WORDS,
    Board,
    Cell,
    Summary,
    TrendSeries,
    plain_label,
)
from groupclinic_desktop.script_text import font_file, visual

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from groupclinic_desktop.core.views.progress import Series

# Okabe-Ito colour-blind-safe hues, and light tints of them for cell backgrounds (dark text on
# a light tint keeps contrast high on washed-out projectors).
OKABE_ITO = {
    "on_target": "#009E73",  # bluish green
    "close": "#E69F00",  # orange
    "off_target": "#D55E00",  # vermillion
    "stale": "#999999",  # grey
    "blue": "#0072B2",
}
CELL_TINTS = {
    "on_target": "#BDE6D9",
    "close": "#FBE3B0",
    "off_target": "#F6C9AE",
    "stale": "#E3E3E3",
    "no_target": "#FFFFFF",
    "empty": "#FFFFFF",
}
# Marker shapes for charts, so status survives without colour too.
STATUS_MARKERS = {"on_target": "o", "close": "^", "off_target": "s", "stale": "x", "no_target": "D"}
INK = "#111111"
BAND_TINT = CELL_TINTS["on_target"]  # a progress chart's target band
KEY_TEXT = "✓ on target    ~ close    ! off target    stale = an old reading"


def cell_words(cell: Cell, words: Words = ENGLISH) -> str:
    """A cell for the room: the value and its status symbol, e.g. "142/88 ~"."""
    if not cell.has_value:
        return "–"
    if cell.stale:
        return f"{cell.text} ({words(STALE_WORD)})"
    symbol = STATUS_SYMBOL[cell.status]
    return f"{cell.text} {symbol}".strip()


def status_words(cell: Cell, words: Words = ENGLISH) -> str:
    """ "✓ on target", "stale", "" (no value or no target), in the group's language."""
    if not cell.has_value:
        return ""
    if cell.stale:
        return words(STALE_WORD)
    if cell.status is Status.NO_TARGET:
        return ""
    return f"{STATUS_SYMBOL[cell.status]} {words(STATUS_WORDS[cell.status])}"


def group_words(summary: Summary, words: Words = ENGLISH) -> str:
    """The group line for a column: "5 of 8 ✓", "none yet", "no set target"."""
    if not summary.has_target:
        return words("no set target")
    if not summary.with_value:
        return words("none yet")
    return words("{n} of {total}", n=summary.on_target, total=summary.with_value) + " ✓"


def tint(cell: Cell) -> str:
    return CELL_TINTS[cell.shown_status]


# ------------------------------------------------------------------------------- board as PNG


def board_figure(board: Board, *, width_in: float = 16.0) -> Figure:
    """The board as a matplotlib figure (a table), for the PNG and the screen's snapshot."""
    from matplotlib.figure import Figure

    n_rows = len(board.rows) + 2  # header + people + group line
    height_in = 1.6 + 0.62 * n_rows
    fig = Figure(figsize=(width_in, height_in), dpi=100, facecolor="white")
    fig.text(0.02, 1 - 0.45 / height_in, _title(board), fontsize=24, weight="bold", color=INK)
    fig.text(0.02, 1 - 0.95 / height_in, KEY_TEXT, fontsize=16, color=INK)
    ax = fig.add_axes((0.01, 0.02, 0.98, 1 - 1.35 / height_in))
    ax.set_axis_off()
    header = [""] + [f"{c.plain_label}\n{c.target_text}" for c in board.columns]
    body = [[row.label] + [_png_cell(cell) for cell in row.cells] for row in board.rows]
    group = ["Group"] + [
        f"{_group_words(s)}\nmiddle {s.median_text or '–'}" for s in board.summaries
    ]
    colours = [["#FFFFFF"] * len(header)]
    colours += [["#FFFFFF"] + [tint(cell) for cell in row.cells] for row in board.rows]
    colours += [["#F2F2F2"] * len(header)]
    table = ax.table(
        cellText=[header, *body, group],
        cellColours=colours,
        cellLoc="center",
        loc="upper center",
        bbox=(0, 0, 1, 1),  # type: ignore[arg-type]  # a plain (x, y, w, h) works; the stubs want a Bbox
    )
    table.auto_set_font_size(False)
    table.set_fontsize(16)
    for (r, c), cell_artist in table.get_celld().items():
        cell_artist.set_edgecolor("#555555")
        text = cell_artist.get_text()
        text.set_color(INK)
        if r == 0 or c == 0 or r == n_rows - 1:
            text.set_fontweight("bold")
        if c == 0:
            cell_artist.set_width(cell_artist.get_width() * 0.8)
    if board.hidden:
        fig.text(
            0.98,
            1 - 0.45 / height_in,
            f"{board.hidden} not shown",
            fontsize=16,
            ha="right",
            color=INK,
        )
    return fig


def _group_words(summary: Summary) -> str:
    if summary.has_target and summary.with_value:
        return f"{summary.on_target_text} ✓"
    return summary.on_target_text


def _png_cell(cell: Cell) -> str:
    if not cell.has_value:
        return "–"
    words = cell.status_text
    change = f"  ({cell.change_text})" if cell.change_text else ""
    return f"{cell.text}{change}\n{words}" if words else f"{cell.text}{change}"


def figure_texts(fig: Figure) -> list[str]:
    """Every piece of text a figure draws (the PNG itself holds only pixels)."""
    from matplotlib.table import Table
    from matplotlib.text import Text

    texts = [t.get_text() for t in fig.findobj(Text)]
    for table in fig.findobj(Table):
        texts += [cell.get_text().get_text() for cell in table.get_celld().values()]
    return [t for t in texts if t]


def board_png(board: Board, path: Path | str) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    target = Path(path)
    fig = board_figure(board)
    FigureCanvasAgg(fig).print_png(str(private_file(target)))
    return target


def _title(board: Board) -> str:
    return f"{board.title}  ·  {board.day:%A %d %B %Y}".strip(" ·")


# ------------------------------------------------------------------------------- charts


def draw_trend(
    ax: Axes, series: Sequence[TrendSeries], *, font_size: int = 16, words: Words = ENGLISH
) -> None:
    """One person's values over time, with their target band shaded."""
    import matplotlib.dates as mdates

    ax.clear()
    shown = [s for s in series if s.points]
    if not shown:
        ax.text(
            0.5,
            0.5,
            chart_text(words("No numbers yet"), words),
            ha="center",
            va="center",
            fontsize=font_size,
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        return
    ax.set_axis_on()
    styles = ["-o", "--s"]
    levels: list[float] = []
    days = [p.taken_on for s in shown for p in s.points]
    for index, s in enumerate(shown):
        xs = [p.taken_on for p in s.points]
        ys = [p.value for p in s.points]
        levels += ys + [b for b in s.band if b is not None]
        ax.plot(
            xs,  # type: ignore[arg-type]  # matplotlib's date units take dates; its stubs do not say so
            ys,
            styles[index % 2],
            color=OKABE_ITO["blue"],
            linewidth=3,
            markersize=10,
            label=chart_text(_legend(s.plain_label, words), words),
        )
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.15, abs(high) * 0.03, 1.0)
    ax.set_ylim(low - pad, high + pad)
    for s in shown:
        _target_line(ax, s.band, font_size, words)
    span = (max(days) - min(days)).days
    ax.set_xlim(min(days) - timedelta(days=20), max(days) + timedelta(days=20))  # type: ignore[arg-type]  # matplotlib's date units take dates; its stubs do not say so
    ax.set_title(
        chart_text(_series_title(shown, words), words),
        fontsize=font_size + 2,
        loc="right" if words.rtl else "left",
    )
    ax.set_ylabel(shown[0].unit, fontsize=font_size)
    ax.tick_params(labelsize=font_size - 2)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b" if span < 300 else "%b %Y"))
    if len(shown) > 1:
        ax.legend(fontsize=font_size - 2, loc="best")
    ax.grid(alpha=0.3)


def draw_distribution(ax: Axes, board: Board, column_key: str, *, font_size: int = 16) -> None:
    """Everyone's current value for one column as dots against the target band.

    Dot shape as well as colour gives the status (circle on target, triangle close, square off
    target, cross stale).
    """
    ax.clear()
    column = board.column(column_key)
    ax.set_title(f"{column.plain_label}: the group", fontsize=font_size + 2, loc="left")
    cells = [c for c in (row.cell(column_key) for row in board.rows) if c.has_value]
    if not cells:
        ax.text(
            0.5,
            0.5,
            "No numbers yet",
            ha="center",
            va="center",
            fontsize=font_size,
            transform=ax.transAxes,
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return
    names = [plain_label(p) for p in column.parts] if len(column.parts) > 1 else [""]
    levels = [v for c in cells for v in c.values]
    levels += [b for band in column.bands for b in band if b is not None]
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.1, abs(high) * 0.03, 1.0)
    ax.set_xlim(low - pad, high + pad)
    for part, band in enumerate(column.bands):
        _band(ax, band, alpha=0.2, horizontal=False, y=(part - 0.4, part + 0.4))
        for index, cell in enumerate(cells):
            status = cell.shown_status
            jitter = ((index % 5) - 2) * 0.07
            ax.plot(
                cell.values[part],
                part + jitter,
                STATUS_MARKERS.get(status, "o"),
                color=OKABE_ITO.get(status, "#FFFFFF"),
                markersize=14,
                markeredgecolor=INK,
            )
    short = [n.replace("Blood pressure", "").strip(" ()") for n in names]
    ax.set_yticks(range(len(names)), short, fontsize=font_size - 2)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel(column.unit, fontsize=font_size)
    ax.tick_params(labelsize=font_size - 2)
    ax.grid(axis="x", alpha=0.3)


def _target_line(
    ax: Axes, band: tuple[float | None, float | None], font_size: int, words: Words = ENGLISH
) -> None:
    """A range target is shaded; a one-sided one is a dashed line, so BP's two never overlap."""
    low, high = band
    if low is not None and high is not None:
        _band(ax, band, alpha=0.2)
        return
    level = high if high is not None else low
    if level is None:
        return
    ax.axhline(level, color=OKABE_ITO["on_target"], linestyle="--", linewidth=2.5, zorder=1)
    ax.annotate(
        chart_text(words("target {level}", level=f"{level:g}"), words),
        (1, level),
        xycoords=("axes fraction", "data"),
        xytext=(-4, 4),
        textcoords="offset points",
        ha="right",
        fontsize=font_size - 4,
        color="#005F45",
    )


def _band(
    ax: Axes,
    band: tuple[float | None, float | None],
    *,
    alpha: float,
    horizontal: bool = True,
    y: tuple[float, float] | None = None,
) -> None:
    low, high = band
    if low is None and high is None:
        return
    if horizontal:
        bottom, top = ax.get_ylim()
        ax.axhspan(
            low if low is not None else min(bottom, high or bottom),
            high if high is not None else max(top, low or top),
            color=OKABE_ITO["on_target"],
            alpha=alpha,
            zorder=0,
        )
        return
    assert y is not None
    left, right = ax.get_xlim()
    start = low if low is not None else left
    end = high if high is not None else right
    ax.fill_betweenx(list(y), start, end, color=OKABE_ITO["on_target"], alpha=alpha, zorder=0)


def _series_title(series: Sequence[TrendSeries], words: Words = ENGLISH) -> str:
    if len(series) > 1 and all(s.key in ("systolic_bp", "diastolic_bp") for s in series):
        return words(plain_label("blood_pressure"))
    return words(series[0].plain_label)


def _legend(label: str, words: Words) -> str:
    """ "top number" for "Blood pressure (top number)" in English; the whole label otherwise."""
    if words.is_source:
        return label.replace("Blood pressure ", "").strip("()") or label
    return words(label)


def chart_text(text: str, words: Words) -> str:
    """Right-to-left text for a chart. matplotlib 3.11 and later lay text out themselves
    (letters joined, right to left); before that we join and order it here."""
    if not words.rtl:
        return text
    import matplotlib

    if tuple(matplotlib.__version_info__[:2]) >= (3, 11):
        return text
    return visual(text)


def chart_fonts(words: Words) -> dict[str, Any]:
    """matplotlib settings whose font list covers the language's script (with fallback)."""
    if not words.rtl:
        return {}
    from matplotlib import font_manager

    path = font_file("NotoNaskhArabic-Regular.ttf", "Noto Naskh Arabic")
    if "Noto Naskh Arabic" not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return {"font.family": ["Noto Naskh Arabic", "DejaVu Sans"]}


def chart_png(draw: Callable[[Axes], None], size_in: tuple[float, float], words: Words) -> bytes:
    """A chart as PNG bytes, drawn at its printed size (16 pt on screen is 16 pt on paper), in
    fonts that cover the language's script."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(chart_fonts(words)):  # type: ignore[arg-type]  # rc keys are checked by matplotlib
        fig = Figure(figsize=size_in, dpi=150)
        draw(fig.add_subplot(1, 1, 1))
        fig.tight_layout()
        buffer = io.BytesIO()
        FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------- progress


def draw_progress(
    ax: Axes,
    series: Series,
    *,
    font_size: int = 16,
    plain: bool = True,
    words: Words = ENGLISH,
) -> None:
    """One measure over time: points joined by a line, the target band shaded, dates below."""
    import matplotlib.dates as mdates

    days = [p.taken_on for p in series.points]
    values = [p.value for p in series.points]
    low, high = series.band
    if low is not None or high is not None:
        span = [v for v in values + [low, high] if v is not None]
        bottom = low if low is not None else min(span) - abs(min(span)) * 0.1
        top = high if high is not None else max(span) + abs(max(span)) * 0.1
        ax.axhspan(bottom, top, color=BAND_TINT, alpha=0.8, zorder=0, label="target")
    ax.plot(days, values, color=OKABE_ITO["blue"], linewidth=2.5, marker="o", markersize=9)  # type: ignore[arg-type]  # matplotlib's date units take dates; its stubs do not say so
    for day, value in zip(days, values, strict=True):
        ax.annotate(
            series.show(value),
            (day, value),
            textcoords="offset points",
            xytext=(0, 10),
            ha="center",
            fontsize=font_size - 2,
        )
    title = words(series.plain_label) if plain else series.label
    if series.unit:
        title += f" ({series.unit})"
    ax.set_title(chart_text(title, words), fontsize=font_size, loc="right" if words.rtl else "left")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.tick_params(labelsize=font_size - 4)
    ax.margins(x=0.15, y=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(days) == 1:
        ax.set_xticks(days)  # type: ignore[arg-type]  # matplotlib's date units take dates; its stubs do not say so
