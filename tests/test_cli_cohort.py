"""`groupclinic import-cohort`, `session-pack` and `invitations`: a real process, a real store."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

KEY = "7" * 64
FIXTURES = Path(__file__).parent / "fixtures" / "cohort"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a command signed in as the demo admin (PIN on standard input)."""
    env = {**os.environ, "GROUPCLINIC_DB_KEY": KEY}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(
        [
            sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(data_dir),
            "--user", "Alex Turner", "--pin-stdin", *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        input="9753\n",
    )


@pytest.fixture(scope="module")
def cli_demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-cohort") / "store"
    assert run(folder, "demo").returncode == 0
    return folder


@pytest.fixture
def store(cli_demo_store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(cli_demo_store, target, ignore=shutil.ignore_patterns("backups", "*.lock"))
    return target


def test_bad_row_refuses_the_file_names_the_row_and_exits_non_zero(store: Path) -> None:
    result = run(
        store,
        "import-cohort",
        str(FIXTURES / "emis_500_one_bad_row.csv"),
        "--programme",
        "DIABETES",
    )
    assert result.returncode == 1, result.stderr
    assert "Row 318, column 'NHS Number'" in result.stdout
    assert "Nothing was imported" in result.stdout
    assert "Traceback" not in result.stderr


def test_valid_rows_only_imports_the_rest_but_still_exits_non_zero(
    store: Path, tmp_path: Path
) -> None:
    source = tmp_path / "search.csv"
    shutil.copy(FIXTURES / "emis_500_one_bad_row.csv", source)
    result = run(store, "import-cohort", str(source), "--programme", "diab", "--valid-rows-only")
    assert result.returncode == 1, result.stderr
    assert "499 new" in result.stdout
    assert (tmp_path / "search-rejected.csv").exists()


def test_import_then_reimport_then_pack_and_invitations(store: Path, tmp_path: Path) -> None:
    source = str(FIXTURES / "systmone_search.csv")
    first = run(store, "import-cohort", source, "--programme", "Type 2")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "12 new" in first.stdout
    again = run(store, "import-cohort", source, "--programme", "type 2")
    assert again.returncode == 0
    assert "0 new, 0 updated and 12 unchanged" in again.stdout
    assert "0 result(s) added" in again.stdout
    assert run(store, "check").returncode == 0

    pack = tmp_path / "pack.pdf"
    made = run(store, "session-pack", "--session", "2", "--out", str(pack))
    assert made.returncode == 0, made.stderr
    assert pack.read_bytes().startswith(b"%PDF")

    out = tmp_path / "invites.csv"
    letters = tmp_path / "letters.pdf"
    listed = run(
        store, "invitations", "--session", "2", "--out", str(out), "--letters", str(letters)
    )
    assert listed.returncode == 0, listed.stderr
    with out.open() as handle:
        assert next(csv.reader(handle)) == ["NHS number", "Date of birth", "Name", "Mobile"]
    assert "Invitations: invited" in listed.stdout


def test_programme_name_must_match_exactly_one(store: Path, tmp_path: Path) -> None:
    source = str(FIXTURES / "emis_search.csv")
    none = run(store, "import-cohort", source, "--programme", "asthma")
    assert none.returncode == 1
    assert none.stderr.strip().startswith("error: No programme name contains 'asthma'")
    missing = run(store, "import-cohort", str(tmp_path / "missing.csv"), "--programme", "diab")
    assert missing.returncode == 1 and "There is no file" in missing.stderr


def test_mapping_file_maps_unknown_columns(store: Path, tmp_path: Path) -> None:
    source = tmp_path / "odd.csv"
    source.write_text(
        "Patient identifier,Christian name,Surname,Born on\n9990200009,Chloe,Carver,27/01/1945\n"
    )
    refused = run(store, "import-cohort", str(source), "--programme", "diabetes")
    assert refused.returncode == 1 and "--mapping" in refused.stdout
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "Patient identifier,nhs_number\nChristian name,given_name\nBorn on,date_of_birth\n"
    )
    done = run(
        store, "import-cohort", str(source), "--programme", "diabetes", "--mapping", str(mapping)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 new" in done.stdout


def test_an_ambiguous_programme_name_is_refused(demo) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.commands.import_cohort import find_programme
    from groupclinic_desktop.core.clinic import SYSTEM
    from groupclinic_desktop.core.errors import InvalidInput

    with demo.acting_as(SYSTEM):
        demo.add_programme("type2_diabetes", "Type 2 diabetes evening group")
    with pytest.raises(InvalidInput, match="more than one programme"):
        find_programme(demo, "DIABETES")
    assert find_programme(demo, "evening").name == "Type 2 diabetes evening group"
