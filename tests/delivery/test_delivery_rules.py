"""The rules around GP record delivery: migration of a single-practice store, the sign-off hook,
secrets (keyring, environment), the background worker, and a send interrupted by a crash."""

import threading
import time
from pathlib import Path

import pytest

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import DeliveryStatus
from groupclinic_desktop.delivery import config, sender
from groupclinic_desktop.delivery.worker import delivery_worker
from tests.delivery import gp_system
from tests.delivery.conftest import BROOKSIDE, HILLSIDE, configure_mesh
from tests.delivery.sandbox import BROOKSIDE_MAILBOX, HILLSIDE_MAILBOX


def test_a_single_practice_store_migrates_with_everyone_registered_there(demo_dir: Path) -> None:
    from alembic import command

    with Clinic.open(demo_dir, create=False) as clinic:
        people = len(clinic.patients())
        command.downgrade(store.alembic_config(clinic.engine), "0004")
    with Clinic.open(demo_dir, create=False) as clinic:  # opening migrates it back up
        assert store.current_revision(clinic.engine) == store.head_revision()
        assert len(clinic.patients()) == people
        assert {p.registered_ods for p in clinic.patients()} == {"Y99999"}
        (member,) = clinic.member_practices()
        assert (member.ods_code, member.name) == ("Y99999", clinic.organisation().name)  # type: ignore[union-attr]


