"""`groupclinic export` from a terminal, as IT staff and scripts run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

ADMIN = ("Alex Turner", "9753")


def groupclinic(
    data_dir: Path, *args: str, user: tuple[str, str] | None = ADMIN
) -> subprocess.CompletedProcess[str]:
    """`groupclinic --data-dir DIR [--user NAME --pin-stdin] ARGS`, the PIN on standard input."""
    sign_in = ["--user", user[0], "--pin-stdin"] if user else []
    return subprocess.run(
        [
            sys.executable, "-m", "groupclinic_desktop.cli", "--data-dir", str(data_dir),
            *sign_in, *args,
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        input=f"{user[1]}\n" if user else "",
    )


def test_the_latest_finished_session_exports_to_pdf_fhir_and_csv(
    demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gp-record"
    run = groupclinic(
        demo_dir, "export", "--session", "latest", "--format", "pdf,fhir,csv", "--out", str(out)
    )
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 21  # nine who came and one DNA, a PDF and a bundle each; the CSV
    assert run.stdout.count("wrote ") == 21
    assert "exported notes for 10 people (pdf, fhir, csv)" in run.stdout
    for path in out.glob("*.fhir.json"):
        Bundle.model_validate(json.loads(path.read_text()))
    assert all(path.read_bytes().startswith(b"%PDF") for path in out.glob("*.pdf"))

    again = groupclinic(demo_dir, "export", "--session", "latest", "--out", str(out))
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0
    assert "already exported" in again.stderr
    assert sorted(p.name for p in out.iterdir()) == written


def test_bad_arguments_give_one_clear_line(demo_dir: Path, tmp_path: Path) -> None:
    run = groupclinic(demo_dir, "export", "--session", "99", "--out", str(tmp_path))
    assert run.returncode == 1
    assert run.stderr.strip() == "error: No session with id 99."
    run = groupclinic(
        demo_dir, "export", "--session", "latest", "--format", "pdf,docx", "--out", str(tmp_path)
    )
    assert run.returncode == 1
    assert "docx" in run.stderr and run.stderr.strip().count("\n") == 0


def test_export_needs_a_sign_in_and_an_admin(demo_dir: Path, tmp_path: Path) -> None:
    from groupclinic_desktop.core.clinic import Clinic

    out = tmp_path / "gp-record"
    nobody = groupclinic(demo_dir, "export", "--session", "latest", "--out", str(out), user=None)
    assert nobody.returncode == 2
    lines = nobody.stderr.strip().splitlines()
    assert len(lines) == 1 and "--user NAME" in lines[0] and "--pin-stdin" in lines[0]
    facilitator = groupclinic(
        demo_dir, "export", "--session", "latest", "--out", str(out), user=("Jo", "2468")
    )
    assert facilitator.returncode == 1
    assert "facilitator may not export" in facilitator.stderr
    wrong = groupclinic(
        demo_dir, "export", "--session", "latest", "--out", str(out), user=("Alex", "1111")
    )
    assert wrong.returncode == 1 and "PIN is not right" in wrong.stderr
    unknown = groupclinic(
        demo_dir, "export", "--session", "latest", "--out", str(out), user=("Nobody", "1111")
    )
    assert unknown.returncode == 1 and "no staff member" in unknown.stderr
    assert not out.exists()
    with Clinic.open(demo_dir, create=False) as clinic:
        admin = next(u for u in clinic.staff() if u.name == "Alex Turner")
        assert admin.failed_sign_ins == 1  # the wrong PIN counts towards lock-out
        assert clinic.export_log() == []


def test_a_signed_in_export_names_the_person_from_the_command_line(
    demo_dir: Path, tmp_path: Path
) -> None:
    import shutil

    from groupclinic_desktop.core.clinic import Clinic

    out = tmp_path / "gp-record"
    run = groupclinic(demo_dir, "export", "--session", "latest", "--format", "pdf", "--out",
                      str(out), user=("alex", "9753"))
    assert run.returncode == 0, run.stderr
    with Clinic.open(demo_dir, create=False) as clinic:
        exports = [e for e in clinic.audit_entries() if e.action == "export"]
        assert exports and {e.user_name for e in exports} == {"Alex Turner (command line)"}
    if shutil.which("pdftotext"):
        pdf = sorted(out.glob("*.pdf"))[0]
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "by Alex Turner (command line)" in text


def test_the_cli_holds_back_unsigned_on_behalf_notes_and_names_them(
    demo_dir: Path, tmp_path: Path
) -> None:
    from groupclinic_desktop.core.clinic import Actor, Clinic

    with Clinic.open(demo_dir, create=False) as clinic:
        (finished,) = [s for s in clinic.sessions() if s.status.value == "finished"]
        first = clinic.reviews(finished.id)[0]  # type: ignore[arg-type]
        jo = next(u for u in clinic.staff() if u.name == "Jo Morgan")
        gp = next(u for u in clinic.staff() if u.name == "Dr Priya Shah")
        # A review the facilitator documented for the GP, still unsigned (before it finished).
        with clinic.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE review SET documented_by_id = ?, on_behalf_of_id = ? WHERE id = ?",
                (jo.id, gp.id, first.id),
            )
        person = clinic.patient(first.patient_id).full_name
    out = tmp_path / "gp-record"
    run = groupclinic(demo_dir, "export", "--session", "latest", "--out", str(out))
    assert run.returncode == 1
    assert f"Held back: {person}: review written on behalf of Dr Priya Shah awaits" in run.stdout
    assert "exported notes for 8 people" in run.stdout
    with Clinic.open(demo_dir, create=False) as clinic, clinic.acting_as(
        Actor(gp.id, gp.name, gp.role)
    ):
        clinic.sign_review(first.id)  # type: ignore[arg-type]
    again = groupclinic(demo_dir, "export", "--session", "latest", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "exported notes for 1 people" in again.stdout
