"""Every command that reads or changes patient data needs a staff sign-in before it runs; the
commands that touch none do not."""

import io
from pathlib import Path

import pytest

from groupclinic_desktop.cli import main
from groupclinic_desktop.core.clinic import Clinic

NEEDS_SIGN_IN = {
    "export": ["export", "--session", "latest", "--out", "{tmp}/out"],
    "import-cohort": ["import-cohort", "{tmp}/people.csv", "--programme", "diabetes"],
    "invitations": ["invitations", "--session", "2", "--out", "{tmp}/invites.csv"],
    "session-pack": ["session-pack", "--session", "2", "--out", "{tmp}/pack.pdf"],
    "outcomes": ["outcomes", "--programme", "Type 2 diabetes group clinic"],
    "restore": ["restore", "{tmp}/backup.db"],
    "recover": ["recover"],
    "audit export": ["audit", "export", "--out", "{tmp}/audit.csv"],
    "sync": ["sync", "--once"],
    "sync set-up": ["sync", "--url", "http://127.0.0.1:9", "--token-stdin"],
    "plan show": ["plan", "show", "--patient", "9990000018"],
    "plan update": ["plan", "update", "--patient", "9990000018", "--what-matters", "x"],
    "due": ["due"],
}


def args(template: list[str], tmp: Path) -> list[str]:
    return [part.format(tmp=tmp) for part in template]


@pytest.mark.parametrize("command", sorted(NEEDS_SIGN_IN))
def test_without_a_sign_in_one_line_says_what_to_add_and_nothing_happens(
    command: str, demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        audit_before = len(clinic.audit_entries())
    status = main(["--data-dir", str(demo_dir), *args(NEEDS_SIGN_IN[command], tmp_path)])
    err = capsys.readouterr().err
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "--user NAME" in lines[0], err
    assert not any(tmp_path.glob("out*")) and not (tmp_path / "audit.csv").exists()
    with Clinic.open(demo_dir, create=False) as clinic:
        assert len(clinic.audit_entries()) == audit_before


@pytest.mark.parametrize(
    "command", [["check"], ["backup", "--to", "{tmp}/copy.db"], ["sync", "--status"],
                ["audit", "verify"]],
)
def test_commands_that_touch_no_patient_data_need_no_sign_in(
    command: list[str], demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--data-dir", str(demo_dir), *args(command, tmp_path)])
    assert status in (0, 1)  # sync --status says 1 while events wait
    assert "--user" not in capsys.readouterr().err


def test_a_co_facilitator_can_not_export_the_audit_trail(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n"))
    status = main(["--data-dir", str(demo_dir), "--user", "Sam Reid", "--pin-stdin",
                   "audit", "export", "--out", str(tmp_path / "audit.csv")])
    assert status == 1
    assert "A co-facilitator may not do this (export)" in capsys.readouterr().err
    assert not (tmp_path / "audit.csv").exists()


def test_an_ambiguous_name_is_refused_naming_the_matches(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
    status = main(["--data-dir", str(demo_dir), "--user", "a", "--pin-stdin", "outcomes",
                   "--programme", "Type 2 diabetes group clinic"])
    assert status == 1
    err = capsys.readouterr().err
    assert "matches more than one staff member" in err and "Alex Turner" in err


def test_on_a_terminal_the_pin_is_asked_without_echo(demo_dir: Path, tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys
    import time

    main_fd, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(demo_dir), "--user",
         "Alex Turner", "audit", "export", "--out", str(tmp_path / "audit.csv")],
        stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True,
        env=dict(os.environ),
    )
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 60
    while b"PIN for Alex Turner:" not in seen and time.monotonic() < deadline:
        seen += os.read(main_fd, 1024)
    os.write(main_fd, b"9753\n")
    assert process.wait(60) == 0
    while True:
        try:
            chunk = os.read(main_fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(main_fd)
    assert b"PIN for Alex Turner:" in seen
    assert b"9753" not in seen  # the PIN is never echoed
    assert (tmp_path / "audit.csv").exists()