def test_notes_awaiting_clinician_sign_off_are_not_queued(
    hub, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    clinic, session_id, split = hub
    waiting = split[HILLSIDE[0]][0]
    monkeypatch.setattr(
        sender, "awaiting_clinician_sign_off", lambda _c, _s, patient_id: patient_id == waiting
    )
    configure_mesh(clinic, "http://127.0.0.1:9")
    with clinic.acting_as(SYSTEM):
        result = sender.queue_session(clinic, session_id)
    people = sum(len(ids) for ids in split.values())
    assert (result.queued, result.awaiting_sign_off) == (people - 1, 1)
    assert "1 awaiting clinician sign-off (not sent)" in result.line()
    assert waiting not in {r.patient_id for r in clinic.deliveries()}
    # Once signed, the next "send unsent" picks the person up.
    monkeypatch.setattr(sender, "awaiting_clinician_sign_off", lambda *_: False)
    with clinic.acting_as(SYSTEM):
        (later,) = sender.queue_unsent(clinic)
    assert later.queued == 1


def test_secrets_live_in_the_keyring_and_the_environment_wins(
    demo: Clinic, memory_keyring, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.delenv(config.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(config.SHARED_KEY_ENV, raising=False)
    with demo.acting_as(SYSTEM):
        demo.set_delivery_settings(url="http://127.0.0.1:9", mailbox="X26ABC1")
    assert "password" in (config.load(demo).missing() or "")
    config.set_secret(demo, "password", "from-keyring")
    config.set_secret(demo, "shared-key", "key-from-keyring")
    loaded = config.load(demo)
    assert (loaded.password, loaded.shared_key) == ("from-keyring", "key-from-keyring")
    assert loaded.ready
    assert "from-keyring" in memory_keyring.secrets.values()
    # Not in the store, nor its settings or audit trail.
    assert "from-keyring" not in repr(demo.delivery_settings())
    assert not any("from-keyring" in repr(e.after) for e in demo.audit_entries())
    monkeypatch.setenv(config.PASSWORD_ENV, "from-env")
    monkeypatch.setenv(config.SHARED_KEY_ENV, "key-from-env")
    loaded = config.load(demo)
    assert (loaded.password, loaded.shared_key) == ("from-env", "key-from-env")


def test_mesh_setup_reads_secrets_from_standard_input_into_the_keyring(
    demo_dir: Path, memory_keyring, monkeypatch: pytest.MonkeyPatch, capsys  # type: ignore[no-untyped-def]
) -> None:
    import io

    from groupclinic_desktop.cli import main

    monkeypatch.delenv(config.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(config.SHARED_KEY_ENV, raising=False)
    # The admin's PIN first, then the password and the shared key.
    monkeypatch.setattr("sys.stdin", io.StringIO("9753\ns3cret-pass\nshared-k3y\n"))
    code = main(
        ["--data-dir", str(demo_dir), "--user", "Alex Turner", "--pin-stdin", "mesh", "setup",
         "--url", "https://msg.example.nhs.uk", "--mailbox", "x26abc1", "--password-stdin",
         "--shared-key-stdin"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "MESH set up; ready to send." in out
    assert "Note: no client certificate and key are set (--cert, --key)" in out
    assert "s3cret-pass" not in out
    assert {"s3cret-pass", "shared-k3y"} <= set(memory_keyring.secrets.values())
    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
    bad = main(["--data-dir", str(demo_dir), "--user", "Alex Turner", "--pin-stdin", "mesh",
                "setup", "--cert", "/nonexistent.pem"])
    assert bad == 1
    assert "Client certificate: /nonexistent.pem is not a file." in capsys.readouterr().err


def test_the_background_worker_sends_without_holding_up_the_caller(
    hub, sandbox  # type: ignore[no-untyped-def]
) -> None:
    clinic, session_id, split = hub
    configure_mesh(clinic, sandbox.url)
    with clinic.acting_as(SYSTEM):
        sender.queue_session(clinic, session_id)
    passes = threading.Event()
    worker = delivery_worker(clinic, poll_seconds=60, on_pass=lambda report: passes.set())
    started = time.monotonic()
    worker.start()
    assert time.monotonic() - started < 0.5  # start() returns at once; the thread sends
    try:
        assert passes.wait(120)
    finally:
        worker.stop()
    assert worker.last_report is not None and worker.last_report.result == "done"
    assert {r.status for r in clinic.deliveries()} == {DeliveryStatus.SENT}
    assert len(gp_system.fetch_inbox(sandbox.url, HILLSIDE_MAILBOX)) == len(split[HILLSIDE[0]])


def test_a_send_interrupted_by_a_crash_goes_again_as_the_same_message(
    hub, sandbox  # type: ignore[no-untyped-def]
) -> None:
    clinic, session_id, split = hub
    configure_mesh(clinic, sandbox.url)
    with clinic.acting_as(SYSTEM):
        sender.queue_session(clinic, session_id)
    row = clinic.deliveries()[0]
    assert row.id is not None
    # The app stopped after saying "sending" and before MESH answered.
    clinic.mark_delivery_sending(row.id, "3f1c7e0e-1111-4a4a-9b9b-000000000001", "X26ABC2")
    report = sender.Deliverer(clinic).run_pass()
    assert report.result == "done"
    again = clinic.delivery(row.id)
    assert again.status == DeliveryStatus.SENT and again.attempts == 2
    assert again.message_uid == "3f1c7e0e-1111-4a4a-9b9b-000000000001"
    ods = again.registered_ods
    mailbox = HILLSIDE_MAILBOX if ods == HILLSIDE[0] else BROOKSIDE_MAILBOX
    inbox = gp_system.fetch_inbox(sandbox.url, mailbox)
    mine = [m for m in inbox if m.handling["SenderReference"] == again.uid]
    assert [m.header["id"] for m in mine] == [again.message_uid]
    # A second copy answered "duplicate" by the practice is not a failure.
    gp_system.send_acknowledgement(sandbox.url, mailbox, mine[0], "20008")
    sender.Deliverer(clinic).run_pass()
    assert clinic.delivery(row.id).status == DeliveryStatus.ACKNOWLEDGED
    assert BROOKSIDE  # both practices configured


def test_a_missing_acknowledgement_needs_attention(
    hub, sandbox, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    from datetime import timedelta

    clinic, session_id, split = hub
    configure_mesh(clinic, sandbox.url)
    with clinic.acting_as(SYSTEM):
        sender.queue_session(clinic, session_id)
    sender.Deliverer(clinic).run_pass()
    assert clinic.deliveries(needs_attention=True) == []
    monkeypatch.setattr(sender, "ACK_OVERDUE", timedelta(seconds=-1))  # as if 48 hours passed
    sender.Deliverer(clinic).run_pass()
    late = clinic.deliveries(needs_attention=True)
    assert len(late) == sum(len(ids) for ids in split.values())
    assert {r.status for r in late} == {DeliveryStatus.SENT}
    assert {r.reason for r in late} == {"no infrastructure acknowledgement after 48 hours"}


def test_sending_logs_no_patient_data_even_at_debug(hub, sandbox, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    clinic, session_id, _ = hub
    configure_mesh(clinic, sandbox.url)
    caplog.set_level(logging.DEBUG)
    with clinic.acting_as(SYSTEM):
        sender.queue_session(clinic, session_id)
    report = sender.Deliverer(clinic).run_pass()
    assert report.sent > 0
    text = "\n".join(r.getMessage() for r in caplog.records)
    for person in clinic.patients():
        for secret in (person.nhs_number, person.family_name, person.date_of_birth.isoformat()):
            assert secret not in text


def test_mesh_away_backs_off_like_sync_and_recovers(hub, sandbox) -> None:  # type: ignore[no-untyped-def]
    clinic, session_id, _ = hub
    configure_mesh(clinic, sandbox.url)
    with clinic.acting_as(SYSTEM):
        sender.queue_session(clinic, session_id)
    sandbox.stop()
    deliverer = sender.Deliverer(clinic)
    report = deliverer.run_pass()
    assert (report.result, report.reason) == ("offline", "MESH could not be reached")
    backoff = deliverer.backoff()
    assert backoff.failures == 1 and backoff.wait_left() <= backoff.ceiling()
    assert {r.status for r in clinic.deliveries()} == {DeliveryStatus.QUEUED}
    assert clinic.delivery_state()["last_reason"] == "MESH could not be reached"
    sandbox.start()
    assert deliverer.run_pass().result == "done"
    assert deliverer.backoff().failures == 0
    assert {r.status for r in clinic.deliveries()} == {DeliveryStatus.SENT}


def test_only_an_admin_queues_or_resends_notes(hub) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.core.clinic import Actor
    from groupclinic_desktop.core.errors import NotAllowed
    from groupclinic_desktop.core.schema import Role

    clinic, session_id, _ = hub
    facilitator = Actor(None, "Jo Morgan", Role.FACILITATOR)
    with clinic.acting_as(facilitator), pytest.raises(NotAllowed, match="facilitator may not"):
        sender.queue_session(clinic, session_id)
    assert clinic.deliveries() == []


def test_a_bad_session_choice_is_one_clear_line(demo_dir: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    from groupclinic_desktop.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
    signed_in = ["--user", "Alex Turner", "--pin-stdin"]
    assert main(["--data-dir", str(demo_dir), *signed_in, "send", "--session", "yesterday"]) == 1
    err = capsys.readouterr().err
    assert err == "error: Session: 'yesterday' is not a session id or 'unsent'.\n"
