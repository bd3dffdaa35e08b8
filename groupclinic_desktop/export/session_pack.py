"""The session pack: everything printed before a group clinic, in one PDF.

  1. the facilitator's run sheet: phase timings from the session's programme and the cue cards
  2. the attendance register
  3. the confidentiality agreement and consent form, one per person, in the practice's wording
  4. first-name badges
  5. a blank results board, the paper fallback if the laptop fails

Pure function of the store (read through the Clinic); no Qt.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop import __version__
from groupclinic_desktop.core import invitations, programmes
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.professions import name_with_profession
from groupclinic_desktop.core.schema import ClinicSession, Patient
from groupclinic_desktop.core.views.board import plain_label
from groupclinic_desktop.export.pdf_parts import INK, SHADE, TickBox, pack_document
from groupclinic_desktop.export.print_kit import escape, fonts, styles

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

SPARE_REGISTER_ROWS = 4  # drop-ins and carers who were not on the list
SPARE_FORMS = 2
SPARE_BADGES = 4
BOARD_ROWS_AT_LEAST = 12
BLOOD_PRESSURE = "blood_pressure"


def session_pack(clinic: Clinic, session_id: int, out: Path | str) -> Path:
    """Write the session pack PDF for a session and return its path."""
    from reportlab.platypus import NextPageTemplate, PageBreak

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    session = clinic.session(session_id)
    practice = clinic.practice()
    practice_name = practice.name if practice else "the practice"
    programme = clinic.programme(session.programme_id)
    people = [i.patient for i in invitations.still_coming(clinic, session_id)]
    template = (
        programmes.template_from_dict(session.programme_snapshot or {})
        if (session.programme_snapshot)
        else programmes.template(programme.template_key)
    )
    when = f"{session.day.strftime('%A %d %B %Y')}, {session.start_time.strftime('%H:%M')}"

    def footer(canvas: Any, doc: Any) -> None:
        from reportlab.lib.units import mm

        width = canvas._pagesize[0]
        canvas.saveState()
        canvas.setFont(fonts()[0], 10)
        # Two lines: on a portrait page the practice's name and the notice ran into each other.
        canvas.drawString(16 * mm, 14 * mm, f"{practice_name}: {session.day:%d/%m/%Y}")
        canvas.drawRightString(width - 16 * mm, 14 * mm, f"Page {doc.page}")
        canvas.drawString(16 * mm, 9.5 * mm, "Confidential: personal details.")
        canvas.drawRightString(width - 16 * mm, 9.5 * mm, f"GroupClinic {__version__}")
        canvas.restoreState()

    doc = pack_document(str(out), f"Session pack: {programme.name}, {session.day}", footer)
    story: list[Any] = []
    story += _run_sheet(clinic, session, template, programme.name, when, len(people))
    story += [NextPageTemplate("landscape"), PageBreak()]
    story += _register(session, people, programme.name, when)
    story += [NextPageTemplate("portrait"), PageBreak()]
    wording = invitations.consent_wording(clinic)
    names: list[Patient | None] = [*people, *([None] * SPARE_FORMS)]
    for index, person in enumerate(names):
        story += _consent_form(wording, person, practice_name, programme.name, when)
        if index < len(names) - 1:
            story.append(PageBreak())
    story.append(PageBreak())
    story += _badges([p.board_name for p in people] + [""] * SPARE_BADGES)
    story += [NextPageTemplate("landscape"), PageBreak()]
    story += _blank_board(template.measurements, max(len(people), BOARD_ROWS_AT_LEAST), when)
    doc.build(story)
    return out


# --------------------------------------------------------------------------------- run sheet


def _run_sheet(
    clinic: Clinic,
    session: ClinicSession,
    template: programmes.ProgrammeTemplate,
    programme_name: str,
    when: str,
    expected: int,
) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle


    facilitator = next(
        (
            name_with_profession(s)
            for s in clinic.staff(active_only=False)
            if s.id == session.facilitator_id
        ),
        "-",
    )
    clinicians = (
        ", ".join(name_with_profession(s) for s in clinic.session_clinicians(session.id or 0))
        or "-"
    )
    story: list[Any] = [
        Paragraph("Facilitator's run sheet", styles()["title"]),
        Paragraph(
            f"<b>{escape(programme_name)}</b>, session {session.session_number}<br/>"
            f"{escape(when)} at {escape(session.place)}<br/>"
            f"Facilitator: {escape(facilitator)}. Clinician(s): {escape(clinicians)}.<br/>"
            f"Expected: {expected} people (not counting carers or drop-ins).",
            styles()["body"],
        ),
    ]
    start = datetime.combine(date.today(), session.start_time)
    rows: list[list[Any]] = [["Phase", "Starts", "Minutes", "Ends"]]
    clock = start
    timings: dict[str, str] = {}
    for phase in programmes.PHASES:
        minutes = int(template.phase_minutes.get(phase, 0))
        ends = clock + timedelta(minutes=minutes)
        timings[phase] = clock.strftime("%H:%M")
        if minutes:
            rows.append(
                [
                    programmes.PHASE_TITLES[phase],
                    clock.strftime("%H:%M"),
                    str(minutes),
                    ends.strftime("%H:%M"),
                ]
            )
        clock = ends
    rows.append(["Close", clock.strftime("%H:%M"), str(template.total_minutes), ""])
    table = Table(rows, colWidths=[70 * mm, 30 * mm, 30 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts()[0], 13),
                ("FONT", (0, 0), (-1, 0), fonts()[1], 13),
                ("FONT", (0, -1), (-1, -1), fonts()[1], 13),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("GRID", (0, 0), (-1, -1), 0.6, INK),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [table, Spacer(0, 4 * mm), Paragraph("Cue cards", styles()["heading"])]
    for phase, card in programmes.cue_cards(template).items():
        minutes = int(template.phase_minutes.get(phase, 0))
        length = f"{minutes} min" if minutes else "as needed"
        block: list[Any] = [
            Paragraph(
                f"{timings[phase]}  {escape(programmes.PHASE_TITLES[phase])} ({length}): "
                f"{escape(card.title)}",
                styles()["heading"],
            )
        ]
        block += [Paragraph(escape(line), styles()["bullet"], bulletText="-") for line in card.do]
        block += [
            Paragraph(f"Say: \u201c{escape(line)}\u201d", styles()["say"]) for line in card.say
        ]
        story.append(KeepTogether(block))
    return story


# --------------------------------------------------------------------------------- register


def _register(
    session: ClinicSession, people: list[Patient], programme_name: str, when: str
) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    header = [
        "",
        "Name",
        "Date of birth",
        "Arrived",
        "Carer",
        "Agreement signed",
        "Results on board",
        "Notes",
    ]
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", styles()["cell"]) for h in header]]
    for number, person in enumerate(people, start=1):
        rows.append(
            [
                str(number),
                Paragraph(escape(f"{person.family_name}, {person.given_name}"), styles()["cell"]),
                person.date_of_birth.strftime("%d/%m/%Y"),
                TickBox(),
                TickBox(),
                TickBox(),
                Paragraph("Yes / No", styles()["cell"]),
                "",
            ]
        )
    for number in range(len(people) + 1, len(people) + 1 + SPARE_REGISTER_ROWS):
        rows.append(
            [
                str(number),
                "",
                "",
                TickBox(),
                TickBox(),
                TickBox(),
                Paragraph("Yes / No", styles()["cell"]),
                "",
            ]
        )
    widths = [10 * mm, 60 * mm, 30 * mm, 24 * mm, 18 * mm, 36 * mm, 34 * mm, 53 * mm]
    table = Table(
        rows, colWidths=widths, repeatRows=1, rowHeights=[None] + [10 * mm] * (len(rows) - 1)
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts()[0], 12),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("GRID", (0, 0), (-1, -1), 0.6, INK),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (3, 1), (5, -1), "CENTER"),
            ]
        )
    )
    return [
        Paragraph("Attendance register", styles()["title"]),
        Paragraph(
            f"{escape(programme_name)}, session {session.session_number}: {escape(when)}, "
            f"{escape(session.place)}. Tick as people arrive; add drop-ins at the bottom.",
            styles()["body"],
        ),
        table,
    ]


# --------------------------------------------------------------------------------- consent


def _consent_form(
    wording: dict[str, Any],
    person: Patient | None,
    practice_name: str,
    programme_name: str,
    when: str,
) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    fill = _Fill(practice=practice_name, programme=programme_name)
    consents = wording.get("consents", {})
    story: list[Any] = [
        Paragraph(escape(str(wording["title"]).format_map(fill)), styles()["title"]),
        Paragraph(escape(str(wording["intro"]).format_map(fill)), styles()["body"]),
        Paragraph(f"Session: {escape(when)}", styles()["body"]),
    ]
    story += [
        Paragraph(escape(line.format_map(fill)), styles()["bullet"], bulletText="-")
        for line in wording.get("agreement", [])
    ]
    story.append(Spacer(0, 3 * mm))
    rows = [
        [
            Paragraph(escape(str(text).format_map(fill)), styles()["body"]),
            TickBox("Yes"),
            TickBox("No"),
        ]
        for text in consents.values()
    ]
    if rows:
        table = Table(rows, colWidths=[118 * mm, 24 * mm, 24 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, INK),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story.append(table)
    story.append(Spacer(0, 5 * mm))
    name = person.full_name if person else ""
    lines = [
        ["Name", escape(name)],
        ["Signature", ""],
        ["Date", ""],
        ["Carer, if with you", ""],
        ["Carer's signature", ""],
    ]
    sign = Table(
        [
            [Paragraph(f"<b>{a}</b>", styles()["body"]), Paragraph(b, styles()["body"])]
            for a, b in lines
        ],
        colWidths=[62 * mm, 104 * mm],
        rowHeights=[13 * mm] * len(lines),
        hAlign="LEFT",
    )
    sign.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (1, 0), (1, -1), 0.8, INK),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    story += [sign, Spacer(0, 5 * mm)]
    if wording.get("closing"):
        story.append(Paragraph(escape(str(wording["closing"]).format_map(fill)), styles()["small"]))
    return story


class _Fill(dict[str, str]):
    """Placeholders for practice wording; an unknown one is left as typed, not an error."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# --------------------------------------------------------------------------------- badges


