"""Hand-outs from the biometric board: the board as PNG, a room PDF and each person's own PDF.

Everything here is drawn from `core.views.board` data, which holds only what the room may see,
in the practice's plain words (resources/plain_labels.toml). Status is always written (✓ ~ !) as
well as coloured, so a black-and-white print reads the same. matplotlib and reportlab are imported
inside the functions: the app should not pay for them at start-up.

The chart-drawing helpers (`draw_trend`, `draw_distribution`) are shared with the Qt charts in
ui/charts.py, so the screen and the paper show the same picture.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.catalogue import Status
from groupclinic_desktop.core.errors import InvalidInput
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
    build_board,
    plain_label,
    trend,
)
from groupclinic_desktop.core.views.four_ms import build_four_ms
from groupclinic_desktop.export import four_ms_pdf
from groupclinic_desktop.export.pdf_text import PdfText, font_file, line_width, visual

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from groupclinic_desktop.core.clinic import Clinic

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
KEY_TEXT = "✓ on target    ~ close    ! off target    stale = an old reading"
MIN_PRINT_PT = 18


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
        bbox=(0, 0, 1, 1),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(16)
    for (r, c), cell_artist in table.get_celld().items():
        cell_artist.set_edgecolor("#555555")
        text = cell_artist.get_text()
        text.set_color(INK)
        if r == 0 or c == 0 or r == n_rows - 1:
            text.set_weight("bold")
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
            xs,
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
    ax.set_xlim(min(days) - timedelta(days=20), max(days) + timedelta(days=20))
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


    path = font_file("arabic")
    if "Noto Naskh Arabic" not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return {"font.family": ["Noto Naskh Arabic", "DejaVu Sans"]}


# ------------------------------------------------------------------------------- PDFs


def _fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib) has ✓ and the minus sign; embed it."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "GCSans" not in pdfmetrics.getRegisteredFontNames():
        folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
        pdfmetrics.registerFont(TTFont("GCSans", os.path.join(folder, "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("GCSans-Bold", os.path.join(folder, "DejaVuSans-Bold.ttf")))
    return "GCSans", "GCSans-Bold"


def _styles(size: int = MIN_PRINT_PT) -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=size + 8, leading=size + 12),
        "body": ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.25),
        "bold": ParagraphStyle("bold", fontName=bold, fontSize=size, leading=size * 1.25),
        "cell": ParagraphStyle(
            "cell", fontName=regular, fontSize=size, leading=size * 1.15, alignment=1
        ),
        "head": ParagraphStyle(
            "head", fontName=bold, fontSize=size, leading=size * 1.15, alignment=1
        ),
    }


def room_pdf(board: Board, path: Path | str, *, words: Words | None = None) -> Path:
    """The board for the room on one A4 landscape page, 18 pt and up, readable in black and
    white (every status is written, not only coloured), in the session's language."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle


    words = words or ENGLISH
    text = PdfText(words)
    target = Path(path)
    styles = _styles()
    regular, bold = text.fonts.regular, text.fonts.bold
    page = landscape(A4)
    margin = 24
    doc = SimpleDocTemplate(
        str(private_file(target)),
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=words("Group results board"),
    )

    # Plain strings where the table's FONT commands can draw them; Urdu words need our own
    # paragraphs to join and order the letters.
    def cell(value: str, style: str) -> Any:
        return text.cell(value, styles[style])

    header: list[Any] = [text.para("", styles["head"])] + [
        [
            text.para(words(c.plain_label), styles["head"]),
            text.para(words.target(c.target_text), styles["cell"]),
        ]
        for c in board.columns
    ]
    data: list[list[Any]] = [header]
    for row in board.rows:
        data.append(
            [cell(row.label, "bold")] + [cell(cell_words(c, words), "cell") for c in row.cells]
        )
    data.append(
        [cell(words("Group"), "bold")]
        + [cell(group_words(s, words), "head") for s in board.summaries]
    )
    width = page[0] - 2 * margin
    first, rest = _room_widths(board, width, text)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 1), (-1, -1), regular, MIN_PRINT_PT),
        ("FONT", (0, 1), (0, -1), bold, MIN_PRINT_PT),
        ("FONT", (0, -1), (-1, -1), bold, MIN_PRINT_PT),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor("#555555")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")),
    ]
    for r, row in enumerate(board.rows, start=1):
        for c, one in enumerate(row.cells, start=1):
            commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(tint(one))))
    data, widths, commands = text.table(data, [first, *rest], commands)
    key = words(KEY_TEXT)
    if board.hidden:
        key += "    (" + words("{n} not shown", n=board.hidden) + ")"
    heading = [
        text.para(board.title, styles["title"]),
        text.para(words.day(board.day, weekday=True), styles["bold"]),
        text.para(key, styles["body"]),
    ]
    room = doc.height - 12 - sum(f.wrap(width, page[1])[1] for f in heading)  # 12: frame padding
    # Translated headings run to more lines; tighter cell padding keeps the group on one page.
    for top, bottom in ((3, 7), (1, 3), (0, 1)):
        padding = [
            ("TOPPADDING", (0, 1), (-1, -1), top),
            ("BOTTOMPADDING", (0, 1), (-1, -1), bottom),
        ]
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([*commands, *padding]))
        if table.wrap(width, room)[1] <= room:
            break
    story = [*heading, table]
    footer = text.footer()
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return target


