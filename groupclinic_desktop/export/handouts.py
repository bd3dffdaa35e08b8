"""Hand-outs from the biometric board: a room PDF and each person's own PDF.

Everything here is drawn from `core.views.board` data, which holds only what the room may see, in
the practice's plain words (resources/plain_labels.toml), in the board's look
(core/views/board_look.py: colours, cell words, charts) and the print kit's large print
(export/print_kit.py). reportlab is imported inside the functions: the app should not pay for it at
start-up.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.i18n import ENGLISH, Words
from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.views.board import Board, TrendSeries, build_board, trend
from groupclinic_desktop.core.views.board_look import (
    KEY_TEXT,
    cell_words,
    chart_png,
    draw_trend,
    group_words,
    status_words,
    tint,
)
from groupclinic_desktop.core.views.four_ms import build_four_ms
from groupclinic_desktop.export import four_ms_pdf, print_kit
from groupclinic_desktop.export.pdf_text import PdfText, line_width
from groupclinic_desktop.export.print_kit import LARGE, LARGE_PT

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic


def room_pdf(board: Board, path: Path | str, *, words: Words | None = None) -> Path:
    """The board for the room on one A4 landscape page, 18 pt and up, readable in black and
    white (every status is written, not only coloured), in the session's language."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle


    words = words or ENGLISH
    text = PdfText(words)
    target = Path(path)
    styles = print_kit.styles(LARGE)
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
        ("FONT", (0, 1), (-1, -1), regular, LARGE_PT),
        ("FONT", (0, 1), (0, -1), bold, LARGE_PT),
        ("FONT", (0, -1), (-1, -1), bold, LARGE_PT),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor(print_kit.GRID_LINE)),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor(print_kit.HEADER_SHADE)),
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
            return line_width(word, text.fonts, LARGE_PT, bold=True)
        return stringWidth(word, bold, LARGE_PT)

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
    styles = print_kit.styles(LARGE)
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
    tints = [
        ("BACKGROUND", (3, r), (3, r), colors.HexColor(tint(cell)))
        for r, cell in enumerate(row.cells, start=1)
    ]
    table = text.grid(data, [44 * mm, 48 * mm, 42 * mm, 40 * mm], tints)
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
    return chart_png(
        lambda ax: draw_trend(ax, series, font_size=16, words=words), (6.7, 2.9), words
    )


def _change_words(change: str, words: Words = ENGLISH) -> str:
    """ "+4" -> "up 4 since last time"; BP keeps its pair ("+8/−10 since last time")."""
    if "/" in change:
        return words("{change} since last time", change=change)
    if change == "0":
        return words("same as last time")
    if change.startswith("+"):
        return words("up {change} since last time", change=change[1:])
    return words("down {change} since last time", change=change[1:])

