"""`groupclinic sync`: set up with --url and --token-stdin, --status, --once, exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from groupclinic_desktop.cli import main
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.sync import config
from tests.sync.conftest import IcbServer


def test_set_up_status_and_once(
    demo_dir: Path,
    icb_sqlite: IcbServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        produced = len(clinic.outbox_events())
    monkeypatch.setattr("sys.stdin", io.StringIO(icb_sqlite.token + "\n"))
    assert main(["--data-dir", str(demo_dir), "sync", "--url", icb_sqlite.url,
                 "--token-stdin"]) == 0
    out = capsys.readouterr().out
    assert icb_sqlite.token not in out  # the token is never echoed
    with Clinic.open(demo_dir, create=False) as clinic:
        assert config.token(clinic) == icb_sqlite.token  # kept in the keyring
        assert clinic.sync_settings()["url"] == icb_sqlite.url
        assert not any(icb_sqlite.token in str(e.after) for e in clinic.audit_entries())

    assert main(["--data-dir", str(demo_dir), "sync", "--status"]) == 1  # events are waiting
    assert f"Pending events: {produced}" in capsys.readouterr().out

    assert main(["--data-dir", str(demo_dir), "sync", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"{produced} stored" in out and "Pending: 0" in out
    assert len(icb_sqlite.event_ids()) == produced

    assert main(["--data-dir", str(demo_dir), "sync", "--status"]) == 0
    out = capsys.readouterr().out
    assert "Pending events: 0" in out and "Connection: online" in out


def test_once_exits_non_zero_when_the_service_cannot_be_reached(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("some-token\n"))
    assert main(["--data-dir", str(demo_dir), "sync", "--url", "http://127.0.0.1:9",
                 "--token-stdin"]) == 0
    assert main(["--data-dir", str(demo_dir), "sync", "--once"]) == 1
    out = capsys.readouterr().out
    assert "Stopped: cannot reach the service" in out
    assert "Pending: 0" not in out


def test_once_without_set_up_says_what_is_missing(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(demo_dir), "sync", "--once"]) == 1
    assert "no ICB service address is set" in capsys.readouterr().out