def _room_widths(board: Board, width: float, text: Any) -> tuple[float, list[float]]:
    """Give each column at least its longest word, so no word is broken at 18 pt."""
    from reportlab.pdfbase.pdfmetrics import stringWidth


    words: Words = text.words
    bold = text.fonts.bold

    def measure(word: str) -> float:
        if text.rtl:
            return line_width(word, text.fonts, MIN_PRINT_PT, bold=True)
        return stringWidth(word, bold, MIN_PRINT_PT)

    def need(texts: list[str]) -> float:
        found = [w for t in texts for w in t.split()] or [""]
        return max(measure(w) for w in found) + 14

    first = min(need([row.label for row in board.rows] + [words("Group")]), width * 0.22)
    needs = [
        need(
            [
                words(c.plain_label),
                words.target(c.target_text),
                group_words(s, words),
                *(cell_words(r.cell(c.key), words) for r in board.rows),
            ]
        )
        for c, s in zip(board.columns, board.summaries, strict=True)
    ]
    spare = max(0.0, width - first - sum(needs))
    if spare == 0.0 and sum(needs) > width - first:
        # Long translated words: share the page in proportion rather than run off it.
        scale = (width - first) / sum(needs)
        return first, [n * scale for n in needs]
    return first, [n + spare / len(needs) for n in needs]


def personal_pdf(
    clinic: Clinic,
    session_id: int,
    patient_id: int,
    path: Path | str,
    *,
    today: date | None = None,
    language: str | None = None,
) -> Path:
    """A private take-home sheet: the person's own numbers, targets, trends and goal, in their
    preferred language (else the session's, else English) unless `language` is given."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        Image,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )


    # Their own sheet shows their own numbers whatever they chose for the room.
    board = build_board(clinic, session_id, today=today, hide_non_consented=False)
    row = board.row_for(patient_id)
    if row is None:
        raise InvalidInput("Hand-out: this person was not at the session.", field="Hand-out")
    patient = clinic.patient(patient_id)
    words = clinic.words(language or clinic.patient_language(patient_id, session_id))
    text = PdfText(words)
    target = Path(path)
    styles = _styles()
    doc = SimpleDocTemplate(
        str(private_file(target)),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=words("My numbers: {name}", name=patient.board_name),
    )
    story: list[Any] = [
        text.para(words("My numbers: {name}", name=patient.board_name), styles["title"]),
        text.para(
            words(
                "{title}, {day}. This sheet is private: it is yours.",
                title=board.title,
                day=words.day(board.day),
            ),
            styles["body"],
        ),
        Spacer(1, 8),
    ]
    data: list[list[Any]] = [
        [
            text.para(words(h), styles["bold"])
            for h in ("What", "My number", "My target", "How it is going")
        ]
    ]
    trends: list[list[TrendSeries]] = []
    for column, cell in zip(board.columns, row.cells, strict=True):
        series = trend(clinic, session_id, patient_id, column.key, today=board.day)
        trends.append(series)
        how = status_words(cell, words) or ("–" if not cell.has_value else words("no set target"))
        number = cell.text or "–"
        if cell.has_value:
            number += f" {column.unit}"
            if cell.change_text:
                number += "\n" + _change_words(cell.change_text, words)
            assert cell.taken_on is not None
            number += "\n" + words.day(cell.taken_on)
        data.append(
            [
                text.para(words(column.plain_label), styles["body"]),
                text.para(number, styles["body"]),
                text.para(_own_target(series, column.target_text, words), styles["body"]),
                text.para(how, styles["body"]),
            ]
        )
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor("#555555")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
    ]
    for r, cell in enumerate(row.cells, start=1):
        commands.append(("BACKGROUND", (3, r), (3, r), colors.HexColor(tint(cell))))
    data, widths, commands = text.table(data, [44 * mm, 48 * mm, 42 * mm, 40 * mm], commands)
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    story += [table, Spacer(1, 10), text.para(words(KEY_TEXT), styles["body"])]

    story += four_ms_pdf.handout_section(
        build_four_ms(clinic, session_id, board=board), patient_id, text, styles, words
    )
    goals = [g for g in clinic.goals(session_id=session_id, patient_id=patient_id)]
    if goals:
        goal = goals[-1]
        story += [
            Spacer(1, 10),
            text.para(words("My goal"), styles["bold"]),
            # The goal is the person's own words, kept as they said them.
            text.para(goal.text, styles["body"]),
            text.para(words("How sure I am: {n} out of 10", n=goal.confidence), styles["body"]),
        ]
    charts = [s for s in trends if any(x.points for x in s)]
    if charts:
        story += [CondPageBreak(90 * mm), text.para(words("My numbers over time"), styles["bold"])]
        for series in charts:
            png = _trend_png(series, words)
            story.append(Image(io.BytesIO(png), width=170 * mm, height=74 * mm))
    footer = text.footer()
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return target


def _own_target(series: Sequence[TrendSeries], fallback: str, words: Words = ENGLISH) -> str:
    texts = [words.target(s.target_text) for s in series if s.target_text]
    if not texts:
        return words.target(fallback)
    if len(texts) > 1 and len(series) == 2:
        return words("top {top}, bottom {bottom}", top=texts[0], bottom=texts[1])
    return texts[0]


def _trend_png(series: Sequence[TrendSeries], words: Words = ENGLISH) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Drawn at its printed size, so 16 pt on screen is 16 pt on paper.
    with matplotlib.rc_context(chart_fonts(words)):
        fig = Figure(figsize=(6.7, 2.9), dpi=150)
        ax = fig.add_subplot(1, 1, 1)
        draw_trend(ax, series, font_size=16, words=words)
        fig.tight_layout()
        buffer = io.BytesIO()
        FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


def _change_words(change: str, words: Words = ENGLISH) -> str:
    """ "+4" -> "up 4 since last time"; BP keeps its pair ("+8/−10 since last time")."""
    if "/" in change:
        return words("{change} since last time", change=change)
    if change == "0":
        return words("same as last time")
    if change.startswith("+"):
        return words("up {change} since last time", change=change[1:])
    return words("down {change} since last time", change=change[1:])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
