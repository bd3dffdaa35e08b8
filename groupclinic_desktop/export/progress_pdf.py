"""A person's private progress PDF: their numbers, scores and goals over the whole programme.

Plain words from resources/plain_labels.toml, body text 18 pt and up, charts drawn at their
printed size with the person's own target band. Nothing here is about anyone else.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.i18n import ENGLISH, Words
from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.views.progress import (
    PersonProgress,
    Series,
    person_progress,
    programme_sessions,
)
from groupclinic_desktop.export import four_ms_pdf
from groupclinic_desktop.export.handouts import (
    MIN_PRINT_PT,
    OKABE_ITO,
    _styles,
    chart_fonts,
    chart_text,
)
from groupclinic_desktop.export.pdf_text import PdfText

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from groupclinic_desktop.core.clinic import Clinic

BAND_TINT = "#BDE6D9"


def change_words(series: Series) -> str:
    """ "up 4 since the start", "no change since the start", "" with one value (English)."""
    text = series.change_text
    if not text:
        return ""
    if text == "no change":
        return "no change since the start"
    word = "up" if text.startswith("+") else "down"
    unit = f" {series.unit}" if series.unit else ""
    return f"{word} {text[1:]}{unit} since the start"


def short_change(series: Series, words: Words = ENGLISH) -> str:
    """ "up 4 kg", "down 3", "no change", "" with one value, in the person's language."""
    text = series.change_text
    if not text:
        return ""
    if text == "no change":
        return words("no change")
    unit = f" {series.unit}" if series.unit else ""
    message = "up {change}" if text.startswith("+") else "down {change}"
    return words(message, change=f"{text[1:]}{unit}")


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
    ax.plot(days, values, color=OKABE_ITO["blue"], linewidth=2.5, marker="o", markersize=9)
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
        ax.set_xticks(days)


def _chart_png(series: Series, words: Words = ENGLISH) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(chart_fonts(words)):
        fig = Figure(figsize=(6.7, 2.8), dpi=150)
        draw_progress(fig.add_subplot(1, 1, 1), series, words=words)
        fig.tight_layout()
        buffer = io.BytesIO()
        FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


def progress_pdf(
    clinic: Clinic,
    patient_id: int,
    programme_id: int,
    path: Path | str,
    *,
    today: date | None = None,
    language: str | None = None,
) -> Path:
    """Write the person's progress PDF and return its path: in their preferred language, else
    the language of the programme's latest session that chose one, else English."""

    progress = person_progress(clinic, patient_id, programme_id, today=today)
    patient = clinic.patient(patient_id)
    if language is None:
        held = [s.id for s in programme_sessions(clinic, programme_id) if s.id is not None]
        chosen = [clinic.session_language(sid) for sid in held]
        session_id = next(
            (sid for sid, code in reversed(list(zip(held, chosen, strict=True))) if code != "en"),
            None,
        )
        language = clinic.patient_language(patient_id, session_id)
    words = clinic.words(language)
    domains = (clinic.programme(programme_id).definition or {}).get("domains") or []
    return write_progress_pdf(progress, patient.board_name, path, words=words, domains=domains)


def write_progress_pdf(
    progress: PersonProgress,
    name: str,
    path: Path | str,
    *,
    words: Words = ENGLISH,
    domains: Sequence[Mapping[str, Any]] = (),
) -> Path:
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


    target = Path(path)
    styles = _styles(MIN_PRINT_PT)
    text = PdfText(words)
    doc = SimpleDocTemplate(
        str(private_file(target)),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=words("My progress: {name}", name=name),
    )
    attended = sum(1 for s in progress.sessions if s.attendance == "attended")
    story: list[Any] = [
        text.para(words("My progress: {name}", name=name), styles["title"]),
        text.para(
            words(
                "{programme}. Sessions I came to: {n}. This sheet is private: it is yours.",
                programme=progress.programme_name,
                n=attended,
            ),
            styles["body"],
        ),
        Spacer(1, 8),
    ]
    rows = [s for s in (*progress.measures, *progress.scores) if s.points]
    if rows:
        data: list[list[Any]] = [
            [text.para(words(h), styles["bold"]) for h in ("What", "At the start", "Now", "Change")]
        ]
        for s in rows:
            start, now = s.baseline, s.latest
            data.append(
                [
                    text.para(words(s.plain_label), styles["body"]),
                    text.para(_value(s, start, words), styles["body"]),
                    text.para(_value(s, now, words), styles["body"]),
                    text.para(short_change(s, words) or "–", styles["body"]),
                ]
            )
        data, widths, commands = text.table(
            data,
            [58 * mm, 38 * mm, 38 * mm, 40 * mm],
            [
                ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor("#555555")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
            ],
        )
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(commands))
        story += [table]
    else:
        story.append(text.para(words("No numbers recorded yet."), styles["body"]))

    story += four_ms_pdf.progress_section(progress, domains, text, styles, words)
    if progress.goals:
        story += [Spacer(1, 10), text.para(words("My goals"), styles["bold"])]
        for goal in progress.goals:
            outcome = f" ({words(goal.outcome)})" if goal.outcome else ""
            story.append(
                text.para(
                    words(
                        "{day}: {goal}{outcome}. How sure I was: {n} out of 10.",
                        day=words.day(goal.session_day),
                        goal=goal.text,  # the person's own words, kept as they said them
                        outcome=outcome,
                        n=goal.confidence,
                    ),
                    styles["body"],
                )
            )
    charts = [s for s in rows if s.comparable]
    if charts:
        story += [
            CondPageBreak(90 * mm),
            text.para(words("My numbers over time"), styles["bold"]),
            text.para(words("The shaded band is my target, where there is one."), styles["body"]),
        ]
        for s in charts:
            png = _chart_png(s, words)
            story.append(Image(io.BytesIO(png), width=170 * mm, height=71 * mm))
    footer = text.footer()
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return target


def _value(series: Series, point: Any, words: Words = ENGLISH) -> str:
    if point is None:
        return "–"
    unit = f" {series.unit}" if series.unit else ""
    return f"{series.show(point.value)}{unit}\n{words.day(point.taken_on)}"


def chart_titles(rows: Sequence[Series]) -> list[str]:
    """The chart headings the PDF will carry (for checks without reading the PDF)."""
    return [s.plain_label for s in rows if s.points and s.comparable]
