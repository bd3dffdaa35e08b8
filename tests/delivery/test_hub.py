"""A hub and its member practices: a registered practice on every person, from the cohort import
and in the person's details, and exports written per registered practice."""

import json
import subprocess
from pathlib import Path

import pytest

from groupclinic_desktop.core import cohort
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import OrganisationKind
from tests.delivery.conftest import BROOKSIDE, HILLSIDE
from tests.export.conftest import sign_in


def test_a_single_practice_is_its_own_member_and_everyone_is_registered_there(
    demo: Clinic,
) -> None:
    practice = demo.organisation()
    assert practice is not None and practice.kind == OrganisationKind.PRACTICE
    assert [m.ods_code for m in demo.member_practices()] == [practice.ods_code]
    assert {p.registered_ods for p in demo.patients()} == {practice.ods_code}
    with demo.acting_as(SYSTEM):
        added = demo.add_patient("9999999468", "Ann", "New", "1950-01-01")
    assert added.registered_ods == practice.ods_code


def test_a_registered_practice_must_be_a_member_and_the_change_is_audited(hub) -> None:  # type: ignore[no-untyped-def]
    clinic, _, split = hub
    patient_id = split[HILLSIDE[0]][0]
    before = len(clinic.audit_entries())
    refused = pytest.raises(InvalidInput, match="Registered practice: 'Y11111'")
    with clinic.acting_as(SYSTEM), refused:
        clinic.update_patient_details(patient_id, registered_ods="Y11111")
    assert clinic.patient(patient_id).registered_ods == HILLSIDE[0]
    assert len(clinic.audit_entries()) == before
    with clinic.acting_as(SYSTEM):
        clinic.update_patient_details(patient_id, registered_ods=BROOKSIDE[0])
    assert clinic.patient(patient_id).registered_ods == BROOKSIDE[0]
    last = clinic.audit_entries()[-1]
    assert last.patient_id == patient_id
    assert (last.before or {})["registered_ods"] == HILLSIDE[0]
    assert (last.after or {})["registered_ods"] == BROOKSIDE[0]
    # A hub serves several practices, so a new person needs one named.
    needed = pytest.raises(InvalidInput, match="Registered practice: required")
    with clinic.acting_as(SYSTEM), needed:
        clinic.add_patient("9999999468", "Ann", "New", "1950-01-01")


