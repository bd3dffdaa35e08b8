"""`groupclinic plan` and `groupclinic due` from the terminal: a plan carried across two sessions
into the GP-record export, the person's own copy printed, and the list of what is due."""

from __future__ import annotations

import io
import json
import re
from datetime import date, time
from pathlib import Path

import pytest

from groupclinic_desktop.cli import main
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import SessionStatus

JO = ["--user", "Jo Morgan", "--pin-stdin"]
ALEX = ["--user", "Alex Turner", "--pin-stdin"]


def run(demo_dir: Path, monkeypatch: pytest.MonkeyPatch, pin: str, who: list[str],
        *command: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{pin}\n"))
    return main(["--data-dir", str(demo_dir), *who, *command])


def test_a_plan_carried_across_two_sessions_into_the_export(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic, clinic.acting_as(SYSTEM):
        first = next(s for s in clinic.sessions() if s.status == SessionStatus.PLANNED)
        sid1 = first.id
        person = clinic.roster(sid1)[0].patient  # type: ignore[arg-type]
        nhs = person.nhs_number
        clinic.start_session(sid1)  # type: ignore[arg-type]
        clinic.set_attendance(sid1, person.id, "attended")  # type: ignore[arg-type]
        clinic.set_goal(sid1, person.id, "Walk to the shop and back", confidence=7)  # type: ignore[arg-type]
        clinic.finish_session(sid1)  # type: ignore[arg-type]

    assert run(demo_dir, monkeypatch, "2468", JO, "plan", "show", "--patient", nhs) == 0
    shown = capsys.readouterr().out
    walk = re.search(r"\[([0-9a-f-]{36})\] Walk to the shop and back \(active", shown)
    assert walk, shown

    with Clinic.open(demo_dir, create=False) as clinic, clinic.acting_as(SYSTEM):
        second = clinic.plan_session(first.programme_id, date.today(), time(15), "Library")
        sid2 = second.id
        clinic.invite(sid2, person.id)  # type: ignore[arg-type]
        clinic.start_session(sid2)  # type: ignore[arg-type]
        clinic.set_attendance(sid2, person.id, "attended")  # type: ignore[arg-type]

    assert run(demo_dir, monkeypatch, "2468", JO, "plan", "update", "--patient", nhs,
               "--session", str(sid2), "--goal", walk[1], "--status", "achieved",
               "--add-goal", "Swim once a week", "--goal-review", "01/03/2027",
               "--if-worse", "Ring the surgery, or 111 out of hours.") == 0
    assert "Saved: plan version" in capsys.readouterr().out
    # Bad input: one line naming the field, nothing saved.
    assert run(demo_dir, monkeypatch, "2468", JO, "plan", "update", "--patient", nhs,
               "--add-action", "Book a review", "--due", "31/02/2027") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: Action due date:")

    with Clinic.open(demo_dir, create=False) as clinic, clinic.acting_as(SYSTEM):
        clinic.finish_session(sid2)  # type: ignore[arg-type]
        versions = clinic.care_plan_versions(person.id)  # type: ignore[arg-type]
    assert [v.version for v in versions] == [1, 2, 3]

    out = tmp_path / "gp"
    assert run(demo_dir, monkeypatch, "9753", ALEX, "export", "--session", str(sid2),
               "--format", "pdf,fhir", "--out", str(out)) == 0
    (path,) = list(out.rglob("*.fhir.json"))
    resources = [e["resource"] for e in json.loads(path.read_text())["entry"]]
    (plan,) = [r for r in resources if r["resourceType"] == "CarePlan"]
    goals = {r["id"]: r for r in resources if r["resourceType"] == "Goal"}
    listed = [goals[g["reference"][9:]] for g in plan["goal"]]
    assert [(g["description"]["text"], g["lifecycleStatus"]) for g in listed][-2:] == [
        ("Walk to the shop and back", "completed"), ("Swim once a week", "active")]

    copy = tmp_path / "copy.pdf"
    assert run(demo_dir, monkeypatch, "2468", JO, "plan", "print", "--patient", nhs,
               "--out", str(copy), "--language", "pl") == 0
    assert copy.read_bytes().startswith(b"%PDF")


def test_the_due_list_from_the_terminal(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(demo_dir, monkeypatch, "2468", JO, "due") == 0
    out = capsys.readouterr().out
    key = re.search(r"key: (action:[0-9a-f-]{36})", out)
    pid = re.search(r"\(patient (\d+)\) - [^\n]*\n    key: action:", out)
    assert key and pid, out
    assert run(demo_dir, monkeypatch, "2468", JO, "due", "contact", "--patient", pid[1],
               "--item", key[1], "--method", "call", "--outcome", "message_left",
               "--note", "Left a voicemail.") == 0
    assert run(demo_dir, monkeypatch, "2468", JO, "due") == 0
    assert "last contact: call" in capsys.readouterr().out
    # A clinician is not given the list (care coordinators, facilitators and admins are).
    assert run(demo_dir, monkeypatch, "1357", ["--user", "Priya", "--pin-stdin"], "due") == 1
    assert "may not use the list" in capsys.readouterr().err
