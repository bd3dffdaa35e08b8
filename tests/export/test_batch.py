"""Batch export to a folder: names that sort, no overwrite, versions, the export log."""

import csv
import io
import json
from pathlib import Path

import pytest

from groupclinic_desktop import __version__
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import Role, SessionStatus
from groupclinic_desktop.core.views.session_record import build_session_record
from groupclinic_desktop.export.batch import export_session, export_unexported, safe_surname
from groupclinic_desktop.export.csv_export import CSV_COLUMNS

from .conftest import sign_in


def test_a_session_exports_one_pdf_and_bundle_per_attendee_and_one_csv(
    admin: Clinic, finished_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "to-file"
    result = export_session(admin, finished_id, out)
    names = sorted(p.name for p in out.iterdir())
    # Nine who came and one who did not attend (a short DNA record in every format).
    assert len([n for n in names if n.endswith(".pdf")]) == 10
    assert len([n for n in names if n.endswith(".fhir.json")]) == 10
    assert len([n for n in names if n.endswith(".csv")]) == 1
    assert len(names) == 21  # nothing else: no temporary files left behind
    assert sorted(p.name for p in result.files) == names
    day = admin.session(finished_id).day
    assert all(n.startswith(f"{day:%Y-%m-%d}_0001_") for n in names)
    # Surname then last four digits; sorted file names follow the surnames.
    stems = [n.removesuffix(".pdf") for n in names if n.endswith(".pdf")]
    record = build_session_record(admin, finished_id)
    people = [*record.people, *record.absent]
    expected = sorted(
        f"{day:%Y-%m-%d}_0001_{safe_surname(p.patient.family_name)}_{p.patient.nhs_number[-4:]}"
        for p in people
    )
    assert stems == expected
    assert any("_ONeill_0034" in n for n in names)  # no apostrophe in a file name


def test_the_export_log_records_who_what_and_when_and_the_session_becomes_exported(
    admin: Clinic, finished_id: int, tmp_path: Path
) -> None:
    export_session(admin, finished_id, tmp_path, ["pdf", "fhir"])
    log = admin.export_log(finished_id)
    assert len(log) == 10  # nine who came, one DNA
    alex = next(u for u in admin.staff() if u.name == "Alex Turner")
    assert {r.exported_by_id for r in log} == {alex.id}
    assert {r.formats for r in log} == {"pdf,fhir"}
    assert all(r.version == 1 and not r.is_correction for r in log)
    assert all(len(r.files or []) == 2 for r in log)
    assert admin.session(finished_id).status == SessionStatus.EXPORTED
    actions = [e.action for e in admin.audit_entries() if e.entity == "export_record"]
    assert actions.count("export") == 10


def test_admin_marks_people_filed_and_sees_who_is_outstanding(
    admin: Clinic, finished_id: int, tmp_path: Path
) -> None:
    assert len(admin.outstanding_filing(finished_id)) == 9  # nobody exported yet
    export_session(admin, finished_id, tmp_path)
    first, second = admin.export_log(finished_id)[:2]
    admin.mark_filed(first.id)  # type: ignore[arg-type]
    admin.mark_filed(second.id)  # type: ignore[arg-type]
    outstanding = admin.outstanding_filing(finished_id)
    assert len(outstanding) == 7
    assert first.patient_id not in {p.id for p in outstanding}
    filed = next(r for r in admin.export_log(finished_id) if r.id == first.id)
    assert filed.filed_at is not None


def test_only_an_admin_exports_or_marks_filed(
    demo: Clinic, finished_id: int, tmp_path: Path
) -> None:
    sign_in(demo, Role.FACILITATOR)
    with pytest.raises(NotAllowed):
        export_session(demo, finished_id, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with demo.acting_as(SYSTEM):
        export_session(demo, finished_id, tmp_path / "ok")
    record = demo.export_log(finished_id)[0]
    with pytest.raises(NotAllowed):
        demo.mark_filed(record.id)  # type: ignore[arg-type]


def test_existing_files_are_never_overwritten(
    admin: Clinic, finished_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    day = admin.session(finished_id).day
    person = build_session_record(admin, finished_id).people[0]
    stem = f"{day:%Y-%m-%d}_0001_{person.patient.family_name}_{person.patient.nhs_number[-4:]}"
    clash = out / f"{stem}.pdf"
    clash.write_bytes(b"the practice's own file")
    with pytest.raises(InvalidInput, match="already there; nothing was written"):
        export_session(admin, finished_id, out)
    assert [p.name for p in out.iterdir()] == [clash.name]
    assert clash.read_bytes() == b"the practice's own file"
    assert admin.export_log(finished_id) == []


def test_exporting_twice_is_refused_until_there_is_a_correction(
    admin: Clinic, finished_id: int, tmp_path: Path
) -> None:
    export_session(admin, finished_id, tmp_path)
    with pytest.raises(InvalidInput, match="already exported"):
        export_session(admin, finished_id, tmp_path)
    with pytest.raises(InvalidInput, match="nothing was corrected"):
        export_session(admin, finished_id, tmp_path, correction=True)

    person = build_session_record(admin, finished_id).people[2]
    with admin.acting_as(SYSTEM):
        admin.correct_review(
            finished_id, person.patient_id, "wrong drug named", notes="Corrected notes."
        )
    before = set(tmp_path.iterdir())
    result = export_session(admin, finished_id, tmp_path, correction=True)
    assert (result.people, result.corrections) == (1, 1)
    new = sorted(p.name for p in set(tmp_path.iterdir()) - before)
    stem = f"{admin.session(finished_id).day:%Y-%m-%d}_0001_"
    assert [n for n in new if not n.endswith(".csv")] == [
        f"{stem}{person.patient.family_name}_{person.patient.nhs_number[-4:]}-v2.fhir.json",
        f"{stem}{person.patient.family_name}_{person.patient.nhs_number[-4:]}-v2.pdf",
    ]
    assert f"{stem}session-v2.csv" in new
    latest = [r for r in admin.export_log(finished_id) if r.patient_id == person.patient_id]
    assert [(r.version, r.is_correction) for r in latest] == [(1, False), (2, True)]
    bundle = json.loads(next(p for p in tmp_path.glob("*-v2.fhir.json")).read_text())
    assert bundle["entry"][0]["resource"]["status"] == "amended"
    rows = list(csv.DictReader(io.StringIO((tmp_path / f"{stem}session-v2.csv").read_text())))
    assert {r["nhs_number"] for r in rows} == {person.patient.nhs_number}
    assert {(r["export_version"], r["is_correction"]) for r in rows} == {("2", "true")}


def test_the_csv_has_the_documented_columns_and_one_row_per_item(
    admin: Clinic, finished_id: int, tmp_path: Path
) -> None:
    export_session(admin, finished_id, tmp_path, ["csv"])
    (path,) = tmp_path.glob("*.csv")
    # A UTF-8 byte-order mark first, so Excel reads "kg/m²" and accented names right.
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert tuple(header) == CSV_COLUMNS
    docs = (Path(__file__).parents[2] / "docs" / "export-formats.md").read_text()
    assert all(f"`{column}`" in docs for column in CSV_COLUMNS)
    record = build_session_record(admin, finished_id)
    people = [*record.people, *record.absent]
    assert {r[header.index("nhs_number")] for r in rows} == {p.patient.nhs_number for p in people}
    bp = [r for r in rows if r[header.index("item_key")] == "systolic_bp"]
    assert len(bp) == 9 and {r[header.index("snomed_code")] for r in bp} == {"72313002"}
    # Everyone's attendance is a row; the person who did not attend has that row only.
    kinds = [(r[header.index("nhs_number")], r[header.index("term")]) for r in rows]
    (absent,) = record.absent
    assert [t for n, t in kinds if n == absent.patient.nhs_number] == [
        "Did not attend group consultation"
    ]
    for person in record.people:
        # The channel of attendance in words: everyone here was in the room.
        assert (person.patient.nhs_number, "Attended group consultation in person") in kinds
    assert {r[header.index("app_version")] for r in rows} == {__version__}
    assert "kg/m²" in path.read_text(encoding="utf-8-sig")


def test_every_unexported_session_goes_in_one_action(
    admin: Clinic, finished_id: int, tmp_path: Path
) -> None:
    results = export_unexported(admin, tmp_path)
    assert [r.session_id for r in results] == [finished_id]
    assert export_unexported(admin, tmp_path) == []
