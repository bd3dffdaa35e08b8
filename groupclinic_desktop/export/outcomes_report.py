"""A programme's outcomes for the practice, as CSV (for spreadsheets) and PDF (to read).

Both come from core.views.outcomes, so suppressed figures stay suppressed: the CSV has an empty
value and the reason, the PDF prints "suppressed". No names or NHS numbers are in either.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from groupclinic_desktop import __version__
from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.views.outcomes import Outcomes, figure_rows
from groupclinic_desktop.export import four_ms_pdf
from groupclinic_desktop.export.print_kit import escape, styles

CSV_COLUMNS = ("section", "item", "group", "figure", "value", "people", "note")


def write_csv(o: Outcomes, path: Path | str) -> Path:
    target = Path(path)
    with private_file(target).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        flagged = {(r.dimension, r.group) for r in o.flagged()}
        for section, item, group, name, _, figure in figure_rows(o):
            note = figure.reason
            if section == "equity" and item == "attendance rate":
                dimension, _, name_of_group = group.partition(": ")
                if (dimension, name_of_group) in flagged:
                    note = "attending much less than the rest"
            value = "" if figure.value is None else f"{round(figure.value, 4):g}"
            # The group's size only beside a figure that is shown: a suppressed one's size is
            # the very number suppression hides.
            people = figure.people if figure.shown and figure.people else ""
            writer.writerow([section, item, group, name, value, people, note])
    return target


def experience_section(o: Outcomes, table: Any, head: Any, body: Any) -> list[Any]:
    """What people said of the sessions, and what the staff who ran them said: counts per
    answer, suppressed as the rest of the report (left out while nobody has answered)."""
    from reportlab.platypus import Paragraph, Spacer

    story: list[Any] = []
    if o.experience is not None and o.experience.total.people:
        e = o.experience
        story += [
            Spacer(1, 8),
            Paragraph("What people said about the sessions", head),
            Paragraph(f"“{escape(e.question)}” Answered at the end of each session, anonymously.",
                      body),
            table(
                [["Answer", "Answers"]]
                + [[answer, figure.text()] for answer, figure in e.answers]
                + [["All answers", e.total.text()]],
                [120, 58],
                set(),
            ),
        ]
    if o.staff_experience and any(q.total.people for q in o.staff_experience):
        staff = o.staff_experience
        labels = [answer for answer, _ in staff[0].answers]
        story += [
            Spacer(1, 8),
            Paragraph("What the staff who ran them said", head),
            Paragraph(
                "Each member of staff's own answers at the end of a session, kept without their "
                "name. Counts of each answer; the questions are our own wording, not a scored "
                "scale.",
                body,
            ),
            Paragraph(
                "The questions: "
                + "; ".join(f"{escape(q.short)}: “{escape(q.question)}”" for q in staff),
                body,
            ),
            # Answers down the side, one column a question: "suppressed" fits a column.
            table(
                [["Answer", *(q.short for q in o.staff_experience)]]
                + [
                    [label, *(q.answers[index][1].text() for q in o.staff_experience)]
                    for index, label in enumerate(labels)
                ]
                + [["All answers", *(q.total.text() for q in o.staff_experience)]],
                [52] + [126 / len(o.staff_experience)] * len(o.staff_experience),
                set(),
            ),
        ]
    return story


def write_pdf(o: Outcomes, path: Path | str, *, practice: str = "") -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    sheet = styles()  # normal print
    title, head, body, cell = sheet["title"], sheet["heading"], sheet["body"], sheet["cell"]
    target = Path(path)
    doc = SimpleDocTemplate(
        str(private_file(target)),
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Programme outcomes: {o.programme_name}",
    )
    story: list[Any] = [
        Paragraph(f"Programme outcomes: {escape(o.programme_name)}", title),
        Paragraph(
            f"{escape(practice) + '. ' if practice else ''}As of {o.as_of:%d %B %Y}. "
            f"Figures about fewer than "
            f"{o.threshold} people are suppressed, and so is any figure that would let one be "
            "worked out by subtraction.",
            body,
        ),
        Spacer(1, 6),
    ]

    def table(rows: list[list[str]], widths: list[float], flagged: set[int] = frozenset()) -> Any:  # type: ignore[assignment]
        data = [[Paragraph(escape(c), cell) for c in r] for r in rows]
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        style: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for r in flagged:
            style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#FBE3B0")))
        t.setStyle(TableStyle(style))
        return t

    story += [
        Paragraph("Sessions and attendance", head),
        table(
            [
                ["Sessions held", "Planned", "Cancelled", "Invited", "Attended", "Did not attend"],
                [
                    str(o.sessions_held),
                    str(o.sessions_planned),
                    str(o.sessions_cancelled),
                    o.invited.text(),
                    o.attended.text(),
                    o.dna_rate.text("percent"),
                ],
            ],
            [28, 28, 28, 28, 28, 38],
        ),
        Spacer(1, 8),
        Paragraph("People at target (of those with a value)", head),
        table(
            [["Measure", "Target", "At the start", "Now"]]
            + [
                [t.label, t.target_text, t.baseline.text("percent"), t.now.text("percent")]
                for t in o.targets
            ],
            [50, 62, 33, 33],
        ),
        Spacer(1, 8),
        Paragraph("Median change from each person's start", head),
        table(
            [["Measure or questionnaire", "Median change", "People"]]
            + [
                [
                    c.label + (f" ({c.unit})" if c.unit else ""),
                    c.median.text("change", c.decimals),
                    str(c.median.people) if c.median.shown else "",
                ]
                for c in o.changes
            ],
            [90, 50, 38],
        ),
        Spacer(1, 8),
        Paragraph("Goals", head),
        table(
            [
                ["Goals set", "Achieved"],
                [o.goals_set.text(), o.goals_achieved.text("percent")],
            ],
            [89, 89],
        ),
        Spacer(1, 8),
        Paragraph("Who is invited and who comes", head),
        Paragraph(
            "Shaded rows: a group attending less than three quarters as often as everyone "
            "else. Worth asking why (times, place, language, transport).",
            body,
        ),
    ]
    rows = [["Group", "Invited", "Attended", "Attendance", "Did not attend"]]
    flagged: set[int] = set()
    for index, r in enumerate(o.equity, start=1):
        rows.append(
            [
                f"{r.dimension}: {r.group}",
                r.invited.text(),
                r.attended.text(),
                r.attendance_rate.text("percent"),
                r.dna_rate.text("percent"),
            ]
        )
        if r.flagged:
            flagged.add(index)
    story.append(table(rows, [56, 30, 30, 30, 32], flagged))
    if o.signposting:
        story += [Spacer(1, 8), Paragraph("Community connections", head)]
        links = [["Directory entry", "Signposted", "Referred"]]
        links += [[e.name, e.signposted.text(), e.referred.text()] for e in o.signposting]
        story.append(table(links, [96, 41, 41], set()))
    story += experience_section(o, table, head, body)
    story += four_ms_pdf.outcomes_section(o, table, head, body)
    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(body.fontName, 8)
        canvas.drawRightString(
            canvas._pagesize[0] - doc.rightMargin,
            doc.bottomMargin / 2,
            f"Page {doc.page}. GroupClinic {__version__}, {date.today():%d %b %Y}",
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return target
