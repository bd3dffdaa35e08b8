"""One person's group clinic notes as an A4 PDF, to be filed as a document in the GP record.

Black text, grey rules and bold headings only, so a black-and-white print reads the same. Every
page repeats the person's name and NHS number (pages get separated) and ends with "page X of Y"
and who generated the notes, when.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from groupclinic_desktop import __version__
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.joining import MODE_WORDS, record_words
from groupclinic_desktop.core.professions import name_with_profession
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Review, Source
from groupclinic_desktop.core.validation import format_nhs_number
from groupclinic_desktop.core.views.session_record import PersonRecord
from groupclinic_desktop.export import interpretation
from groupclinic_desktop.export.coded_summary import COLUMNS, EARLIER_HEIGHT, coded_rows
from groupclinic_desktop.export.community_notes import carer_lines, signpost_lines
from groupclinic_desktop.export.print_kit import (
    NOTES,
    escape,
    fonts,
    paragraph,
    printable,
    styles,
    xml,
)

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
GRID = colors.Color(0.45, 0.45, 0.45)
HEADER_FILL = colors.Color(0.88, 0.88, 0.88)

CONSENT_WORDS = {
    ConsentKind.CONFIDENTIALITY: "Group confidentiality agreement",
    ConsentKind.SHARE_RESULTS: "Share results with the group",
    ConsentKind.MONITORING: "Monitoring dataset (pseudonymised)",
}
SOURCE_WORDS = {
    Source.IN_SESSION: "Taken in session",
    Source.SELF_REPORTED: "Self-reported",
    Source.GP_RECORD: "From GP record",
}


def person_pdf(
    person: PersonRecord,
    *,
    generated_at: datetime,
    generated_by: str,
    version: int = 1,
    correction_reasons: Sequence[str] = (),
) -> bytes:
    """The person's notes for this session as PDF bytes (nothing touches the disk here)."""
    buffer = io.BytesIO()
    patient = person.patient
    running = printable(
        f"{patient.full_name}   NHS number {format_nhs_number(patient.nhs_number)}",
        fallbacks=True,
    )
    footer = printable(
        f"Generated {person.info.local(generated_at):%d/%m/%Y %H:%M} by {generated_by}"
        f"  |  GroupClinic Desktop {__version__}"
        + (f"  |  CORRECTION version {version}" if version > 1 else "")
    )
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=f"Group clinic notes {person.info.day:%d/%m/%Y}",
        author=person.info.practice_name,
        creator=f"GroupClinic Desktop {__version__}",
    )

    def make_canvas(*args: Any, **kwargs: Any) -> canvas.Canvas:
        return _NumberedCanvas(*args, running=running, footer=footer, **kwargs)

    doc.build(_story(person, version, correction_reasons), canvasmaker=make_canvas)
    return buffer.getvalue()


