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
from groupclinic_desktop.core.session_record import PersonRecord

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
    rows = [_measurement_row(m, clinician) for m in _ordered(person.session_measurements)]
    rows += _finding_rows(person, clinician)
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
    from groupclinic_desktop.export.community_notes import coded_term, swemwbs_metric

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


def _cell(text: str) -> str:
    # A tab or line break inside a value would shift every cell after it.
    return " ".join(text.split())


def _ordered(measurements: tuple[Measurement, ...]) -> list[Measurement]:
    order = {key: index for index, key in enumerate(catalogue().keys())}
    return sorted(measurements, key=lambda m: (m.taken_at, order.get(m.type_key, 99), m.id or 0))


def _measurement_row(m: Measurement, clinician: str) -> CodedRow:
    mtype = catalogue().get(m.type_key)
    code = mtype.snomed_code if (mtype.snomed_confirmed and mtype.snomed_code) else ""
    term = (mtype.snomed_term if code else None) or mtype.label
    return CodedRow(
        kind="measurement",
        key=m.type_key,
        code=code or "",
        term=term,
        value=f"{m.value:.{mtype.decimals}f}",
        unit=mtype.unit,
        day=m.taken_at.date(),
        clinician=clinician,
        source=m.source.value,
    )


def _finding_rows(person: PersonRecord, clinician: str) -> list[CodedRow]:
    if person.review is None:
        return []
    confirmed = {f.code for f in person.info.coded_findings if f.confirmed and f.code}
    day = person.info.day
    rows = []
    for finding in person.review.findings or []:
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
                clinician=clinician,
                source="in_session",
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
