"""The 4Ms (Movement, Mood, Motivation, What matters to me) in the printed hand-out, the
progress PDF and the outcomes report: sections of their own that those documents add in a line.

Every section returns a list of flowables, empty when the programme has no 4M domains, so a
document without 4Ms prints exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.i18n import ENGLISH, Words
from groupclinic_desktop.core.views.four_ms import FourMPanel, domain_keys

if TYPE_CHECKING:
    from groupclinic_desktop.core.views.outcomes import Outcomes
    from groupclinic_desktop.core.views.progress import PersonProgress, Series

M_TINT = "#E6ECF8"


def _change(text: str, words: Words) -> str:
    if not text:
        return "–"
    if text == "0":
        return words("the same")
    way = words("up") if text.startswith("+") else words("down")
    return f"{way} {text.lstrip('+−')}"


def _table(
    rows: list[list[Any]], widths_mm: Sequence[float], text: Any, headings: Sequence[int] = ()
) -> Any:
    """A grid with a shaded header row; rows in `headings` are an M's name across the table."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    commands: list[tuple[Any, ...]] = []
    for r in headings:
        tint = colors.HexColor(M_TINT)
        commands += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), tint)]
    return text.grid(rows, [w * mm for w in widths_mm], commands)


def _heading_row(label: str, columns: int, text: Any, styles: Mapping[str, Any]) -> list[Any]:
    return [text.para(label, styles["bold"])] + [""] * (columns - 1)


def handout_section(
    panel: FourMPanel | None,
    patient_id: int | None,
    text: Any,
    styles: Mapping[str, Any],
    words: Words = ENGLISH,
) -> list[Any]:
    """"Our 4Ms": each M's measures and scores, the group's median and change, and (on a
    person's own sheet) their own value. With patient_id None it is the room's version."""
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Spacer

    if panel is None or not panel.domains:
        return []
    mine = panel.person(patient_id) if patient_id is not None else None
    heads = ["What", "Group today", "Since last time"] + (["Mine"] if mine else [])
    rows: list[list[Any]] = [[text.para(words(h), styles["bold"]) for h in heads]]
    headings = []
    for domain in panel.domains:
        headings.append(len(rows))
        rows.append(_heading_row(words(domain.label), len(heads), text, styles))
        if not domain.items:
            rows.append(
                [text.para(words("My own goal, in my words"), styles["body"])]
                + [text.para("–", styles["body"])] * (len(heads) - 1)
            )
        for item in domain.items:
            row = [
                text.para(words(item.plain_label), styles["body"]),
                text.para(item.median_text or "–", styles["body"]),
                text.para(_change(item.change_text, words), styles["body"]),
            ]
            if mine:
                row.append(text.para(mine.values.get(item.key) or "–", styles["body"]))
            rows.append(row)
    widths = [70, 34, 40, 30] if mine else [84, 45, 45]
    return [
        CondPageBreak(70 * mm),  # the heading stays with its table
        Spacer(1, 10),
        text.para(words("Our 4Ms"), styles["bold"]),
        _table(rows, widths, text, headings),
    ]


def progress_section(
    progress: PersonProgress,
    domains: Sequence[Mapping[str, Any]],
    text: Any,
    styles: Mapping[str, Any],
    words: Words = ENGLISH,
    *,
    show: Callable[[Series, Any], str] | None = None,
) -> list[Any]:
    """"My 4Ms": each M's measures and scores at the start and now."""
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Spacer

    groups = domain_keys(domains)
    if not groups:
        return []
    series = {s.key: s for s in (*progress.measures, *progress.scores)}
    rows: list[list[Any]] = [
        [text.para(words(h), styles["bold"]) for h in ("What", "At the start", "Now")]
    ]
    headings = []
    for group in groups:
        headings.append(len(rows))
        rows.append(_heading_row(words(group.label), 3, text, styles))
        found = [series[k] for k in group.keys if k in series and series[k].points]
        if not found:
            note = "My own goal, in my words" if not group.keys else "Not measured yet"
            rows.append(
                [text.para(words(note), styles["body"])] + [text.para("–", styles["body"])] * 2
            )
        for s in found:
            rows.append(
                [
                    text.para(words(s.plain_label), styles["body"]),
                    text.para(_shown(s, s.baseline, show), styles["body"]),
                    text.para(_shown(s, s.latest, show), styles["body"]),
                ]
            )
    return [
        CondPageBreak(70 * mm),
        Spacer(1, 10),
        text.para(words("My 4Ms"), styles["bold"]),
        _table(rows, [84, 45, 45], text, headings),
    ]


def _shown(series: Series, point: Any, show: Callable[[Series, Any], str] | None) -> str:
    if point is None:
        return "–"
    if show is not None:
        return show(series, point)
    return series.show(point.value)


def outcomes_section(o: Outcomes, table: Callable[..., Any], head: Any, body: Any) -> list[Any]:
    """The 4Ms in the outcomes report: the median change of each M's measures and scores, with
    the same small-number suppression as every other figure."""
    from reportlab.platypus import Paragraph, Spacer

    groups = domain_keys(o.domains)
    if not groups:
        return []
    changes = {c.key: c for c in o.changes}
    rows = [["4M", "Measure or score", "Median change", "People"]]
    for group in groups:
        found = [changes[k] for k in group.keys if k in changes]
        if not found:
            rows.append([group.label, "the person's own goal" if not group.keys else "–", "", ""])
        for n, c in enumerate(found):
            rows.append(
                [
                    group.label if n == 0 else "",
                    c.label + (f" ({c.unit})" if c.unit else ""),
                    c.median.text("change", c.decimals),
                    str(c.median.people) if c.median.shown else "",
                ]
            )
    return [
        Spacer(1, 8),
        Paragraph("The 4Ms: movement, mood, motivation and what matters", head),
        Paragraph(
            "Median change from each person's first to their latest value, grouped as the "
            "programme groups them.",
            body,
        ),
        table(rows, [40, 70, 38, 30]),
    ]
