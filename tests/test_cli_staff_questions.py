"""The terminal's way to the protocol 3 settings: the signed-in clinician answers the staff
questions for themselves after `session finish`, and an admin sets a programme's usual
appointment minutes (a bad figure refused in one line naming the field, nothing changed)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.cli import main
from groupclinic_desktop.core.clinic import Clinic

JO = ["--user", "Jo Morgan", "--pin-stdin"]  # facilitator 2468
PRIYA = ["--user", "Dr Priya Shah", "--pin-stdin"]  # clinician (GP) 1357
ALEX = ["--user", "Alex Turner", "--pin-stdin"]  # admin 9753


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: Path,
        pin: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_staff_questions_and_usual_minutes_from_the_terminal(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        sid = str(clinic.sessions(day=date.today())[0].id)
        programme = clinic.programmes()[0]
    assert run(monkeypatch, capsys, demo_dir, "2468", *JO, "session", "start", "--session",
               sid)[0] == 0
    code, _, err = run(monkeypatch, capsys, demo_dir, "1357", *PRIYA, "session",
                       "staff-questions", "--session", sid, "--satisfying", "4")
    assert code == 1 and "once the session is finished" in err
    assert run(monkeypatch, capsys, demo_dir, "2468", *JO, "session", "finish", "--session",
               sid)[0] == 0
    code, _, err = run(monkeypatch, capsys, demo_dir, "1357", *PRIYA, "session",
                       "staff-questions", "--session", sid)
    assert code == 1 and "give at least one answer, or --skip" in err and "--workload N" in err
    code, out, _ = run(monkeypatch, capsys, demo_dir, "1357", *PRIYA, "session",
                       "staff-questions", "--session", sid, "--satisfying", "4",
                       "--time-well-used", "5")
    assert code == 0 and "2 answer(s) saved" in out and "not your name" in out

    code, out, err = run(monkeypatch, capsys, demo_dir, "9753", *ALEX, "programme",
                         "usual-minutes", "--programme", "diabetes", "--minutes", "200")
    assert code == 1
    assert "Usual appointment minutes: 200 is outside 1-120 minutes" in err
    code, out, _ = run(monkeypatch, capsys, demo_dir, "9753", *ALEX, "programme",
                       "usual-minutes", "--programme", "diabetes", "--minutes", "25")
    assert code == 0 and "25 minutes (the practice's own figure)" in out
    assert "Default: 20 minutes (our own figure" in out

    with Clinic.open(demo_dir, create=False) as clinic:
        after = clinic.programme(programme.id)  # type: ignore[arg-type]
        events = clinic.outbox_events()
    assert after.version == programme.version + 1
    staff = [e.payload for e in events if e.type == "staff_experience"]
    assert [(p["role"], p["profession"], p["answers"]) for p in staff] == [
        ("clinician", "gp", {"satisfying": 4, "time_well_used": 5})]
    assert "Priya" not in str(staff)
