"""The coded summary: what staff enter through a GP-system template, one row per item.

Columns: SNOMED CT code, term, value, unit, date, clinician. A code appears only when it is
confirmed (catalogue.toml, or the programme's coded findings); otherwise the row keeps its term
with an empty code, to be entered as free text. Results copied in from the GP record are left
out: they are already there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.questionnaires import get as questionnaire
from groupclinic_desktop.core.questionnaires import score as score_answers
from groupclinic_desktop.core.schema import Measurement, QuestionnaireResponse
from groupclinic_desktop.core.spreadsheet import safe_cell
from groupclinic_desktop.core.validation import format_nhs_number
from groupclinic_desktop.core.views.session_record import PersonRecord
from groupclinic_desktop.export.community_notes import coded_term, swemwbs_metric
from groupclinic_desktop.export.interpretation import flag

COLUMNS = ("SNOMED CT code", "Term", "Value", "Unit", "Date", "Clinician")


@dataclass(frozen=True)
class CodedRow:
    kind: str  # measurement, finding or score
    key: str  # catalogue key, questionnaire key or finding term
    code: str  # confirmed SNOMED CT id, or ""
    term: str
    value: str
    unit: str
    day: date
    clinician: str
    source: str = ""
    # H, L, HH or LL when the value is abnormal (export/interpretation.py), else "".
    flag: str = ""
    # Who the row credits, with their profession: the reading's taker, or the review's author.
    profession: str = ""

    @property
    def coded(self) -> bool:
        return bool(self.code)

    def cells(self) -> tuple[str, str, str, str, str, str]:
        return (
            self.code,
            self.term,
            self.value,
            self.unit,
            self.day.strftime("%d/%m/%Y"),
            self.clinician,
        )


def coded_rows(person: PersonRecord) -> list[CodedRow]:
    """The person's coded summary, in the order it happened: readings, findings, scores."""
    clinician = person.responsible_clinician
    rows = [_measurement_row(m, person) for m in _ordered(person.session_measurements)]
    rows += _review_rows(person)
    rows += _finding_rows(person)
    rows += [
        row
        for response in person.responses
        if (row := _score_row(response, person.info.day, clinician)) is not None
    ]
    rows += _community_rows(person, clinician)
    return rows


def _community_rows(person: PersonRecord, clinician: str) -> list[CodedRow]:
    # Signposting is coded only where community.toml confirms a code; today it is text only.
    # A carer's own wellbeing appears here only in the carer's own record.

    rows = []
    for signpost, entry in person.signposts:
        code, term = coded_term(signpost, entry)
        rows.append(
            CodedRow("signposting", signpost.kind, code, term, "", "", person.info.day, clinician)
        )
    for visit in person.carer_visits:
        if visit.swemwbs_score is not None:
            metric = swemwbs_metric(visit.swemwbs_score)
            value = f"{metric:.2f}" if metric else str(visit.swemwbs_score)
            term = "Carer's wellbeing: Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)"
            day = person.info.day
            row = CodedRow("carer", "swemwbs", "", term, value, "score", day, clinician)
            rows.append(row)
    return rows


