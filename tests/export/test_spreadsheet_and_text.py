"""Spreadsheets that cannot run formulas, a clipboard text that names its person, PDF codes and
values that never wrap, and file names every system accepts."""

from __future__ import annotations

import csv
import io
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.community import resources_csv_text
from groupclinic_desktop.core.invitations import write_batch_messaging_csv
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.core.spreadsheet import safe_cell
from groupclinic_desktop.core.views.session_record import build_session_record
from groupclinic_desktop.export.batch import export_session, safe_file_stem, safe_surname
from groupclinic_desktop.export.coded_summary import clipboard_text, coded_rows
from groupclinic_desktop.export.csv_export import session_csv
from groupclinic_desktop.export.notes_pdf import person_pdf

from .sessions import Built

HOSTILE = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_that_could_run_as_a_formula_is_kept_as_text(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Jones", "82.4", "-3.5", "0", "", "O'Neill", "kg/m²"])
def test_ordinary_cells_and_plain_numbers_are_left_alone(text: str) -> None:
    assert safe_cell(text) == text


def test_a_nul_saved_before_the_input_check_never_reaches_a_spreadsheet() -> None:
    assert safe_cell("Jo\x00nes") == "Jones"


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_session_csv_neutralises_formulas_in_every_cell(demo: Clinic, finished_id: int) -> None:
    person = build_session_record(demo, finished_id).people[0]
    hostile = person.patient.model_copy(
        update={"given_name": '=HYPERLINK("x")', "family_name": "@SUM(1)"}
    )
    rows = _rows(session_csv([replace(person, patient=hostile)], {}))  # type: ignore[list-item]
    header, body = rows[0], rows[1:]
    assert {r[header.index("given_name")] for r in body} == {'\'=HYPERLINK("x")'}
    assert {r[header.index("family_name")] for r in body} == {"'@SUM(1)"}
    for row in body:
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row)


def test_the_invitations_csv_neutralises_formulas_and_has_a_bom(
    demo: Clinic, tmp_path: Path
) -> None:
    planned = next(s for s in demo.sessions() if s.status == SessionStatus.PLANNED)
    with demo.acting_as(SYSTEM):
        person = demo.add_patient(
            "9990000212", "=1+2", "Zoë Ärmstrong", "1960-01-01", mobile="07700 900123"
        )
        demo.invite(planned.id, person.id)  # type: ignore[arg-type]
        write_batch_messaging_csv(demo, planned.id, tmp_path / "sms.csv")  # type: ignore[arg-type]
    rows = _rows((tmp_path / "sms.csv").read_bytes())
    names = [r[rows[0].index("Name")] for r in rows[1:]]
    assert "'=1+2 Zoë Ärmstrong" in names


def test_the_community_directory_export_neutralises_formulas() -> None:
    entry = SimpleNamespace(
        name='=HYPERLINK("http://x")',
        kind="walking_group",
        offers="-1+1",
        when_where="\tTuesdays",
        contact="@me",
        organisation="Parish",
        active=True,
    )
    from groupclinic_desktop.core.community import CSV_COLUMNS

    for key in CSV_COLUMNS:
        setattr(entry, key, getattr(entry, key, ""))
    rows = list(csv.reader(io.StringIO(resources_csv_text([entry]))))
    cells = rows[1]
    assert '\'=HYPERLINK("http://x")' in cells and "'-1+1" in cells and "'@me" in cells
    assert "'\tTuesdays" in cells


def test_the_clipboard_starts_with_name_nhs_number_and_birth_date(
    demo: Clinic, finished_id: int
) -> None:
    person = build_session_record(demo, finished_id).people[0]
    lines = clipboard_text(person).split("\r\n")
    patient = person.patient
    nhs = patient.nhs_number
    assert lines[0] == f"Name\t{patient.full_name}"
    assert lines[1] == f"NHS number\t{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
    assert lines[2] == f"Date of birth\t{patient.date_of_birth:%d/%m/%Y}"
    assert lines[3].startswith("SNOMED CT code\tTerm\t")
    hostile = person.patient.model_copy(update={"given_name": "=cmd"})
    text = clipboard_text(replace(person, patient=hostile))  # type: ignore[arg-type]
    assert text.startswith("Name\t'=cmd ")


