"""One CSV file per session, one row per coded-summary item, for practices that bulk-load.

The columns are a stable contract, documented in docs/export-formats.md: new columns may be added
at the end in a later version, existing ones are never renamed, removed or reordered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from groupclinic_desktop import __version__
from groupclinic_desktop.core.joining import record_words
from groupclinic_desktop.core.schema import AttendanceStatus
from groupclinic_desktop.core.spreadsheet import safe_cell
from groupclinic_desktop.core.views.session_record import PersonRecord
from groupclinic_desktop.export.coded_summary import CodedRow, coded_rows
from groupclinic_desktop.export.fhir import settings

CSV_COLUMNS = (
    "session_date",
    "session_id",
    "session_uid",
    "programme",
    "ods_code",
    "nhs_number",
    "family_name",
    "given_name",
    "date_of_birth",
    "item_kind",
    "item_key",
    "snomed_code",
    "term",
    "value",
    "unit",
    "effective_date",
    "clinician",
    "source",
    "export_version",
    "is_correction",
    "interpretation",
    "app_version",
    "author",
    "author_profession",
)


def session_csv(people: Sequence[PersonRecord], versions: Mapping[int, int]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel shows "kg/m²" and accented names), comma-
    separated, CRLF line ends, header row first. No cell can run as a formula (OWASP).

    Each person's rows start with their attendance: attended, or did not attend (then it is
    their only row). `versions` gives each person's export version; missing people are 1.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for person in people:
        info = person.info
        patient = person.patient
        version = versions.get(person.patient_id, 1)
        for row in [attendance_row(person), *coded_rows(person)]:
            if person.attendance.status == AttendanceStatus.DID_NOT_ATTEND and row.kind != (
                "attendance"
            ):
                continue
            cells = (
                info.day.isoformat(),
                info.session_id,
                info.session.uid,
                info.programme_name,
                info.ods_code,
                patient.nhs_number,
                patient.family_name,
                patient.given_name,
                patient.date_of_birth.isoformat(),
                row.kind,
                row.key,
                row.code,
                row.term,
                row.value,
                row.unit,
                row.day.isoformat(),
                row.clinician,
                row.source,
                version,
                "true" if version > 1 else "false",
                row.flag,
                __version__,
                row.clinician,
                row.profession,
            )
            writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def attendance_row(person: PersonRecord) -> CodedRow:
    """Attended the group consultation, or did not: text only (no confirmed code)."""

    attended = person.attendance.status != AttendanceStatus.DID_NOT_ATTEND
    entry = settings()["attendance"]["attended" if attended else "did_not_attend"]
    code = entry["code"] if entry.get("confirmed") else ""
    # The channel in text (in person, by video, by telephone): there is no code for it.
    term = f"{entry['text']} {record_words(person.attendance)}" if attended else entry["text"]
    return CodedRow(
        kind="attendance",
        key=person.attendance.status.value,
        code=code,
        term=term,
        value="",
        unit="",
        day=person.info.day,
        clinician=person.responsible_clinician,
        source="in_session",
    )
