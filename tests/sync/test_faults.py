"""Issue 8, point 6: after every fault the service holds each event exactly once and the outbox
is empty. The service is real (its own process on loopback); faults come from killing it or from
a real proxy in front of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.sync import status
from groupclinic_desktop.sync.engine import Syncer, Tuning
from tests.sync.conftest import (
    FAST,
    ROOT,
    FaultyProxy,
    IcbServer,
    _server,
    outbox_ids,
    point_at,
)

BATCHES_OF_40 = Tuning(**{**FAST.__dict__, "batch_size": 40, "max_batch": 40})


def assert_exactly_once(server: IcbServer, clinic: Clinic, produced: list[str]) -> None:
    stored = server.event_ids()
    assert len(stored) == len(set(stored)), "the service holds an event twice"
    assert sorted(stored) == sorted(produced), "the service is missing events"
    assert clinic.outbox_events() == [], "events are left in the outbox"


def test_server_down_then_back(demo: Clinic, icb_sqlite: IcbServer) -> None:
    produced = outbox_ids(demo)
    point_at(demo, icb_sqlite.url, icb_sqlite.token)
    icb_sqlite.kill()

    first = Syncer(demo, BATCHES_OF_40).run_pass()
    assert first.result == "offline"
    assert outbox_ids(demo) == produced, "nothing may be dropped while the service is away"
    offline = status.read(demo)
    assert offline.online is False and offline.pending == len(produced)
    assert offline.next_attempt is not None  # the backoff is kept for the worker's next try

    icb_sqlite.start()
    second = Syncer(demo, BATCHES_OF_40).run_pass()
    assert second.result == "done"
    assert_exactly_once(icb_sqlite, demo, produced)
    assert status.read(demo).online is True


def test_500_in_the_middle_of_a_batch(
    demo: Clinic, icb_sqlite: IcbServer, proxy: FaultyProxy
) -> None:
    produced = outbox_ids(demo)
    point_at(demo, proxy.url, icb_sqlite.token)
    proxy.faults = ["", "500_mid_batch"]  # the second batch: half stored, then a 500

    first = Syncer(demo, BATCHES_OF_40).run_pass()
    assert first.result == "offline" and "500" in (first.reason or "")
    assert first.stored == 40
    second = Syncer(demo, BATCHES_OF_40).run_pass()
    assert second.result == "done"
    assert second.duplicate == 20  # the half the service took before failing
    assert_exactly_once(icb_sqlite, demo, produced)


def test_connection_cut_after_the_server_committed(
    demo: Clinic, icb_sqlite: IcbServer, proxy: FaultyProxy
) -> None:
    produced = outbox_ids(demo)
    point_at(demo, proxy.url, icb_sqlite.token)
    proxy.faults = ["cut_after_commit"]

    first = Syncer(demo, BATCHES_OF_40).run_pass()
    assert first.result == "offline"
    assert len(icb_sqlite.event_ids()) == 40  # stored, but the laptop never heard
    assert len(outbox_ids(demo)) == len(produced)
    second = Syncer(demo, BATCHES_OF_40).run_pass()
    assert second.result == "done" and second.duplicate == 40
    assert_exactly_once(icb_sqlite, demo, produced)


def test_a_duplicated_batch_is_harmless(
    demo: Clinic, icb_sqlite: IcbServer, proxy: FaultyProxy
) -> None:
    produced = outbox_ids(demo)
    point_at(demo, proxy.url, icb_sqlite.token)
    proxy.faults = ["deliver_twice", "", "deliver_twice"]

    report = Syncer(demo, BATCHES_OF_40).run_pass()
    assert report.result == "done"
    assert report.duplicate == 80  # the laptop saw the second delivery's answers
    assert_exactly_once(icb_sqlite, demo, produced)


def test_429_with_retry_after_is_waited_out(
    demo: Clinic, sqlite_url: str, tmp_path: Path
) -> None:
    produced = outbox_ids(demo)
    # The service's own rate limit: one request a second per practice, no burst.
    server_gen = _server(sqlite_url, tmp_path, GROUPCLINIC_ICB_RATE_PER_MINUTE="60",
                         GROUPCLINIC_ICB_RATE_BURST="1")
    server = next(server_gen)
    try:
        point_at(demo, server.url, server.token)
        tuning = Tuning(**{**FAST.__dict__, "batch_size": 80, "max_batch": 80})
        started = time.monotonic()
        report = Syncer(demo, tuning).run_pass()
        took = time.monotonic() - started
        assert report.result == "done"
        assert report.rate_limited >= 1
        assert took >= 0.9, "the client did not wait for Retry-After"
        assert_exactly_once(server, demo, produced)
    finally:
        server_gen.close()


def test_client_killed_mid_sync_then_restarted(
    demo_dir: Path, icb_sqlite: IcbServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        produced = outbox_ids(clinic)
        point_at(clinic, icb_sqlite.url, icb_sqlite.token)
    # The CLI runs in its own process with no keyring: the documented environment variables.
    env = {**os.environ, "GROUPCLINIC_SYNC_TOKEN": icb_sqlite.token,
           "GROUPCLINIC_PSEUDONYM_KEY": "ab" * 32, "PYTHONPATH": str(ROOT)}
    # Sending needs a staff sign-in: the demo admin, PIN on standard input.
    command = [sys.executable, "-m", "groupclinic_desktop.cli", "--data-dir", str(demo_dir),
               "--user", "Alex Turner", "--pin-stdin", "sync", "--once", "--batch-size", "4"]

    sync = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert sync.stdin is not None
    sync.stdin.write(b"9753\n")
    sync.stdin.close()
    deadline = time.monotonic() + 30
    while len(icb_sqlite.event_ids()) < 10:
        assert sync.poll() is None, "the sync ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    sync.send_signal(signal.SIGKILL)
    sync.wait(10)
    assert 10 <= len(icb_sqlite.event_ids()) < len(produced)

    again = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                           timeout=120, input="9753\n")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Pending: 0" in again.stdout
    with Clinic.open(demo_dir, create=False) as clinic:
        assert_exactly_once(icb_sqlite, clinic, produced)
        assert clinic.check() == []


def test_an_event_the_service_refuses_goes_to_needs_attention_with_its_reason(
    demo: Clinic, icb_sqlite: IcbServer
) -> None:
    produced = outbox_ids(demo)
    victim = demo.outbox_events()[0]
    # Someone else already used this event id for different content: a permanent conflict.
    httpx.post(
        f"{icb_sqlite.url}/v1/events",
        headers={"Authorization": f"Bearer {icb_sqlite.token}"},
        json={"protocol_version": 1, "practice": "Y99999", "events": [{
            "id": victim.uid, "seq": 1, "type": "experience", "schema_version": 1,
            "occurred_at": "2025-01-10T10:00:00Z",
            "payload": {"session_uid": victim.payload["session_uid"], "response": "good"},
        }]},
    ).raise_for_status()
    point_at(demo, icb_sqlite.url, icb_sqlite.token)

    report = Syncer(demo, FAST).run_pass()

    assert report.result == "done" and report.needs_attention == 1
    waiting = status.read(demo).needs_attention
    assert [item.uid for item in waiting] == [victim.uid]
    assert "conflict" in waiting[0].reason
    assert outbox_ids(demo) == [victim.uid]  # kept, never dropped silently
    assert sorted(icb_sqlite.event_ids()) == sorted(produced)


def test_a_wrong_token_stops_sync_and_says_so(demo: Clinic, icb_sqlite: IcbServer) -> None:
    produced = outbox_ids(demo)
    point_at(demo, icb_sqlite.url, "not-the-token")

    report = Syncer(demo, FAST).run_pass()

    assert report.result == "stopped" and "401" in (report.reason or "")
    assert outbox_ids(demo) == produced
    assert "401" in (status.read(demo).problem or "")
