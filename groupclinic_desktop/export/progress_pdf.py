"""A person's private progress PDF: their numbers, scores and goals over the whole programme.

Plain words from resources/plain_labels.toml, the print kit's large print (18 pt and up), charts
(core/views/board_look.py) drawn at their printed size with the person's own target band. Nothing
here is about anyone else.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.i18n import ENGLISH, Words
from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.views.board_look import chart_png, draw_progress
from groupclinic_desktop.core.views.progress import (
    PersonProgress,
    Series,
    person_progress,
    programme_sessions,
)
from groupclinic_desktop.export import four_ms_pdf, print_kit
from groupclinic_desktop.export.pdf_text import PdfText

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic


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


def _chart_png(series: Series, words: Words = ENGLISH) -> bytes:
    return chart_png(lambda ax: draw_progress(ax, series, words=words), (6.7, 2.8), words)


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
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        Image,
        SimpleDocTemplate,
        Spacer,
    )


    target = Path(path)
    styles = print_kit.styles(print_kit.LARGE)
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
        story.append(text.grid(data, [58 * mm, 38 * mm, 38 * mm, 40 * mm]))
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