def test_cohort_import_reads_the_practice_column_and_refuses_a_non_member_row(
    hub, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    clinic, _, _ = hub
    path = tmp_path / "search.csv"
    path.write_text(
        "NHS Number,Forename,Surname,Date of Birth,Practice Code\n"
        f"9999999468,Ann,New,01/01/1950,{HILLSIDE[0]}\n"
        "9999999476,Bob,Elsewhere,02/02/1951,Y12345\n"
        f"9999999484,Cy,Next,03/03/1952,{BROOKSIDE[0].lower()}\n",
        encoding="utf-8",
    )
    source = cohort.read_csv(path)
    assert "registered_practice" in cohort.recognise(source.headers)
    patients_before = len(clinic.patients())
    programme = clinic.programmes()[0].id
    with clinic.acting_as(SYSTEM):
        outcome = clinic.import_cohort_file(source, programme)  # type: ignore[arg-type]
    assert outcome.result is None  # refused whole, as for any other bad value
    (problem,) = outcome.check.problems
    assert problem.line == 3 and problem.column == "Practice Code"
    assert "Y12345 is not a member practice here" in problem.reason
    assert len(clinic.patients()) == patients_before
    with clinic.acting_as(SYSTEM):
        outcome = clinic.import_cohort_file(
            source, programme, valid_rows_only=True, rejected_to=tmp_path / "rej.csv"  # type: ignore[arg-type]
        )
    assert outcome.result is not None and outcome.result.created == 2
    by_nhs = {p.nhs_number: p.registered_ods for p in clinic.patients()}
    assert by_nhs["9999999468"] == HILLSIDE[0]
    assert by_nhs["9999999484"] == BROOKSIDE[0]
    assert "9999999476" not in by_nhs


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_batch_export_writes_one_folder_per_registered_practice(hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.core.schema import Role
    from groupclinic_desktop.export.batch import export_session

    clinic, session_id, split = hub
    sign_in(clinic, Role.ADMIN)
    out = tmp_path / "gp-records"
    export_session(clinic, session_id, out)
    nhs = {p.id: p.nhs_number for p in clinic.patients()}
    hub_ods = clinic.organisation().ods_code  # type: ignore[union-attr]
    # The person who did not attend is still registered at the hub's own practice: their short
    # "did not attend" record goes to that practice's folder.
    assert sorted(p.name for p in out.iterdir()) == [HILLSIDE[0], BROOKSIDE[0], hub_ods]
    (dna,) = (out / hub_ods).glob("*.fhir.json")
    assert "Did not attend" in dna.read_text()
    for ods, name in (HILLSIDE, BROOKSIDE):
        folder = out / ods
        theirs = {nhs[pid] for pid in split[ods]}
        bundles = [json.loads(p.read_text()) for p in folder.glob("*.fhir.json")]
        assert len(bundles) == len(theirs) == len(list(folder.glob("*.pdf")))
        for bundle in bundles:
            resources = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
            composition = bundle["entry"][0]["resource"]
            (patient,) = [r for r in resources.values() if r["resourceType"] == "Patient"]
            assert patient["identifier"][0]["value"] in theirs
            custodian = resources[composition["custodian"]["reference"]]
            assert custodian["identifier"][0]["value"] == ods and custodian["name"] == name
            authors = [resources[a["reference"]] for a in composition["author"]]
            orgs = [a for a in authors if a["resourceType"] == "Organization"]
            assert [o["identifier"][0]["value"] for o in orgs] == [hub_ods]
        (csv_file,) = folder.glob("*.csv")
        table = csv_file.read_text()
        others = {nhs[pid] for o, ids in split.items() if o != ods for pid in ids}
        assert all(n in table for n in theirs) and not any(n in table for n in others)
        text = _pdf_text(next(folder.glob("*.pdf")))
        assert f"Registered practice, which holds this record: {name} (ODS {ods})" in " ".join(
            text.split()
        )
    # The export log says, per person, where their notes went.
    for row in clinic.export_log(session_id):
        ods = next((o for o, ids in split.items() if row.patient_id in ids), hub_ods)
        assert row.destination is not None and row.destination.startswith(f"{ods}: ")
        assert row.destination.endswith(str(out / ods))


def test_the_registered_practice_is_chosen_in_the_persons_details(qtbot, hub) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.ui.patient_details import PatientDetailsDialog

    clinic, _, split = hub
    patient_id = split[HILLSIDE[0]][0]
    with clinic.acting_as(SYSTEM):
        dialog = PatientDetailsDialog(clinic, patient_id)
        qtbot.addWidget(dialog)
        choices = [dialog.registered.itemText(i) for i in range(dialog.registered.count())]
        assert f"{BROOKSIDE[1]} ({BROOKSIDE[0]})" in choices
        assert dialog.registered.currentData() == HILLSIDE[0]
        dialog.registered.setCurrentIndex(dialog.registered.findData(BROOKSIDE[0]))
        dialog.save()
    assert clinic.patient(patient_id).registered_ods == BROOKSIDE[0]
    assert clinic.audit_entries()[-1].action == "update"


def test_a_hub_is_set_up_from_the_command_line(demo_dir: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    from groupclinic_desktop import cli

    def main(args: list[str]) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))  # the admin's PIN
        return cli.main(args)

    assert main(["--data-dir", str(demo_dir), "practices"]) == 2, "an admin signs in first"
    base = ["--data-dir", str(demo_dir), "--user", "Alex Turner", "--pin-stdin", "practices"]
    assert main([*base, "--kind", "hub", "--pcn", "u99990"]) == 0
    assert main([*base, "add", HILLSIDE[0], "--name", HILLSIDE[1]]) == 0
    out = capsys.readouterr().out
    assert "(Y99999): hub, PCN U99990" in out and f"member {HILLSIDE[0]} {HILLSIDE[1]}" in out
    assert main([*base, "add", "not an ods", "--name", "X"]) == 1
    assert "Member practice ODS code: 'NOT AN ODS' is not an ODS code." in capsys.readouterr().err
    with Clinic.open(demo_dir, create=False) as clinic:
        assert {m.ods_code for m in clinic.member_practices()} == {"Y99999", HILLSIDE[0]}
        assert clinic.organisation().kind == OrganisationKind.HUB  # type: ignore[union-attr]


def test_someone_added_on_the_day_in_a_hub_is_registered_at_a_member_practice(hub) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.core.schema import SessionStatus
    from groupclinic_desktop.core.validation import nhs_check_digit

    clinic, _, _ = hub
    nhs = "999000231" + str(nhs_check_digit("999000231"))
    with clinic.acting_as(SYSTEM):
        planned = next(s for s in clinic.sessions() if s.status == SessionStatus.PLANNED)
        clinic.start_session(planned.id)  # type: ignore[arg-type]
        before = len(clinic.patients())
        with pytest.raises(InvalidInput, match="Registered practice: required"):
            clinic.add_new_drop_in(planned.id, nhs, "Ada", "Lovell", "1960-01-02")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="Surname"):
            clinic.add_new_drop_in(
                planned.id, nhs, "Ada", "L" * 101, "1960-01-02", registered_ods=HILLSIDE[0]  # type: ignore[arg-type]
            )
        assert len(clinic.patients()) == before, "a refused person leaves nothing behind"
        added = clinic.add_new_drop_in(
            planned.id, nhs, "Ada", "Lovell", "1960-01-02", registered_ods=HILLSIDE[0]  # type: ignore[arg-type]
        )
    assert added.registered_ods == HILLSIDE[0] and added.added_on_day is not None
