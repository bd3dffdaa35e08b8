"""Cohort files that used to fail or crash: EMIS's shared blood pressure date, ignored columns,
a huge cell, and bad mapping files (issue 21, points 7 and 8)."""

import subprocess
import sys
from pathlib import Path

import pytest

from groupclinic_desktop.core import cohort
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput

EMIS_BP = (
    "NHS number,First name,Surname,DOB,Systolic BP,Diastolic BP,BP Date\n"
    "9990200009,Ann,Lee,01/01/1960,142,88,01/06/2026\n"
    "9990200017,Ray,Kay,01/01/1961,128,79,02/06/2026\n"
)


def test_emis_systolic_diastolic_and_one_shared_bp_date_are_recognised(demo: Clinic) -> None:
    source = cohort.read_text(EMIS_BP)
    mapping = cohort.recognise(source.headers)
    assert cohort.mapping_problems(mapping) == []
    result = cohort.check(source, mapping)
    assert result.ok and len(result.rows) == 2
    first = {r.key: (r.value, r.taken_on.isoformat(), r.reading) for r in result.rows[0].results}
    assert first["systolic_bp"] == (142, "2026-06-01", 1)
    assert first["diastolic_bp"] == (88, "2026-06-01", 1)
    with demo.acting_as(SYSTEM):
        written = demo.import_cohort(result.rows, demo.programmes()[0].id)
    assert written.created == 2
    person = demo.patient_by_nhs_number("9990200009")
    bp = [m for m in demo.measurements() if m.patient_id == person.id and "bp" in m.type_key]
    assert sorted(m.value for m in bp) == [88, 142]


def test_an_impossible_value_in_the_shared_layout_is_refused_with_its_row(demo: Clinic) -> None:
    text = EMIS_BP + "9990200025,Bo,Day,01/01/1962,1200,80,03/06/2026\n"
    result = cohort.check(cohort.read_text(text))
    assert result.rejected_lines == [4]
    (problem,) = result.problems
    assert problem.column == "Systolic BP" and problem.value == "1200"


def test_an_ignored_column_is_named_with_its_unchecked_values(tmp_path: Path) -> None:
    text = EMIS_BP + "9990200025,Bo,Day,01/01/1962,1200,80,03/06/2026\n"
    source = cohort.read_text(text)
    mapping = cohort.recognise(source.headers, {"Systolic BP": "", "Diastolic BP": "",
                                                "BP Date": ""})
    result = cohort.check(source, mapping)
    assert result.ok  # nothing stops the import of names and dates of birth...
    report = result.report()
    # ...but the report says which values were not checked, so 1200 mmHg never passes unseen.
    assert "Not checked and not imported" in report
    assert "column 'Systolic BP': 3 value(s), on rows 2, 3, 4" in report
    assert "column 'BP Date': 3 value(s)" in report


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    # Signed in as the demo's admin (patient-data commands need a sign-in).
    return subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(data_dir),
         "--user", "Alex Turner", "--pin-stdin", *args],
        capture_output=True, text=True, env=dict(os.environ), timeout=120, check=False,
        input="9753\n",
    )


def test_a_200000_character_cell_gets_one_line_and_exit_1(demo_dir: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text(
        "NHS number,First name,Surname,DOB\n" f"9990200009,{'A' * 200_000},Lee,01/01/1960\n"
    )
    with pytest.raises(InvalidInput, match="far too long"):
        cohort.read_csv(big)
    done = cli(demo_dir, "import-cohort", str(big), "--programme", "diabetes")
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: Cohort file: line") and "far too long" in line


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("malformed.toml", b'"NHS" = = "nhs_number"\n', "not valid TOML"),
        ("binary.csv", bytes(range(256)) * 4, "not a text file"),
        ("missing.csv", None, "no such file"),
        ("one-column.csv", b"Patient NHS\nSurname\n", "line 1 has no target"),
        ("latin.csv", "Prénom,given_name\n".encode("latin-1"), "not a text file in UTF-8"),
        ("empty.csv", b"\n", "maps no columns"),
    ],
)
def test_bad_mapping_files_get_one_line_and_exit_1(
    demo_dir: Path, tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    mapping = tmp_path / name
    if content is not None:
        mapping.write_bytes(content)
    with pytest.raises(InvalidInput, match=reason):
        cohort.parse_mapping_file(mapping)
    source = tmp_path / "cohort.csv"
    source.write_text(EMIS_BP)
    done = cli(demo_dir, "import-cohort", str(source), "--programme", "diabetes",
               "--mapping", str(mapping))
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: Mapping file:") and reason in line
