"""A person's private progress PDF: their numbers, scores and goals over the whole programme.

Plain words from resources/plain_labels.toml, body text 18 pt and up, charts drawn at their
printed size with the person's own target band. Nothing here is about anyone else.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.progress import PersonProgress, Series
from groupclinic_desktop.export.handouts import MIN_PRINT_PT, OKABE_ITO, _escape, _fonts, _styles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from groupclinic_desktop.core.clinic import Clinic

BAND_TINT = "#BDE6D9"


def change_words(series: Series) -> str:
    """ "up 4 since the start", "no change since the start", "" with one value."""
    text = series.change_text
    if not text:
        return ""
    if text == "no change":
        return "no change since the start"
    word = "up" if text.startswith("+") else "down"
    unit = f" {series.unit}" if series.unit else ""
    return f"{word} {text[1:]}{unit} since the start"


def draw_progress(ax: Axes, series: Series, *, font_size: int = 16, plain: bool = True) -> None:
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
    title = series.plain_label if plain else series.label
    if series.unit:
        title += f" ({series.unit})"
    ax.set_title(title, fontsize=font_size, loc="left")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.tick_params(labelsize=font_size - 4)
    ax.margins(x=0.15, y=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(days) == 1:
        ax.set_xticks(days)


def _chart_png(series: Series) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.7, 2.8), dpi=150)
    draw_progress(fig.add_subplot(1, 1, 1), series)
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
) -> Path:
    """Write the person's progress PDF and return its path."""
    from groupclinic_desktop.core.progress import person_progress

    progress = person_progress(clinic, patient_id, programme_id, today=today)
    patient = clinic.patient(patient_id)
    return write_progress_pdf(progress, patient.board_name, path)


def write_progress_pdf(progress: PersonProgress, name: str, path: Path | str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        Image,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    target = Path(path)
    styles = _styles(MIN_PRINT_PT)
    _fonts()
    doc = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="My progress",
    )
    attended = sum(1 for s in progress.sessions if s.attendance == "attended")
    story: list[Any] = [
        Paragraph(f"My progress: {_escape(name)}", styles["title"]),
        Paragraph(
            f"{_escape(progress.programme_name)}. Sessions I came to: {attended}. "
            "This sheet is private: it is yours.",
            styles["body"],
        ),
        Spacer(1, 8),
    ]
    rows = [s for s in (*progress.measures, *progress.scores) if s.points]
    if rows:
        data: list[list[Any]] = [
            [Paragraph(h, styles["bold"]) for h in ("What", "At the start", "Now", "Change")]
        ]
        for s in rows:
            start, now = s.baseline, s.latest
            data.append(
                [
                    Paragraph(_escape(s.plain_label), styles["body"]),
                    Paragraph(_value(s, start), styles["body"]),
                    Paragraph(_value(s, now), styles["body"]),
                    Paragraph(
                        change_words(s).replace(" since the start", "") or "–", styles["body"]
                    ),
                ]
            )
        table = Table(data, colWidths=[58 * mm, 38 * mm, 38 * mm, 40 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor("#555555")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
                ]
            )
        )
        story += [table]
    else:
        story.append(Paragraph("No numbers recorded yet.", styles["body"]))

    if progress.goals:
        story += [Spacer(1, 10), Paragraph("My goals", styles["bold"])]
        for goal in progress.goals:
            outcome = f" ({goal.outcome})" if goal.outcome else ""
            story.append(
                Paragraph(
                    f"{goal.session_day:%d %b %Y}: {_escape(goal.text)}{outcome}. "
                    f"How sure I was: {goal.confidence} out of 10.",
                    styles["body"],
                )
            )
    charts = [s for s in rows if s.comparable]
    if charts:
        story += [CondPageBreak(90 * mm), Paragraph("My numbers over time", styles["bold"])]
        story.append(Paragraph("The shaded band is my target, where there is one.", styles["body"]))
        for s in charts:
            story.append(Image(io.BytesIO(_chart_png(s)), width=170 * mm, height=71 * mm))
    doc.build(story)
    return target


def _value(series: Series, point: Any) -> str:
    if point is None:
        return "–"
    unit = f" {series.unit}" if series.unit else ""
    return f"{series.show(point.value)}{unit}<br/>{point.taken_on:%d %b %Y}"


def chart_titles(rows: Sequence[Series]) -> list[str]:
    """The chart headings the PDF will carry (for checks without reading the PDF)."""
    return [s.plain_label for s in rows if s.points and s.comparable]
