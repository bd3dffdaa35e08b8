"""`groupclinic sync`: set up with --url and --token-stdin, --status, --once, exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from groupclinic_desktop.cli import main
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.sync import config
from tests.sync.conftest import IcbServer

# Sending and setting up sync need a sign-in; the demo admin's PIN is the first line of stdin.
ADMIN = ["--user", "Alex Turner", "--pin-stdin"]


def test_set_up_status_and_once(
    demo_dir: Path,
    icb_sqlite: IcbServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        produced = len(clinic.outbox_events())
    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n" + icb_sqlite.token + "\n"))
    assert main(["--data-dir", str(demo_dir), *ADMIN, "sync", "--url", icb_sqlite.url,
                 "--token-stdin"]) == 0
    out = capsys.readouterr().out
    assert icb_sqlite.token not in out  # the token is never echoed
    with Clinic.open(demo_dir, create=False) as clinic:
        assert config.token(clinic) == icb_sqlite.token  # kept in the keyring
        assert clinic.sync_settings()["url"] == icb_sqlite.url
        assert not any(icb_sqlite.token in str(e.after) for e in clinic.audit_entries())

    assert main(["--data-dir", str(demo_dir), "sync", "--status"]) == 1  # events are waiting
    assert f"Pending events: {produced}" in capsys.readouterr().out

    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
    assert main(["--data-dir", str(demo_dir), *ADMIN, "sync", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"{produced} stored" in out and "Pending: 0" in out
    assert len(icb_sqlite.event_ids()) == produced

    assert main(["--data-dir", str(demo_dir), "sync", "--status"]) == 0
    out = capsys.readouterr().out
    assert "Pending events: 0" in out and "Connection: online" in out


def test_once_exits_non_zero_when_the_service_cannot_be_reached(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("9753\nsome-token\n"))
    assert main(["--data-dir", str(demo_dir), *ADMIN, "sync", "--url", "http://127.0.0.1:9",
                 "--token-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
    assert main(["--data-dir", str(demo_dir), *ADMIN, "sync", "--once"]) == 1
    out = capsys.readouterr().out
    assert "Stopped: cannot reach the service" in out
    assert "Pending: 0" not in out


def test_once_without_set_up_says_what_is_missing(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
    assert main(["--data-dir", str(demo_dir), *ADMIN, "sync", "--once"]) == 1
    assert "no ICB service address is set" in capsys.readouterr().out


def test_sending_needs_a_sign_in_and_an_admin_but_status_does_not(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        audit_before = len(clinic.audit_entries())
    assert main(["--data-dir", str(demo_dir), "sync", "--once"]) == 2
    assert "--user NAME" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["--data-dir", str(demo_dir), "--user", "Jo", "--pin-stdin", "sync"]) == 1
    assert "may not run the ICB sync" in capsys.readouterr().err
    assert main(["--data-dir", str(demo_dir), "sync", "--status"]) == 1  # counts only, no PIN
    with Clinic.open(demo_dir, create=False) as clinic:
        # Only Jo's sign-in was written; nothing was sent or changed.
        assert [e.action for e in clinic.audit_entries()[audit_before:]] == ["sign_in"]