def _badges(names: list[str]) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    cells = [Paragraph(escape(n) if n else "&nbsp;", styles()["badge"]) for n in names]
    if len(cells) % 2:
        cells.append(Paragraph("&nbsp;", styles()["badge"]))
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[89 * mm, 89 * mm], rowHeights=[62 * mm] * len(rows))
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#777777", None, (4, 3)),  # dashed: cut lines
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    return [table]


# --------------------------------------------------------------------------------- board


def board_columns(keys: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(heading, target in words) per board column; systolic and diastolic share one column,
    as a BP is written on the board as one reading."""

    book = catalogue()
    columns: list[tuple[str, str]] = []
    for key in keys:
        if key == "diastolic_bp" and "systolic_bp" in keys:
            continue
        if key == "systolic_bp" and "diastolic_bp" in keys:
            sys_t, dia_t = book.get("systolic_bp").target, book.get("diastolic_bp").target
            target = ""
            if sys_t and dia_t and sys_t.below and dia_t.below:
                word = "" if sys_t.inclusive else "below "
                tail = " or below" if sys_t.inclusive else ""
                target = f"{word}{sys_t.below:g}/{dia_t.below:g} mmHg{tail}"
            columns.append((plain_label(BLOOD_PRESSURE), target))
            continue
        mtype = book.get(key)
        target = mtype.target.target_for().describe(mtype.unit) if mtype.target else ""
        columns.append((f"{plain_label(key)} ({mtype.unit})", target))
    return columns


def _blank_board(keys: tuple[str, ...], rows_wanted: int, when: str) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    columns = board_columns(list(keys))
    header = [Paragraph("<b>Name or code</b>", styles()["cell"])] + [
        Paragraph(
            f"<b>{escape(h)}</b>" + (f"<br/>target: {escape(t)}" if t else ""), styles()["cell"]
        )
        for h, t in columns
    ]
    width = 265 * mm
    first = 55 * mm
    rest = (width - first) / max(1, len(columns))
    table = Table(
        [header] + [[""] * (len(columns) + 1) for _ in range(rows_wanted)],
        colWidths=[first] + [rest] * len(columns),
        rowHeights=[None] + [10 * mm] * rows_wanted,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("GRID", (0, 0), (-1, -1), 0.8, INK),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [
        Paragraph("Results board (paper)", styles()["title"]),
        Paragraph(
            f"{escape(when)}. Write first names only for people who agreed to share their "
            "results; use a code for everyone else. Circle a number that is off target.",
            styles()["body"],
        ),
        table,
    ]