class _NumberedCanvas(canvas.Canvas):
    """Holds every page until the end, so each footer can say "page X of Y"."""

    def __init__(self, *args: Any, running: str, footer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._running = running
        self._footer = footer

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        width, height = A4
        self.setFillColor(colors.black)
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.setFont(fonts()[0], 8.5)
        if escape(self._running) != xml(self._running):
            # A name in a script DejaVu lacks is drawn as in the body: its own font, shaped.
            style = ParagraphStyle("running", fontName=fonts()[0], fontSize=8.5, leading=10)
            line = paragraph(self._running, style)
            line.wrap(width - 2 * MARGIN - 40 * mm, 12 * mm)
            line.drawOn(self, MARGIN, height - MARGIN + 1 * mm - 2)
        else:
            self.drawString(MARGIN, height - MARGIN + 1 * mm, self._running)
        self.drawRightString(width - MARGIN, height - MARGIN + 1 * mm, "Group clinic notes")
        self.line(MARGIN, height - MARGIN - 1 * mm, width - MARGIN, height - MARGIN - 1 * mm)
        self.line(MARGIN, MARGIN + 2 * mm, width - MARGIN, MARGIN + 2 * mm)
        self.drawString(MARGIN, MARGIN - 2 * mm, self._footer)
        self.setFont(fonts()[1], 8.5)
        self.drawRightString(width - MARGIN, MARGIN - 2 * mm, f"Page {number} of {total}")


CELL_PADDING = 12  # reportlab's default left + right cell padding, in points


def _fitted(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    nowrap: Sequence[int],
) -> list[float]:
    """Column widths in points: a no-wrap column is as wide as its widest cell (codes, dates,
    values and units must never break across lines); the others share what is left."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, bold = styles(NOTES)["cell"].fontName, styles(NOTES)["cell_bold"].fontName
    fixed = {
        col: max(
            stringWidth(header[col], bold, 9),
            *(stringWidth(printable(str(row[col]), fallbacks=True), font, 9) for row in rows),
        )
        + CELL_PADDING
        + 1
        for col in nowrap
        if rows
    }
    left = WIDTH - sum(fixed.values())
    if left < 0.3 * WIDTH:  # a freak value too long to keep whole: wrap rather than overflow
        return [w * WIDTH for w in widths]
    share = sum(w for col, w in enumerate(widths) if col not in fixed) or 1
    return [fixed.get(col, left * w / share) for col, w in enumerate(widths)]


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    nowrap: Sequence[int] = (),
) -> Table:
    s = styles(NOTES)
    whole = ParagraphStyle("whole", parent=s["cell"], splitLongWords=0)
    data = [[paragraph(h, s["cell_bold"]) for h in header]]
    data += [
        [
            # A no-wrap cell keeps its spaces unbreakable too ("Very good", "2 weeks").
            paragraph(str(cell).replace(" ", "\u00a0"), whole)
            if col in nowrap
            else paragraph(cell, s["cell"])
            for col, cell in enumerate(row)
        ]
        for row in rows
    ]
    col_widths = _fitted(header, rows, widths, nowrap)
    if nowrap and col_widths == [w * WIDTH for w in widths]:  # could not fit: let them wrap
        data = [data[0], *[[paragraph(cell, s["cell"]) for cell in row] for row in rows]]
    table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def _facts(rows: Sequence[tuple[str, str]]) -> Table:
    s = styles(NOTES)
    data = [
        [paragraph(label, s["cell_bold"]), paragraph(value, s["cell"])] for label, value in rows
    ]
    table = Table(data, colWidths=[0.24 * WIDTH, 0.76 * WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _section(title: str, *flowables: Flowable) -> list[Flowable]:
    s = styles(NOTES)
    first = flowables[0]
    if isinstance(first, Table) and len(first._cellvalues) > 6:
        # A long table flows on over the page (its header row repeats); the heading starts a
        # new page only when less than a few rows' room is left, never alone at the foot.
        return [CondPageBreak(40 * mm), paragraph(title, s["heading"]), *flowables]
    # Keep a heading with the start of its content, never alone at the foot of a page.
    return [KeepTogether([paragraph(title, s["heading"]), first]), *flowables[1:]]


def _story(person: PersonRecord, version: int, correction_reasons: Sequence[str]) -> list[Flowable]:
    s = styles(NOTES)
    info = person.info
    session = info.session
    patient = person.patient
    story: list[Flowable] = [
        paragraph("Group clinic notes" + (" - CORRECTION" if version > 1 else ""), s["title"]),
        paragraph(f"{info.practice_name} (ODS {info.ods_code})", s["subtitle"]),
        paragraph(
            f"Written by {info.practice_name} (ODS {info.ods_code}), which ran the clinic. "
            f"Registered practice, which holds this record: "
            f"{person.registered_name or info.practice_name} "
            f"(ODS {person.registered_ods or info.ods_code}).",
            s["body"],
        ),
        Spacer(1, 3 * mm),
    ]
    if version > 1:
        reasons = "; ".join(r for r in correction_reasons if r) or "see the audit trail"
        banner = Table(
            [
                [
                    paragraph(
                        f"CORRECTION - version {version}. This replaces version {version - 1} "
                        "of these notes; file it and mark the earlier version as superseded. "
                        f"Reason: {reasons}",
                        s["banner"],
                    )
                ]
            ],
            colWidths=[WIDTH],
        )
        banner.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 2, colors.black),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story += [banner, Spacer(1, 3 * mm)]
    clinicians = ", ".join(name_with_profession(c) for c in info.clinicians) or "none recorded"
    story.append(
        _facts(
            [
                ("Name", patient.full_name),
                ("Date of birth", f"{patient.date_of_birth:%d/%m/%Y}"),
                ("NHS number", format_nhs_number(patient.nhs_number)),
                (
                    "Session",
                    f"{session.day:%A %d %B %Y}, {session.start_time:%H:%M} "
                    f"(session {session.session_number})",
                ),
                ("Programme", info.programme_name),
                ("Place", session.place),
                ("Mode", MODE_WORDS[session.mode]),
                (
                    "Facilitator",
                    name_with_profession(info.facilitator) if info.facilitator else "none recorded",
                ),
                ("Clinician(s)", clinicians),
            ]
        )
    )
    story += _attendance(person)
    if person.attendance.status == AttendanceStatus.DID_NOT_ATTEND:
        return story  # a did-not-attend record says so and nothing more
    story += _measurements(person)
    story += _scores(person)
    story += _review(person)
    story += _goals(person)
    story += _care_plan(person)
    story += _community(person)
    story += _agenda(person)
    story += _coded_summary(person)
    return story


def _attendance(person: PersonRecord) -> list[Flowable]:
    s = styles(NOTES)
    a = person.attendance
    status = a.status.value.replace("_", " ").capitalize()
    extras = []
    if person.came_with_carer:
        extras.append("a carer was present")
    line = status + (f" ({'; '.join(extras)})" if extras else "") + "."
    if a.status == AttendanceStatus.DID_NOT_ATTEND:
        start, _ = person.info.window
        return _section(
            "Attendance",
            paragraph(
                f"Did not attend the group consultation ({person.info.programme_name}) "
                f"on {start:%d/%m/%Y} at {start:%H:%M}.",
                s["body"],
            ),
        )
    # The channel in words, with the identity and private-place checks for video and phone.
    line = f"attended the group consultation {record_words(a)}" + (
        "." if line == "Attended." else f" ({line[0].lower()}{line[1:-1]})."
    )
    consents = [
        (CONSENT_WORDS.get(kind, kind.value), "Yes" if given else "No")
        for kind, given in sorted(person.consents.items())
    ]
    flow: list[Flowable] = [paragraph(f"Attendance: {line}", s["body"])]
    if consents:
        flow.append(_table(("Consent", "Given"), consents, (0.6, 0.4)))
    else:
        flow.append(paragraph("No consents recorded.", s["body"]))
    return _section("Attendance and consent", *flow)


def _measurements(person: PersonRecord) -> list[Flowable]:
    s = styles(NOTES)
    rows = []
    for row in coded_rows(person):
        if row.kind != "measurement":
            continue
        mtype = catalogue().get(row.key)
        term = mtype.snomed_term or mtype.label
        code = f"{term} ({row.code})" if row.code else f"{term} (no confirmed code)"
        if row.source == EARLIER_HEIGHT:
            source = "Worked out from an earlier height"
        else:
            source = SOURCE_WORDS.get(Source(row.source), row.source)
        mark = f"{row.flag} ({interpretation.WORDS[row.flag]})" if row.flag else ""
        # The same person FHIR's Observation.performer and the CSV name: who took it.
        taker = f"{row.clinician} ({row.profession})" if row.profession else row.clinician
        rows.append((mtype.label, row.value, row.unit, mark, source, taker, code))
    if not rows:
        nothing = paragraph("No measurements taken in this session.", s["body"])
        return _section("Measurements", nothing)
    flow: list[Flowable] = [
        _table(
            ("Measure", "Value", "Unit", "Flag", "Source", "Taken by", "SNOMED CT term (code)"),
            rows,
            (0.16, 0.07, 0.08, 0.10, 0.11, 0.21, 0.27),
            nowrap=(1, 2),
        )
    ]
    if any(r[3] for r in rows):
        flow.append(
            paragraph(
                "Flags: H above target, L below target (the target that applies to this "
                "person); HH / LL a red flag, high or low: the clinician is told at once.",
                s["body"],
            )
        )
    return _section("Measurements", *flow)


def _scores(person: PersonRecord) -> list[Flowable]:
    s = styles(NOTES)
    rows = [
        (row.term, f"{row.value} {row.unit}".strip() if row.unit != "score" else row.value)
        for row in coded_rows(person)
        if row.kind == "score"
    ]
    if not rows:
        nothing = paragraph("No questionnaires completed.", s["body"])
        return _section("Questionnaire scores", nothing)
    return _section("Questionnaire scores", _table(("Questionnaire", "Score"), rows, (0.7, 0.3)))


def _review(person: PersonRecord) -> list[Flowable]:
    """Every professional's review, each under its author and profession."""
    s = styles(NOTES)
    if not person.reviews:
        return _section("One-to-one review", paragraph("No one-to-one review recorded.", s["body"]))
    flow: list[Flowable] = []
    for index, review in enumerate(person.reviews):
        if index:
            flow.append(Spacer(1, 4 * mm))
        if len(person.reviews) > 1:
            flow.append(paragraph(person.review_author(review), s["cell_bold"]))
        flow += _one_review(person, review)
    title = "One-to-one review" if len(person.reviews) == 1 else "One-to-one reviews"
    return _section(title, *flow)


def _one_review(person: PersonRecord, review: Review) -> list[Flowable]:
    s = styles(NOTES)
    flow: list[Flowable] = [paragraph(review.notes or "No notes recorded.", s["body"])]
    findings = [
        row
        for row in coded_rows(person)
        if row.kind == "finding" and row.clinician == person.staff_name(review.author_id)
    ]
    if findings:
        flow.append(
            _labelled(
                "Coded findings",
                _table(
                    ("Finding", "SNOMED CT code"),
                    [(f.term, f.code or "no confirmed code") for f in findings],
                    (0.7, 0.3),
                ),
            )
        )
    changes = review.medication_changes or []
    flow.append(Spacer(1, 2 * mm))
    if changes:
        flow.append(
            _labelled(
                "Medication changes agreed (to be made in the GP system by a prescriber)",
                _table(
                    ("Change", "Medicine", "Dose"),
                    [
                        (m["action"].replace("_", " ").capitalize(), m["drug"], m.get("dose") or "")
                        for m in changes
                    ],
                    (0.25, 0.4, 0.35),
                ),
            )
        )
    else:
        flow.append(paragraph("Medication changes: none.", s["body"]))
    actions = review.actions or []
    flow.append(Spacer(1, 2 * mm))
    if actions:
        flow.append(
            _labelled(
                "Actions",
                _table(
                    ("Action", "Owner", "Due"),
                    [(a["text"], a.get("owner") or "not set", _day(a.get("due"))) for a in actions],
                    (0.55, 0.27, 0.18),
                ),
            )
        )
    else:
        flow.append(paragraph("Actions: none.", s["body"]))
    flow.append(Spacer(1, 2 * mm))
    flow.append(paragraph(f"Safety-netting: {review.safety_netting or 'none recorded'}", s["body"]))
    flow.append(paragraph(person.review_byline(review), s["body"]))
    return flow


def _labelled(label: str, table: Table) -> Flowable:
    # A small heading stays with the first rows of its table.
    return KeepTogether([paragraph(label, styles(NOTES)["cell_bold"]), table])


def _day(text: str | None) -> str:
    if not text:
        return "not set"
    return f"{text[8:10]}/{text[5:7]}/{text[0:4]}" if len(text) == 10 else text


def _goals(person: PersonRecord) -> list[Flowable]:
    s = styles(NOTES)
    if not person.goals:
        return _section("Goals", paragraph("No goal set.", s["body"]))
    rows = []
    for goal in person.goals:
        text = goal.text + (f"\nWhat matters: {goal.what_matters}" if goal.what_matters else "")
        review = f"{goal.review_date:%d/%m/%Y}" if goal.review_date else "not set"
        rows.append((text, f"{goal.confidence}/10", review))
    return _section("Goals", _table(("Goal", "Confidence", "Review date"), rows, (0.64, 0.16, 0.2)))


def _care_plan(person: PersonRecord) -> list[Flowable]:
    """The person's care and support plan as it stands at export (text: no code is confirmed
    for a care plan review, resources/fhir.toml)."""
    from groupclinic_desktop.export.care_plan_text import plan_footer, plan_lines

    s = styles(NOTES)
    plan = person.care_plan
    if plan is None:
        return []
    flow: list[Flowable] = []
    for heading, lines in plan_lines(plan):
        if lines:
            flow.append(paragraph(heading, s["cell_bold"]))
            flow += [paragraph(f"- {line}", s["body"]) for line in lines]
    flow.append(paragraph(plan_footer(plan), s["body"]))
    return _section(f"Personalised care and support plan ({plan.programme_name})", *flow)


def _community(person: PersonRecord) -> list[Flowable]:
    # Signposting to local support, and (in a carer's own record only) their part as a carer.

    s = styles(NOTES)
    flow: list[Flowable] = []
    if person.signposts:
        flow += _section(
            "Community connections",
            *[paragraph(line, s["body"]) for line in signpost_lines(person)],
        )
    for visit in person.carer_visits:
        flow += _section("As a carer", *[paragraph(line, s["body"]) for line in carer_lines(visit)])
    return flow


def _agenda(person: PersonRecord) -> list[Flowable]:
    s = styles(NOTES)
    topics = person.info.covered_topics
    if not topics:
        return _section("Group agenda topics covered", paragraph("None recorded.", s["body"]))
    rows = [(item.text, item.topic or "") for item in topics]
    return _section(
        "Group agenda topics covered",
        _table(("Question or topic raised by the group", "Theme"), rows, (0.7, 0.3)),
    )


def _coded_summary(person: PersonRecord) -> list[Flowable]:
    s = styles(NOTES)
    rows = [row.cells() for row in coded_rows(person)]
    if not rows:
        return _section("Coded summary", paragraph("Nothing to code.", s["body"]))
    note = paragraph(
        "For entry through the GP system's template. Rows without a code have no "
        "confirmed SNOMED CT code: enter them as free text.",
        s["body"],
    )
    return _section(
        "Coded summary",
        note,
        # Code, value, unit and date never wrap: each must be read (and typed) whole.
        _table(COLUMNS, rows, (0.21, 0.32, 0.1, 0.09, 0.12, 0.16), nowrap=(0, 2, 3, 4)),
    )
