"""A hybrid session with all three channels, from invitation to the ICB aggregate, through the
CLI alone: plan it with a joining link, invite, print the messaging list and letters, check
people in by room, video and phone, finish, export to the GP record, sync to a real ICB service
on loopback (SQLite, and PostgreSQL when available), and read the split in its aggregates."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from groupclinic_desktop.cli import main
from groupclinic_desktop.core.clinic import Clinic
from tests.sync.conftest import IcbServer, _server

LINK = "https://meet.example.nhs.uk/riverside/hybrid-group"
WORDS = "Join 10 minutes early; by phone call 0300 123 4567 and give code 2468."
JO = ["--user", "Jo Morgan", "--pin-stdin"]  # facilitator 2468
ALEX = ["--user", "Alex Turner", "--pin-stdin"]  # admin 9753


@pytest.fixture
def icb_every_count(icb_db_url: str, tmp_path: Path) -> Iterator[IcbServer]:
    """The service with suppression below 1: every count of this small clinic is shown."""
    yield from _server(icb_db_url, tmp_path, GROUPCLINIC_ICB_SUPPRESSION="1")


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: Path,
        stdin: str, *args: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    assert code == 0, f"{args}: {out}{err}"
    return out


def test_hybrid_session_from_invitation_to_icb_aggregate(
    demo_dir: Path,
    icb_every_count: IcbServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    icb = icb_every_count
    out = run(monkeypatch, capsys, demo_dir, "2468\n", *JO, "session", "plan",
              "--programme", "diabetes", "--date", date.today().isoformat(), "--time", "14:00",
              "--place", "Riverside room 2", "--mode", "hybrid", "--joining-link", LINK,
              "--joining-instructions", WORDS)
    assert "Hybrid (in the room and remote)" in out and LINK in out
    session_id = int(re.search(r"^\s+(\d+): ", out, re.M).group(1))  # type: ignore[union-attr]

    # A link that is not https is refused with one line naming the field; nothing changes.
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["--data-dir", str(demo_dir), *JO, "session", "joining", "--session",
                 str(session_id), "--joining-link", "http://meet.example.org/x"]) == 1
    assert "Joining link: must start with https://" in capsys.readouterr().err

    out = run(monkeypatch, capsys, demo_dir, "2468\n", *JO, "session", "invite",
              "--session", str(session_id), "--enrolled")
    with Clinic.open(demo_dir, create=False) as clinic:
        people = [e.patient.nhs_number for e in clinic.roster(session_id)]
    assert len(people) >= 9 and f"Invited {len(people)} new" in out

    sms, letters = tmp_path / "sms.csv", tmp_path / "letters.pdf"
    run(monkeypatch, capsys, demo_dir, "9753\n", *ALEX, "invitations", "--session",
        str(session_id), "--out", str(sms), "--letters", str(letters))
    with sms.open(encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle))[-2:] == ["Joining link", "Joining instructions"]
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", "-raw", str(letters), "-"],
                                       capture_output=True, text=True, check=True).stdout.split())
        assert text.count(f"Join by video: {LINK}") == len(people)

    run(monkeypatch, capsys, demo_dir, "2468\n", *JO, "session", "start", "--session",
        str(session_id))
    channels = {"in_room": people[:4], "video": people[4:7], "phone": people[7:9]}
    for channel, numbers in channels.items():
        for nhs in numbers:
            checks = [] if channel == "in_room" else ["--identity-confirmed", "--private-place"]
            out = run(monkeypatch, capsys, demo_dir, "2468\n", *JO, "session", "attend",
                      "--session", str(session_id), "--nhs-number", nhs, "--channel", channel,
                      *checks)
            assert ("identity confirmed" in out) == (channel != "in_room")
    for nhs in people[9:]:
        run(monkeypatch, capsys, demo_dir, "2468\n", *JO, "session", "attend", "--session",
            str(session_id), "--nhs-number", nhs, "--status", "did_not_attend")
    # The identity check is for video and phone only: refused for someone in the room.
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["--data-dir", str(demo_dir), *JO, "session", "attend", "--session",
                 str(session_id), "--nhs-number", people[0], "--identity-confirmed"]) == 1
    assert "Identity check: only for people joining by video or phone" in capsys.readouterr().err
    run(monkeypatch, capsys, demo_dir, "2468\n", *JO, "session", "finish", "--session",
        str(session_id))

    # The GP record says how each person attended, in words.
    record = tmp_path / "gp-record"
    run(monkeypatch, capsys, demo_dir, "9753\n", *ALEX, "export", "--session", str(session_id),
        "--format", "csv", "--out", str(record))
    exported = "\n".join(p.read_text(encoding="utf-8-sig") for p in record.rglob("*.csv"))
    assert exported.count("Attended group consultation in person") == 4
    assert exported.count(
        "Attended group consultation by video (identity confirmed; in a private place)") == 3
    assert exported.count("Attended group consultation by telephone (identity confirmed") == 2

    run(monkeypatch, capsys, demo_dir, "9753\n" + icb.token + "\n", *ALEX, "sync", "--url",
        icb.url, "--token-stdin")
    out = run(monkeypatch, capsys, demo_dir, "9753\n", *ALEX, "sync", "--once")
    assert "Pending: 0" in out and "rejected" not in out.replace("0 rejected", "")

    report = httpx.get(f"{icb.url}/v1/aggregates", timeout=10,
                       headers={"Authorization": f"Bearer {icb.token}"}).json()
    group = next(g for g in report["groups"] if g["programme"] == "type2_diabetes")
    assert group["sessions_held_by_mode"]["hybrid"] == 1
    by_channel = {k: v["value"] for k, v in group["attendances_by_channel"].items()}
    # The demo's finished face-to-face session adds its own people in the room.
    assert by_channel["video"] == 3 and by_channel["phone"] == 2 and by_channel["in_room"] >= 4
    delivery = {(r["dimension"], r["group"]): r for r in group["delivery"]}
    assert delivery[("channel", "video")]["attended"]["value"] == 3
    assert delivery[("channel", "phone")]["attended"]["value"] == 2
    assert delivery[("mode", "hybrid")]["attended"]["value"] == 9
    # Nothing that names anyone, nor the joining link, reached the service.
    held = icb.all_text()
    assert LINK not in held and all(nhs not in held for nhs in people)
