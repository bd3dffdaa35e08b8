"""Issue 26, point 2: full batches, sent while the next one is made ready, are still stored
exactly once however the link or the service fails, on SQLite and on PostgreSQL.

The laptop now seals the next batch while the service stores the current one, and sends it
before writing down the last answer; the service stores a batch with one multi-row insert.
These tests cut, repeat and kill in the middle of that with thousands of events, then resume.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import OutboxEvent
from groupclinic_desktop.sync.engine import PassReport, Syncer, Tuning
from tests.sync.conftest import FAST, FaultyProxy, IcbServer, outbox_ids, point_at

# Full batches from the start, never halved however slow the shared test machine is.
FULL_BATCHES = Tuning(
    **{**FAST.__dict__, "batch_size": 500, "max_batch": 500, "target_seconds": 1e9}
)


def fill_outbox(clinic: Clinic, count: int) -> list[str]:
    """`count` more pending measurement events (copies of the demo's, new ids); all pending ids."""
    with Session(clinic.engine) as s:
        templates = list(s.exec(select(OutboxEvent).where(OutboxEvent.type == "measurement")))
    assert templates
    rows = [
        {"uid": str(uuid.uuid4()), "type": t.type, "schema_version": t.schema_version,
         "occurred_at": t.occurred_at, "payload": t.payload, "attempts": 0, "last_error": None,
         "needs_attention": False}
        for t in (templates[n % len(templates)] for n in range(count))
    ]
    with clinic.engine.begin() as conn:
        conn.execute(insert(OutboxEvent), rows)
    return outbox_ids(clinic)


def assert_exactly_once(server: IcbServer, clinic: Clinic, produced: list[str]) -> None:
    stored = server.event_ids()
    assert len(stored) == len(set(stored)), "the service holds an event twice"
    assert sorted(stored) == sorted(produced), "the service is missing events"
    assert clinic.outbox_events() == [], "events are left in the outbox"
    assert clinic.check() == [], "the store (its audit chain) is not sound"


@pytest.fixture
def proxy_to(icb: IcbServer) -> Iterator[FaultyProxy]:
    running = FaultyProxy(icb.url)
    yield running
    running.close()


def test_thousands_of_events_through_cuts_repeats_and_a_500_are_stored_once(
    demo: Clinic, icb: IcbServer, proxy_to: FaultyProxy
) -> None:
    produced = fill_outbox(demo, 2_500)
    point_at(demo, proxy_to.url, icb.token)
    # Pass 1: batch 1 stored; batch 2's answer is lost after the service committed it (batch 3
    # is sealed and ready by then). Pass 2: batch 2 again, delivered twice; batch 3; batch 4 half
    # stored before a 500. Pass 3: the rest.
    proxy_to.faults = ["", "cut_after_commit", "deliver_twice", "", "500_mid_batch"]

    reports: list[PassReport] = []
    while len(reports) < 6:
        reports.append(Syncer(demo, FULL_BATCHES).run_pass())
        if reports[-1].result == "done":
            break

    assert [r.result for r in reports] == ["offline", "offline", "done"]
    assert (reports[0].stored, reports[0].duplicate) == (500, 0)
    assert (reports[1].stored, reports[1].duplicate) == (500, 500)
    assert reports[2].duplicate == 250 and reports[2].stored == len(produced) - 1_750
    assert sum(r.needs_attention for r in reports) == 0
    assert_exactly_once(icb, demo, produced)


def test_service_killed_during_a_long_sync_then_resumed_stores_each_event_once(
    demo: Clinic, icb: IcbServer
) -> None:
    produced = fill_outbox(demo, 4_000)
    point_at(demo, icb.url, icb.token)
    first: list[PassReport] = []
    running = threading.Thread(
        target=lambda: first.append(Syncer(demo, FULL_BATCHES).run_pass()), daemon=True
    )
    running.start()
    deadline = time.monotonic() + 120
    while len(icb.event_ids()) < 500:  # at least one full batch in, more on the way
        assert running.is_alive(), "the sync ended before the service could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    icb.kill()  # SIGKILL, wherever it is: mid-insert, mid-answer or between batches
    running.join(60)
    assert first and first[0].result == "offline"
    held = len(icb.event_ids())
    assert 500 <= held < len(produced)
    assert len(outbox_ids(demo)) >= len(produced) - held  # nothing acknowledged unheld

    icb.start()
    again = Syncer(demo, FULL_BATCHES).run_pass()

    assert again.result == "done", again.reason
    assert again.needs_attention == 0
    assert_exactly_once(icb, demo, produced)