def _pdf_lines(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "notes.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_codes_values_units_and_dates_never_wrap_in_the_pdf(
    demo: Clinic, finished_id: int, built: Built, tmp_path: Path
) -> None:
    people = [
        *build_session_record(demo, finished_id).people,
        build_session_record(demo, built.session_id).person(built.full),  # every measurement type
    ]
    checked = 0
    for person in people:
        lines = _pdf_lines(
            person_pdf(person, generated_at=datetime.now(UTC), generated_by="Alex Turner"),
            tmp_path,
        )
        for row in coded_rows(person):
            code, _, value, unit, day, _ = row.cells()
            for whole in (code, value, unit, day):
                if whole:
                    assert any(whole in line for line in lines), (whole, person.patient.family_name)
                    checked += 1
    assert checked > 100
    # The long ones the old layout split: "1091811000000102", "mL/min/1.73m²", "mmol/mol".
    full = _pdf_lines(
        person_pdf(people[-1], generated_at=datetime.now(UTC), generated_by="A"), tmp_path
    )
    assert any("1091811000000102" in line for line in full)
    assert any("mL/min/1.73m²" in line for line in full)
    assert any("H (above target)" in line or "above target" in line for line in full)


@pytest.mark.parametrize(
    ("stem", "safe"),
    [
        ("CON", "CON_"),
        ("nul", "nul_"),
        ("COM1.txt", "COM1.txt_"),
        ("Smith. ", "Smith"),
        ("Lee", "Lee"),
    ],
)
def test_file_name_stems_are_safe_on_windows(stem: str, safe: str) -> None:
    assert safe_file_stem(stem) == safe


def test_a_250_character_surname_does_not_stop_the_export(demo: Clinic, tmp_path: Path) -> None:
    assert len(safe_surname("A" * 250)) <= 40
    assert safe_surname("Con") == "Con_"
    planned = next(s for s in demo.sessions() if s.status == SessionStatus.PLANNED)
    assert planned.id is not None
    with demo.acting_as(SYSTEM):
        person = demo.add_patient("9990000212", "Long", "Ñ" + "a" * 99, "1970-05-05")
    # Input now refuses names over 100 characters; a store written before that may still hold
    # one, so the surname is lengthened in the file itself.
    with demo.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE patient SET family_name = ? WHERE id = ?", ("Ñ" + "a" * 249, person.id)
        )
    with demo.acting_as(SYSTEM):
        demo.invite(planned.id, person.id)  # type: ignore[arg-type]
        demo.start_session(planned.id)
        demo.set_attendance(planned.id, person.id, "attended")  # type: ignore[arg-type]
        demo.finish_session(planned.id)
        result = export_session(demo, planned.id, tmp_path)
    assert result.files
    assert all(len(p.name.encode()) <= 120 for p in result.files)


def test_the_pdf_says_dna_carer_flags_and_a_bmi_from_an_earlier_height(
    demo: Clinic, built: Built, tmp_path: Path
) -> None:
    record = build_session_record(demo, built.session_id)

    def text(person) -> str:  # type: ignore[no-untyped-def]
        pdf = person_pdf(person, generated_at=datetime.now(UTC), generated_by="Alex Turner")
        return " ".join(_pdf_lines(pdf, tmp_path))

    full = text(record.person(built.full))
    assert "a carer was present" in full
    assert "H (above target)" in full
    assert "HH (red flag, high)" in text(record.person(built.red_flag))
    assert "Worked out from an earlier height" in text(record.person(built.earlier_height))
    (absent,) = [p for p in record.absent if p.patient_id == built.absent]
    dna = text(absent)
    assert "Did not attend the group consultation" in dna
    assert "Measurements" not in dna and "Coded summary" not in dna


def test_the_session_csv_carries_flags_dna_and_the_earlier_height(
    demo: Clinic, built: Built
) -> None:
    record = build_session_record(demo, built.session_id)
    rows = _rows(session_csv([*record.people, *record.absent], {}))
    header, body = rows[0], rows[1:]

    def cell(row: list[str], name: str) -> str:
        return row[header.index(name)]

    def of(pid: int) -> list[list[str]]:
        person = next(p for p in [*record.people, *record.absent] if p.patient_id == pid)
        return [r for r in body if cell(r, "nhs_number") == person.patient.nhs_number]

    systolic = [r for r in of(built.full) if cell(r, "item_key") == "systolic_bp"]
    assert [cell(r, "interpretation") for r in systolic] == ["H"]
    red = [r for r in of(built.red_flag) if cell(r, "item_key") == "systolic_bp"]
    assert [cell(r, "interpretation") for r in red] == ["HH"]
    bmi = [r for r in of(built.earlier_height) if cell(r, "item_key") == "bmi"]
    assert [cell(r, "source") for r in bmi] == ["calculated_with_earlier_height"]
    assert [cell(r, "item_kind") for r in of(built.absent)] == ["attendance"]
    day = record.info.day.isoformat()
    assert {cell(r, "effective_date") for r in body} == {day}
