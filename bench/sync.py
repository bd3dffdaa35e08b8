"""Syncing 10,000 outbox events to the reference ICB service over loopback, and the service's
own ingest rate.

The service runs as its own process (`python -m icb_service.cli serve`) on SQLite in the
scratch folder, or on PostgreSQL when GROUPCLINIC_TEST_POSTGRES_URL is set (a fresh schema).
The laptop side is the app's real Syncer with production tuning. The baseline is the service
alone: the very batches the laptop sent, posted again straight from httpx with new event ids,
so the ratio is the laptop's own cost (reading, pseudonymising, sealing, acknowledging) beyond
what it overlaps with the service's work.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from bench import DEMO, ROOT, TEN_YEARS, Context, Figure, open_clinic, timed
from bench.service_health import wait_until_healthy

POSTGRES_ENV = "GROUPCLINIC_TEST_POSTGRES_URL"
# Issue 26, point 2: on SQLite and on PostgreSQL, judged on the medians of the run.
BUDGET_EVENTS_PER_S = 3_000
BUDGET_SERVICE_EVENTS_PER_S = 5_000


class Service:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
        self.schema: str | None = None
        postgres = os.environ.get(POSTGRES_ENV)
        if postgres:
            from sqlalchemy import create_engine, text

            self.schema = f"bench_{uuid.uuid4().hex[:10]}"
            self.admin = create_engine(postgres)
            with self.admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.db_url = f"{postgres}?options=-csearch_path%3D{self.schema}"
            self.database = "postgresql"
        else:
            self.db_url = f"sqlite:///{workdir / 'icb.sqlite3'}"
            self.database = "sqlite"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = self._cli("add-practice", "Y99999", "--name", "Bench Surgery")
        self.log = (workdir / "icb.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "icb_service.cli", "--db", self.db_url, "serve", "--port",
             str(self.port), "--rate-per-minute", "10000000"],
            stdout=self.log, stderr=self.log, env=self.env, cwd=ROOT,
        )
        wait_until_healthy(self.url, self.process, 60, "icb.log")

    def _cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "icb_service.cli", "--db", self.db_url, *args],
            capture_output=True, text=True, env=self.env, cwd=ROOT, timeout=120, check=True,
        )
        return out.stdout.strip()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.log.close()
        if self.schema:
            from sqlalchemy import text

            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()


def fill_outbox(clinic: Any, count: int) -> None:
    """`count` pending measurement events, copies of the store's own, each with a new id."""
    from sqlalchemy import delete, insert
    from sqlmodel import Session, select

    from groupclinic_desktop.core.schema import OutboxEvent

    with Session(clinic.engine) as s:
        templates = list(s.exec(select(OutboxEvent).where(OutboxEvent.type == "measurement")))
    assert templates, "the store has no measurement events to copy"
    rows = []
    for n in range(count):
        event = templates[n % len(templates)]
        rows.append({"uid": str(uuid.uuid4()), "type": event.type,
                     "schema_version": event.schema_version, "occurred_at": event.occurred_at,
                     "payload": event.payload, "attempts": 0, "last_error": None,
                     "needs_attention": False})
    with clinic.engine.begin() as conn:
        conn.execute(delete(OutboxEvent))
        for start in range(0, len(rows), 5000):
            conn.execute(insert(OutboxEvent), rows[start:start + 5000])


def run(ctx: Context, env: dict[str, str]) -> list[Figure]:
    import httpx

    from groupclinic_desktop.core.clinic import SYSTEM
    from groupclinic_desktop.sync import config
    from groupclinic_desktop.sync.client import ServiceClient
    from groupclinic_desktop.sync.engine import Syncer

    count = 500 if ctx.quick else 10_000
    runs = ctx.repeats(3, 1)
    figures: list[Figure] = []
    workdir = ctx.scratch / "icb"
    workdir.mkdir(exist_ok=True)
    service = Service(workdir, env)
    try:
        for store in (DEMO, TEN_YEARS):
            sync_times, ingest_times = [], []
            for attempt in range(runs):
                with open_clinic(ctx.copy_store(store, f"sync-{attempt}")) as clinic:
                    with clinic.acting_as(SYSTEM):
                        config.set_token(clinic, service.token)
                        clinic.set_sync_settings(service.url, token_changed=True)
                    fill_outbox(clinic, count)
                    sent: list[dict[str, Any]] = []

                    class Recording(ServiceClient):
                        # The body itself, not a copy: the app never changes a body once sent,
                        # and copying 10,000 events would charge the bench's cost to the app.
                        def send(self, body: dict[str, Any]) -> Any:
                            sent.append(body)
                            return super().send(body)

                    syncer = Syncer(clinic, client_factory=lambda u, t, s: Recording(
                        u, t, timeout=s))

                    def sync_all() -> None:
                        while True:
                            report = syncer.run_pass()
                            if report.result != "done" or report.remaining == 0:
                                break
                        if clinic.outbox_summary()[0]:
                            raise RuntimeError(f"sync stopped: {report.result} {report.reason}")

                    sync_times.append(timed(sync_all))
                sent = [{**body, "events": [{**event, "id": str(uuid.uuid4())}
                                            for event in body["events"]]} for body in sent]
                with httpx.Client(base_url=service.url, timeout=60, headers={
                        "Authorization": f"Bearer {service.token}"}) as http:

                    def ingest() -> None:
                        for body in sent:
                            response = http.post("/v1/events", json=body)
                            response.raise_for_status()

                    ingest_times.append(timed(ingest))
            end_to_end = count / statistics.median(sync_times)
            service_alone = count / statistics.median(ingest_times)
            figure = Figure(
                f"sync {count:,} outbox events (loopback)", store, sync_times,
                baseline=f"service ingest alone ({service.database})",
                baseline_samples=ingest_times,
                budget=(f">= {BUDGET_EVENTS_PER_S:,} events/s end to end and "
                        f">= {BUDGET_SERVICE_EVENTS_PER_S:,} events/s service alone (medians)"),
                within_budget=(end_to_end >= BUDGET_EVENTS_PER_S
                               and service_alone >= BUDGET_SERVICE_EVENTS_PER_S),
                extra={"events": count, "events_per_s": round(count / min(sync_times)),
                       "events_per_s_median": round(end_to_end),
                       "service_database": service.database,
                       "service_ingest_events_per_s": round(count / min(ingest_times)),
                       "service_ingest_events_per_s_median": round(service_alone)},
            )
            figures.append(figure)
    finally:
        service.close()
    return figures
