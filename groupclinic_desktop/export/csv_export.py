"""One CSV file per session, one row per coded-summary item, for practices that bulk-load.

The columns are a stable contract, documented in docs/export-formats.md: new columns may be added
at the end in a later version, existing ones are never renamed, removed or reordered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from groupclinic_desktop.core.session_record import PersonRecord
from groupclinic_desktop.export.coded_summary import coded_rows

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
    "author",
    "author_profession",
)


def session_csv(people: Sequence[PersonRecord], versions: Mapping[int, int]) -> bytes:
    """UTF-8 CSV (no byte-order mark), comma-separated, CRLF line ends, header row first.

    `versions` gives each person's export version; people missing from it are version 1.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for person in people:
        info = person.info
        patient = person.patient
        version = versions.get(person.patient_id, 1)
        for row in coded_rows(person):
            writer.writerow(
                (
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
                    row.clinician,
                    row.profession,
                )
            )
    return buffer.getvalue().encode("utf-8")