def as_tsv(rows: list[CodedRow], *, header: bool = True) -> str:
    """Tab-separated text for the clipboard: pastes cell by cell into a GP-system template."""
    lines = ["\t".join(COLUMNS)] if header else []
    lines += ["\t".join(_cell(text) for text in row.cells()) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def clipboard_text(person: PersonRecord) -> str:
    """The coded summary for the clipboard, led by whose it is (name, NHS number, date of
    birth), so it cannot be pasted silently into another person's record."""

    patient = person.patient
    who = [
        f"Name\t{_cell(patient.full_name)}",
        f"NHS number\t{format_nhs_number(patient.nhs_number)}",
        f"Date of birth\t{patient.date_of_birth:%d/%m/%Y}",
    ]
    return "\r\n".join(who) + "\r\n" + as_tsv(coded_rows(person))


def _cell(text: str) -> str:
    # A tab or line break inside a value would shift every cell after it; a cell that starts
    # like a formula is kept as text.
    return safe_cell(" ".join(text.split()))


def _ordered(measurements: tuple[Measurement, ...]) -> list[Measurement]:
    order = {key: index for index, key in enumerate(catalogue().keys())}
    return sorted(measurements, key=lambda m: (m.taken_at, order.get(m.type_key, 99), m.id or 0))


def bmi_from_earlier_height(person: PersonRecord) -> bool:
    """True when the session's BMI was worked out with a height from before this session."""
    keys = {m.type_key for m in person.session_measurements}
    return "bmi" in keys and "height" not in keys


# The source of a BMI worked out from this session's weight and an earlier height.
EARLIER_HEIGHT = "calculated_with_earlier_height"


def _measurement_row(m: Measurement, person: PersonRecord) -> CodedRow:
    # One attribution: whoever took the reading, as the FHIR Observation.performer says.
    clinician = person.staff_name(m.taken_by)
    profession = person.profession_of(m.taken_by)
    mtype = catalogue().get(m.type_key)
    code = mtype.snomed_code if (mtype.snomed_confirmed and mtype.snomed_code) else ""
    term = (mtype.snomed_term if code else None) or mtype.label
    source = m.source.value
    if m.type_key == "bmi" and bmi_from_earlier_height(person):
        source = EARLIER_HEIGHT
    return CodedRow(
        kind="measurement",
        key=m.type_key,
        code=code or "",
        term=term,
        value=f"{m.value:.{mtype.decimals}f}",
        unit=mtype.unit,
        # The session's day in the practice's time zone, not the UTC date it was typed.
        day=person.info.clinical_time(m.taken_at).date(),
        clinician=clinician,
        source=source,
        flag=flag(person, m.type_key, m.value) or "",
        profession=profession if clinician else "",
    )


def _review_rows(person: PersonRecord) -> list[CodedRow]:
    """One row per professional's review: who, which profession, and how long. No code is
    confirmed for it, so the row is text for the GP system."""
    rows = []
    for review in person.reviews:
        profession = person.profession_of(review.author_id, review.profession)
        rows.append(
            CodedRow(
                kind="review",
                key=profession,
                code="",
                term=f"Group consultation one-to-one review ({profession})",
                value=str(review.minutes) if review.minutes else "",
                unit="min" if review.minutes else "",
                # The session's day in the practice's time zone, as every clinical date is.
                day=person.info.day,
                clinician=person.staff_name(review.author_id),
                source="in_session",
                profession=profession,
            )
        )
    return rows


def _finding_rows(person: PersonRecord) -> list[CodedRow]:
    # Each professional's findings, credited to that review's author.
    confirmed = {f.code for f in person.info.coded_findings if f.confirmed and f.code}
    day = person.info.day
    rows = []
    for review in person.reviews:
        author = person.staff_name(review.author_id)
        profession = person.profession_of(review.author_id, review.profession)
        for finding in review.findings or []:
            code = str(finding.get("code") or "")
            rows.append(
                CodedRow(
                    kind="finding",
                    key=str(finding.get("term", "")),
                    code=code if code in confirmed else "",
                    term=str(finding.get("term", "")),
                    value="",
                    unit="",
                    day=day,
                    clinician=author,
                    source="in_session",
                    profession=profession,
                )
            )
    return rows


def _score_row(response: QuestionnaireResponse, day: date, clinician: str) -> CodedRow | None:
    if not response.complete or response.score is None:
        return None
    q = questionnaire(response.questionnaire_key)
    if q.scoring == "choice":
        # A rating such as "Very good" reads better than its position on the scale.
        value, unit = score_answers(q.key, response.answers or {}).label, ""
    elif q.scoring == "sum_then_bands":  # PHQ-9, GAD-7: the total with its published band
        value, unit = score_answers(q.key, response.answers or {}).label, "score"
    elif q.key == "swemwbs":
        value, unit = f"{response.score:.2f}", "score"
    else:
        value, unit = f"{response.score:g}", "min/week" if q.key == "activity" else "score"
    return CodedRow(
        kind="score",
        key=response.questionnaire_key,
        code="",  # no confirmed code for these instruments in the reference notes
        term=q.title,
        value=value,
        unit=unit,
        day=day,
        clinician=clinician,
        source="self_reported",
    )
