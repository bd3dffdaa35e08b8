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
    assert len(written) == 19
    assert run.stdout.count("wrote ") == 19
    assert "exported notes for 9 people (pdf, fhir, csv)" in run.stdout
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
