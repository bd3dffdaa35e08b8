"""The demo practice uploads to a freshly started service, exactly once, and nothing identifying."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.sync import status
from groupclinic_desktop.sync.engine import Syncer
from groupclinic_desktop.sync.worker import sync_worker
from tests.sync.conftest import FAST, IcbServer, outbox_ids, point_at


def test_demo_practice_syncs_everything_once_and_nothing_identifying(
    demo: Clinic, icb: IcbServer, tmp_path: Path
) -> None:
    produced = outbox_ids(demo)
    assert len(produced) > 100
    patients = demo.patients()
    point_at(demo, icb.url, icb.token)

    report = Syncer(demo, FAST).run_pass()

    assert report.result == "done", report.reason
    assert report.needs_attention == 0, [e.last_error for e in demo.needs_attention_events()]
    assert sorted(icb.event_ids()) == sorted(produced)
    assert demo.outbox_events() == []
    now = status.read(demo)
    assert now.online is True and now.pending == 0 and now.last_success is not None

    # Names, NHS numbers and dates of birth never reach the ICB, in any table or in the file.
    stored = icb.all_text()
    raw = b""
    if icb.db_url.startswith("sqlite"):
        db_file = Path(icb.db_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    for person in patients:
        nhs_number = person.nhs_number
        spaced = f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
        for secret in (person.given_name, person.family_name, nhs_number, spaced,
                       person.date_of_birth.isoformat(), person.date_of_birth.strftime("%d/%m/%Y")):
            assert secret not in stored, "identifying data reached the ICB database"
            assert secret.encode() not in raw, "identifying data is in the ICB database file"


def test_server_killed_and_restarted_during_sync_holds_each_event_once(
    demo: Clinic, icb: IcbServer
) -> None:
    produced = outbox_ids(demo)
    point_at(demo, icb.url, icb.token)
    # Small batches, so the sync is still going while the server dies and comes back.
    demo.save_sync_state({"batch_size": 3})
    tuning = FAST.__class__(**{**FAST.__dict__, "batch_size": 3, "max_batch": 3})
    worker = sync_worker(demo, poll_seconds=0.2, tuning=tuning)
    worker.start()
    try:
        kills = 0
        for _ in range(3):
            # Let some batches through, then pull the plug on the server mid-sync.
            seen = len(icb.event_ids())
            deadline = time.monotonic() + 20
            while len(icb.event_ids()) < seen + 6 and demo.outbox_events():
                assert time.monotonic() < deadline, "the sync made no progress"
                time.sleep(0.02)
            if not demo.outbox_events():
                break
            icb.kill()
            kills += 1
            icb.start()
            worker.now()
        deadline = time.monotonic() + 60
        while demo.outbox_events() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.stop()
    assert kills >= 2, "the sync finished before the server could be killed"
    stored = icb.event_ids()
    assert len(stored) == len(set(stored)), "the server holds an event twice"
    assert sorted(stored) == sorted(produced)
    assert demo.outbox_events() == []
    assert not threading.current_thread().name.startswith("groupclinic-sync")
