"""The store key, the sync token and the pseudonymisation secret stay in the keyring.

A whole demo session, a backup, failed sign-ins and refused input, and a sync attempt to an address
where nothing listens; then every file under the data folder and the log folder, every log line,
every error message and every audit entry and setting are searched for the three secrets.
"""

import contextlib
import logging
import socket
from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.demo import create_demo
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.logs import setup_logging
from groupclinic_desktop.sync import config
from groupclinic_desktop.sync.engine import Syncer, Tuning

TOKEN = "tok-" + "9f3c2a7d" * 6


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def forms(secret: str) -> list[bytes]:
    """The ways a secret could be written down: as text, and a hex key also as its raw bytes."""
    found = [secret.encode(), secret.upper().encode()]
    with contextlib.suppress(ValueError):
        found.append(bytes.fromhex(secret))
    return found


def test_secrets_never_reach_files_logs_messages_or_the_audit_trail(
    tmp_path: Path, memory_keyring, caplog: pytest.LogCaptureFixture
) -> None:
    log_dir = tmp_path / "logs"
    log_file = setup_logging(logging.DEBUG, folder=log_dir)
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    data_dir = tmp_path / "practice"
    try:
        with Clinic.open(data_dir) as clinic:
            create_demo(clinic)
            session = clinic.sessions(day=date.today())[0]
            facilitator = next(u for u in clinic.staff() if u.role == "facilitator")
            for pin in ("0000", "1111"):
                try:
                    clinic.sign_in(facilitator.id, pin)
                except ClinicError as exc:
                    messages.append(str(exc))
            with clinic.acting_as(SYSTEM):
                clinic.start_session(session.id)
                for entry in clinic.roster(session.id):
                    pid = entry.patient.id
                    clinic.set_attendance(session.id, pid, "attended")
                    clinic.record_measurement(pid, "blood_pressure", "138/84",
                                              session_id=session.id)
                    try:
                        clinic.record_measurement(pid, "weight", "9999", session_id=session.id)
                    except ClinicError as exc:
                        messages.append(str(exc))
                clinic.finish_session(session.id)
                clinic.backup(reason="manual")
                clinic.set_sync_settings(f"http://127.0.0.1:{closed_port()}", token_changed=True)
                config.set_token(clinic, TOKEN)
                report = Syncer(clinic, Tuning(max_inline_wait=0)).run_pass()
            messages += [str(report.reason), repr(report), repr(clinic.sync_state())]
            assert report.result != "sent"  # nothing listens there
            stored_text = repr([(e.before, e.after) for e in clinic.audit_entries()])
            keys = (clinic.SYNC_SETTINGS_KEY, clinic.SYNC_STATE_KEY)
            stored_text += repr([clinic.setting(k) for k in keys])
        # A wrong key must not echo either key in its message.
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(store.KEY_ENV, "ab" * 32)
            try:
                Clinic.open(data_dir, create=False)
            except ClinicError as exc:
                messages.append(str(exc))
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "baseFilename", None) == str(log_file):
                handler.close()
                logging.getLogger().removeHandler(handler)

    secrets = {user: value for (_service, user), value in memory_keyring.secrets.items()}
    names = {name.split("-")[0] + "-" + name.split("-")[1] for name in secrets}
    assert names == {"store-key", "sync-token", "pseudonym-secret"}  # all three were in use
    assert TOKEN in secrets.values()

    blobs: dict[str, bytes] = {}
    for folder in (data_dir, log_dir):
        for path in folder.rglob("*"):
            if path.is_file():
                blobs[str(path)] = path.read_bytes()
    assert any("backups" in p for p in blobs) and any(p.endswith(".log") for p in blobs)
    blobs["log records"] = "\n".join(r.getMessage() for r in caplog.records).encode()
    blobs["error messages"] = "\n".join(messages).encode()
    blobs["audit trail and settings"] = stored_text.encode()

    leaks = [
        (where, user)
        for user, secret in secrets.items()
        for where, blob in blobs.items()
        for form in forms(secret)
        if form in blob
    ]
    assert leaks == []
