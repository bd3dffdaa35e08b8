"""The ICB service at scale, on PostgreSQL: ingest over HTTP, read latency, size on disk.

`python -m bench --only icb` (full size: 1,000 practices in 10 ICBs, ten years, about 20 million
events) or `--quick` (a few practices, two years). The events come from bench/icb_data.py and are
written with COPY into their own schema of the PostgreSQL in GROUPCLINIC_TEST_POSTGRES_URL, then
the service's own summary rebuild runs (when the service has one). The schema is kept: the next
run with the same size, generator version and migration head reuses it. To drop it:

    psql "$URL" -c 'DROP SCHEMA icbbench_<label> CASCADE'   # names listed by --icb-list

Measures, each with a baseline from the same run:
- ingest: several clients posting 500-event batches with practice tokens to the real app under
  uvicorn on loopback (a fresh schema), against a raw INSERT ... SELECT of the same rows;
- read latency p50/p95 of the aggregate endpoints and the dashboard at practice, PCN and ICB
  level for the last year and for all ten, against GET /v1/health on the same server;
- database size per million events (event and summary tables).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import ROOT, Context, Figure
from bench.icb_data import (
    GENERATOR_VERSION,
    Event,
    Practice,
    Size,
    payload_text,
    practice_events,
    register,
)
from bench.service_health import wait_until_healthy
from icb_service.protocol import content_fingerprint

POSTGRES_ENV = "GROUPCLINIC_TEST_POSTGRES_URL"
FULL = Size(practices=1000, years=10)
QUICK = Size(practices=4, years=2)
# Issue 22, point 5.
BUDGET_INGEST_EVENTS_PER_S = 5_000
BUDGET_READ_P95_S = 0.200
BUDGET_GROWTH = 2.0  # all years against the last year, p50 against p50 (growth_figures)
CLIENTS = 4
BATCH = 500
READ_EVERY_S = 0.5  # an analyst's reads during the last ingest run
# Ingest statements slower than this have their plans kept (a batch should take well under
# 100 ms for 5,000 events/s).
INGEST_EXPLAIN_MS = 20
# Practices generated in Python; the rest are made from them in SQL (_tile), which is about
# twenty times faster on this machine than generating 20 million events in Python.
TEMPLATE_PRACTICES = 100
COLUMNS = ("id", "practice_code", "seq", "type", "schema_version", "occurred_at", "received_at",
           "content_sha256", "payload")


def say_load(say: Callable[[str], None], text: str) -> None:
    load = os.getloadavg()
    say(f"{text} (load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")


def load_now() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ---------------------------------------------------------------------------- the database


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        raise RuntimeError(f"the ICB bench needs PostgreSQL: eval \"$(bash .ci/postgres.sh)\" "
                           f"to set {POSTGRES_ENV}")
    return url


def schema_url(schema: str) -> str:
    return f"{postgres_url()}?options=-csearch_path%3D{schema}"


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    from icb_service.db import MIGRATIONS

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


# What the loaded schema depends on besides the generator: the tables and how summaries are
# rebuilt. Any change to these files makes a new cached schema (the rows are kept).
SCHEMA_SOURCES = ("migrations/versions/*.py", "summaries.py", "summary_tables.py",
                  "partitions.py", "models.py")


def schema_fingerprint() -> str:
    from icb_service.db import MIGRATIONS

    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{migration_head()}".encode())
    package = MIGRATIONS.parent
    for pattern in SCHEMA_SOURCES:
        for path in sorted(package.glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:8]


def cache_schema(size: Size) -> str:
    """The cached schema's name: the size, and the generator's version with the schema's and
    summaries' source (schema_fingerprint)."""
    return f"icbbench_{size.label}_{schema_fingerprint()}"


@contextmanager
def admin() -> Iterator[Any]:
    import psycopg

    with psycopg.connect(libpq_url(postgres_url()), autocommit=True) as conn:
        yield conn


def cached_schemas() -> list[str]:
    with admin() as conn:
        return [name for (name,) in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'icbbench%' ORDER BY 1")]


def fresh_schema(prefix: str) -> str:
    """A new empty schema brought to the migration head (the caller drops it)."""
    from icb_service.db import open_database

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    open_database(schema_url(schema)).dispose()
    return schema


def drop_schema(schema: str) -> None:
    with admin() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def register_practices(engine: Any, practices: list[Practice]) -> dict[str, str]:
    """The organisation register through the service's own door (names, PCNs and ICBs where
    the service knows them); a practice token for each practice."""
    import inspect

    from icb_service import accounts

    with_pcn = "pcn" in inspect.signature(accounts.add_practice).parameters
    tokens = {}
    for p in practices:
        if with_pcn:
            tokens[p.code] = accounts.add_practice(
                engine, p.code, p.name, pcn=p.pcn, pcn_name=p.pcn_name, icb=p.icb,
                icb_name=p.icb_name)  # type: ignore[call-arg]
        else:
            tokens[p.code] = accounts.add_practice(engine, p.code, p.name)
    if not with_pcn:
        _place_in_register(engine, practices)
    return tokens


def _place_in_register(engine: Any, practices: list[Practice]) -> None:
    """PCNs and ICBs straight into the register's tables, where the service has them but its
    add_practice does not take them yet."""
    from sqlalchemy import update
    from sqlalchemy.dialects.postgresql import insert

    from icb_service import models

    if not hasattr(models, "Pcn"):
        return  # the service before issue 22: practices only
    icb, pcn, practice = (models.Icb.__table__, models.Pcn.__table__,  # type: ignore[attr-defined]
                          models.Practice.__table__)
    with engine.begin() as conn:
        conn.execute(insert(icb).on_conflict_do_nothing(), [
            {"code": c, "name": n} for c, n in sorted({(p.icb, p.icb_name) for p in practices})])
        conn.execute(insert(pcn).on_conflict_do_nothing(), [
            {"code": c, "name": n, "icb_code": i}
            for c, n, i in sorted({(p.pcn, p.pcn_name, p.icb) for p in practices})])
        for p in practices:
            conn.execute(update(practice).where(practice.c.code == p.code).values(
                pcn_code=p.pcn, icb_code=p.icb))


def copy_line(event: Event) -> str:
    """One event as a COPY text line, as the service's intake would have stored it."""
    received = event.occurred_at + dt.timedelta(minutes=7)
    sha = content_fingerprint(event.type, event.schema_version, event.occurred_at, event.payload)
    # Our generated text holds no tab, newline or backslash, so it needs no COPY escaping.
    return (f"{event.id}\t{event.practice}\t{event.seq}\t{event.type}\t{event.schema_version}\t"
            f"{event.occurred_at.isoformat(' ')}\t{received.isoformat(' ')}\t{sha}\t"
            f"{payload_text(event.payload)}\n")


def copy_events(conn: Any, table: str, events: Iterable[Event], chunk: int = 2000) -> int:
    """COPY the events into `table` on a psycopg connection; how many were written."""
    written = 0
    with conn.cursor() as cur, cur.copy(
            f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        lines: list[str] = []
        for event in events:
            lines.append(copy_line(event))
            if len(lines) >= chunk:
                copy.write("".join(lines))
                written += len(lines)
                lines = []
        if lines:
            copy.write("".join(lines))
            written += len(lines)
    return written


def partitions_module() -> Any:
    """icb_service.partitions where the service partitions its events (migration 0003 on)."""
    try:
        from icb_service import partitions  # type: ignore[attr-defined]
    except ImportError:
        return None
    return partitions


def end_day() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def rows_schema(size: Size) -> str:
    """Where the generated rows are kept, whatever the service's schema: the size and the
    generator's version only, so a new migration reloads from here instead of generating."""
    return f"icbbench_rows_{size.label}_g{GENERATOR_VERSION}"


def _description(conn: Any, schema: str) -> dict[str, Any] | None:
    done = conn.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
        "AND table_name = 'bench_generated'", (schema,)).fetchone()
    if not done:
        return None
    (text,) = conn.execute(f'SELECT description FROM "{schema}".bench_generated').fetchone()
    return dict(json.loads(text))


def _mark(schema: str, description: dict[str, Any]) -> None:
    with admin() as conn:
        conn.execute(f'CREATE TABLE "{schema}".bench_generated (description text)')
        conn.execute(f'INSERT INTO "{schema}".bench_generated VALUES (%s)',
                     (json.dumps(description),))


def generated_rows(size: Size, say: Callable[[str], None]) -> dict[str, Any]:
    """The size's events as rows of a plain table (COPY, no index), made once and kept."""
    import psycopg

    schema = rows_schema(size)
    with admin() as conn:
        found = _description(conn, schema)
        if found:
            return found
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # an interrupted load
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f"""CREATE TABLE "{schema}".rows (
            id varchar(36) NOT NULL, practice_code varchar(10) NOT NULL, seq bigint NOT NULL,
            type varchar(40) NOT NULL, schema_version integer NOT NULL,
            occurred_at timestamp NOT NULL, received_at timestamp NOT NULL,
            content_sha256 varchar(64) NOT NULL, payload text NOT NULL)""")
    larger = _larger_rows(size)
    if larger is not None:
        return _subset_rows(size, schema, larger, say)
    started = time.perf_counter()
    end = end_day()
    say_load(say, f"  generating {size.label}: about {size.expected_events():,} events "
                  f"into {schema}")
    events = 0
    practices = register(size.practices)
    templates = practices[:TEMPLATE_PRACTICES]
    with psycopg.connect(libpq_url(postgres_url())) as conn:
        conn.execute("SET synchronous_commit = off")
        group = 25
        for first in range(0, len(templates), group):
            events += copy_events(conn, f'"{schema}".rows', (
                event for practice in templates[first:first + group]
                for event in practice_events(practice, size.years, end)))
            conn.commit()
            say_load(say, f"    {min(first + group, len(templates)):,} practices, "
                          f"{events:,} events, {time.perf_counter() - started:.0f} s")
        for copy in range(1, -(-len(practices) // len(templates))):
            events += _tile(conn, schema, templates,
                            practices[copy * len(templates):(copy + 1) * len(templates)], copy)
            conn.commit()
            say_load(say, f"    {min((copy + 1) * len(templates), len(practices)):,} practices, "
                          f"{events:,} events, {time.perf_counter() - started:.0f} s")
    description = {"practices": size.practices, "years": size.years, "events": events,
                   "end": end.isoformat(), "generator_version": GENERATOR_VERSION,
                   "generate_and_copy_s": round(time.perf_counter() - started, 1)}
    _mark(schema, description)
    return description


def _larger_rows(size: Size) -> dict[str, Any] | None:
    """A complete cache of more practices over the same years whose register starts with this
    size's practices (same ICBs and PCNs), so this size is a part of it."""
    with admin() as conn:
        for (name,) in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                (f"icbbench_rows_%p{size.years}y_g{GENERATOR_VERSION}",)).fetchall():
            found = _description(conn, name)
            if (found and found["practices"] > size.practices
                    and register(found["practices"])[:size.practices] == register(size.practices)):
                return {**found, "schema": name}
    return None


def _subset_rows(size: Size, schema: str, larger: dict[str, Any],
                 say: Callable[[str], None]) -> dict[str, Any]:
    started = time.perf_counter()
    codes = [p.code for p in register(size.practices)]
    say_load(say, f"  taking {size.label} from {larger['schema']}")
    with admin() as conn:
        conn.execute(f'INSERT INTO "{schema}".rows SELECT * FROM "{larger["schema"]}".rows '
                     f"WHERE practice_code = ANY(%s)", (codes,))
        (events,) = conn.execute(f'SELECT count(*) FROM "{schema}".rows').fetchone()
    description = {"practices": size.practices, "years": size.years, "events": events,
                   "end": larger["end"], "generator_version": GENERATOR_VERSION,
                   "taken_from": larger["schema"],
                   "generate_and_copy_s": round(time.perf_counter() - started, 1)}
    _mark(schema, description)
    return description


def _tile(conn: Any, schema: str, templates: list[Practice], practices: list[Practice],
          copy: int) -> int:
    """The events of `practices` made in SQL from those of the templates (the n-th practice
    from the n-th template): new event ids, the practice's own code and PCN in the payload, and
    the first hex digit of every session, person and goal id set to the copy's number, so ids
    stay unique and UUID4. Their content_sha256 is a hash of the new content (a bench event is
    never sent again, so the protocol's canonical fingerprint is not needed)."""
    mapping = [(t.code, p.code, t.pcn, p.pcn) for t, p in zip(templates, practices, strict=False)]
    conn.execute("CREATE TEMPORARY TABLE IF NOT EXISTS tile (template varchar(10), code "
                 "varchar(10), template_pcn varchar(10), pcn varchar(10))")
    conn.execute("TRUNCATE tile")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO tile VALUES (%s, %s, %s, %s)", mapping)
    result = conn.execute(f"""
        INSERT INTO "{schema}".rows ({', '.join(COLUMNS)})
        SELECT n.id, t.code, r.seq, r.type, r.schema_version, r.occurred_at, r.received_at,
               encode(sha256(convert_to(n.id || n.payload, 'UTF8')), 'hex'), n.payload
        FROM "{schema}".rows r JOIN tile t ON t.template = r.practice_code,
             LATERAL (SELECT gen_random_uuid()::text AS id,
                             replace(replace(regexp_replace(r.payload,
                                 '("(session_uid|subject|goal_uid)": ")[0-9a-f]',
                                 '\\1{copy % 16:x}', 'g'),
                                 '"' || t.template || '"', '"' || t.code || '"'),
                                 '"' || t.template_pcn || '"', '"' || t.pcn || '"') AS payload
                     ) n
    """)
    return result.rowcount


def loaded_store(size: Size, say: Callable[[str], None]) -> dict[str, Any]:
    """The service's schema at today's migration head holding the size's events, with its
    summaries rebuilt; made now from the generated rows if missing. Its description."""
    schema = cache_schema(size)
    with admin() as conn:
        found = _description(conn, schema)
        if found:
            say(f"  reusing the cached ICB store {schema}")
            return found
    rows = generated_rows(size, say)
    with admin() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # an interrupted load
        conn.execute(f'CREATE SCHEMA "{schema}"')
    from icb_service.db import open_database

    engine = open_database(schema_url(schema))
    register_practices(engine, register(size.practices))
    say_load(say, f"  loading {rows['events']:,} events into the service's tables ({schema})")
    started = time.perf_counter()
    with admin() as conn:
        (payload_type,) = conn.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'event' AND column_name = 'payload'", (schema,)).fetchone()
        columns = ", ".join(COLUMNS)
        source = f'"{rows_schema(size)}".rows'
        if partitions_module() is not None:
            # A partition for every month of receipt first, as the service makes them.
            first, last = conn.execute(
                f"SELECT min(received_at), max(received_at) FROM {source}").fetchone()
            with engine.begin() as service:
                partitions_module().make_months(service, first.date(), last.date())
        conn.execute(f'INSERT INTO "{schema}".event ({columns}) '
                     f'SELECT {columns.replace("payload", f"payload::{payload_type}")} '
                     f'FROM {source}')
        if conn.execute("SELECT to_regclass(%s)", (f'"{schema}".event_id',)).fetchone()[0]:
            # Where the service keeps each id once, outside the partitions.
            conn.execute(f'INSERT INTO "{schema}".event_id (id, practice_code, content_sha256) '
                         f"SELECT id, practice_code, content_sha256 FROM {source}")
    copied = time.perf_counter() - started
    rebuilt = None
    try:
        from icb_service import summaries  # type: ignore[attr-defined]
    except ImportError:
        summaries = None
    if summaries is not None:
        say_load(say, f"  loaded in {copied:.0f} s; rebuilding the summary tables")
        t = time.perf_counter()
        summaries.rebuild(engine)
        rebuilt = time.perf_counter() - t
    engine.dispose()
    with admin() as conn:
        conn.execute(f'ANALYZE "{schema}".event')
        if summaries is not None:
            # What autovacuum does soon after a load this size: the visibility map lets the
            # reports' index-only scans (each roll-up's key holds its counts) skip the table.
            for (table,) in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                    "AND (table_name LIKE '%%\\_month' OR table_name LIKE '%%\\_year')",
                    (schema,)).fetchall():
                conn.execute(f'VACUUM "{schema}"."{table}"')
    description = {
        **rows, "schema": schema, "migration_head": migration_head(),
        "load_s": round(copied, 1), "rebuild_s": None if rebuilt is None else round(rebuilt, 1),
        "load_average_after": load_now(),
    }
    _mark(schema, description)
    say_load(say, f"  loaded {rows['events']:,} events in {copied:.0f} s"
                  + (f", summaries rebuilt in {rebuilt:.0f} s" if rebuilt else ""))
    return description


def database_size(schema: str, events: int) -> dict[str, Any]:
    """Bytes of the event table (with its partitions and indexes) and of the summary tables."""
    # The events as stored (and the id table that keeps each id once), the register and the
    # service's own bookkeeping; every other table is a summary.
    event_tables = {"event", "event_id"}
    service_tables = event_tables | {"practice", "pcn", "icb", "token", "rate_bucket",
                                     "alembic_version", "bench_generated", "report_level",
                                     "report_dimension"}
    with admin() as conn:
        rows = conn.execute("""
            SELECT c.relname, c.relkind, c.relispartition,
                   COALESCE((SELECT sum(pg_total_relation_size(t.relid))
                             FROM pg_partition_tree(c.oid) t), pg_total_relation_size(c.oid))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
        """, (schema,)).fetchall()
    sizes = {name: int(total) for name, _kind, _part, total in rows}
    event_bytes = sum(sizes.get(name, 0) for name in event_tables)
    summary = {name: size for name, size in sizes.items() if name not in service_tables}
    per_million = 1_000_000 / max(1, events)
    return {
        "events": events,
        "event_table_bytes": event_bytes,
        "summary_tables_bytes": sum(summary.values()),
        "summary_tables": summary,
        "event_mb_per_million_events": round(event_bytes * per_million / 2**20, 1),
        "summary_mb_per_million_events": round(sum(summary.values()) * per_million / 2**20, 1),
    }


# ---------------------------------------------------------------------------- the service


class Service:
    """The real app under uvicorn, in its own process, on one schema."""

    def __init__(self, schema: str, workdir: Path, env: dict[str, str],
                 explain_over_ms: int | None = None) -> None:

        self.db_url = schema_url(schema)
        if explain_over_ms is not None:
            # PostgreSQL's auto_explain: the plan, with actual times, of every statement of the
            # service slower than this goes to the server's log (see slow_plans).
            self.db_url += ("%20-csession_preload_libraries%3Dauto_explain"
                            f"%20-cauto_explain.log_min_duration%3D{explain_over_ms}"
                            "%20-cauto_explain.log_analyze%3Don"
                            "%20-cauto_explain.log_buffers%3Don")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
        self.log = (workdir / f"icb-{schema}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "icb_service.cli", "--db", self.db_url, "serve", "--port",
             str(self.port), "--rate-per-minute", "10000000"],
            stdout=self.log, stderr=self.log, env=self.env, cwd=ROOT,
        )
        wait_until_healthy(self.url, self.process, 120)

    def reports_ready(self, patience_s: float = 900) -> float:
        """Seconds until the service says the reports it decides ahead are decided (its
        health's `reports_ready`; a service from before that flag is ready at once)."""
        import httpx

        began = time.monotonic()
        while not httpx.get(f"{self.url}/v1/health", timeout=10).json().get(
                "reports_ready", True):
            if self.process.poll() is not None or time.monotonic() - began > patience_s:
                raise RuntimeError("the ICB service never finished deciding its reports")
            time.sleep(0.2)
        return time.monotonic() - began

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def practice_tokens(schema: str, practices: list[Practice]) -> dict[str, str]:
    from icb_service.db import make_engine

    engine = make_engine(schema_url(schema))
    try:
        return register_practices(engine, practices)
    finally:
        engine.dispose()


def analyst_token(schema: str) -> str:
    from icb_service import accounts
    from icb_service.db import make_engine

    engine = make_engine(schema_url(schema))
    try:
        return accounts.add_analyst(engine, "Bench analyst")
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- ingest


def ingest_run(practices: list[Practice], events: list[Event], workdir: Path,
               env: dict[str, str], reads: list[float] | None = None
               ) -> tuple[float, float, float, float, int]:
    """Post the events over HTTP from CLIENTS threads into a fresh schema, then INSERT ... SELECT
    the same rows into another fresh schema. (app seconds until the summaries are current,
    baseline seconds, seconds until every batch was stored, seconds until the year roll-up's
    pending counts were folded in, events).

    With `reads`, an analyst meanwhile asks for the first practice's ICB report every
    READ_EVERY_S seconds until the summaries are current; each read's seconds go there."""
    import httpx
    import psycopg

    app_schema = fresh_schema("icbbench_ingest")
    base_schema = fresh_schema("icbbench_raw")
    try:
        tokens = practice_tokens(app_schema, practices)
        reader = analyst_token(app_schema) if reads is not None else ""
        # The baseline's rows: the same events, staged unlogged, then one INSERT ... SELECT.
        from icb_service.db import make_engine

        base_engine = make_engine(schema_url(base_schema))
        register_practices(base_engine, practices)
        if partitions_module() is not None:
            partitions_module().ensure_current(base_engine, dt.datetime.now(dt.UTC))
        base_engine.dispose()
        with psycopg.connect(libpq_url(schema_url(base_schema))) as conn:
            conn.execute("CREATE UNLOGGED TABLE staged (LIKE event INCLUDING DEFAULTS)")
            copy_events(conn, "staged", events)
            conn.commit()
        by_practice: dict[str, list[Event]] = {}
        for event in events:
            by_practice.setdefault(event.practice, []).append(event)
        # A practice's laptop sends its batches one after another, in order; the clients are
        # several practices sending at once.
        laptops = [[{"protocol_version": 3, "practice": code,
                     "events": [e.as_sent() for e in chunk[start:start + BATCH]]}
                    for start in range(0, len(chunk), BATCH)]
                   for code, chunk in by_practice.items()]
        service = Service(app_schema, workdir, env, explain_over_ms=INGEST_EXPLAIN_MS)
        errors: list[str] = []
        try:
            # A service that has just started decides its kept reports once (report_warmer);
            # a running one has long done so, so the clock starts after that.
            service.reports_ready()
            queue = list(laptops)
            lock = threading.Lock()

            def client() -> None:
                with httpx.Client(base_url=service.url, timeout=120) as http:
                    while True:
                        with lock:
                            if not queue or errors:
                                return
                            batches = queue.pop()
                        for body in batches:
                            response = http.post("/v1/events", json=body, headers={
                                "Authorization": f"Bearer {tokens[body['practice']]}"})
                            if response.status_code != 200:
                                errors.append(f"{response.status_code} {response.text[:200]}")
                                return
                            bad = [r for r in response.json()["results"]
                                   if r["status"] != "stored"]
                            if bad:
                                errors.append(f"not stored: {bad[0]}")
                                return

            current = threading.Event()

            def analyst() -> None:
                # What an ICB analyst meets who opens the report while practices upload.
                query = {"level": "icb", "code": practices[0].icb}
                with httpx.Client(base_url=service.url, timeout=120) as http:
                    while not current.is_set():
                        began = time.perf_counter()
                        response = http.get("/v1/monitoring", params=query, headers={
                            "Authorization": f"Bearer {reader}"})
                        if response.status_code != 200:
                            errors.append(f"read: {response.status_code} {response.text[:200]}")
                            return
                        assert reads is not None
                        reads.append(time.perf_counter() - began)
                        current.wait(READ_EVERY_S)

            threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
            if reads is not None:
                threads.append(threading.Thread(target=analyst))
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads[:CLIENTS]:
                thread.join()
            stored_seconds = time.perf_counter() - started
            # The budget is to the summaries being current: every stored event counted in them
            # (the service's own drainer applies the queue; nothing here applies it).
            with psycopg.connect(libpq_url(schema_url(app_schema))) as conn:
                while conn.execute("SELECT count(*) FROM summary_queue").fetchone()[0]:
                    conn.commit()
                    time.sleep(0.05)
            app_seconds = time.perf_counter() - started
            current.set()
            for thread in threads[CLIENTS:]:
                thread.join()
            # The year counts the applies left pending, folded into the year roll-up by the
            # drainer once the uploads paused: beside the budget, since no figure waits for it.
            with psycopg.connect(libpq_url(schema_url(app_schema))) as conn:
                while conn.execute("SELECT count(*) FROM change_year_delta").fetchone()[0]:
                    conn.commit()
                    if time.perf_counter() - started > app_seconds + 120:
                        raise RuntimeError("the year roll-up was not folded within 2 minutes")
                    time.sleep(0.05)
            years_seconds = time.perf_counter() - started
        finally:
            service.close()
        if errors:
            log = (workdir / f"icb-{app_schema}.log").read_text("utf-8", "replace")
            raise RuntimeError(f"ingest failed: {errors[0]}; the service's log ends:\n"
                               f"{log[-4000:]}")
        with psycopg.connect(libpq_url(schema_url(base_schema))) as conn:
            # Received now, as the service stores them (so into this month's partition).
            conn.execute("UPDATE staged SET received_at = now() AT TIME ZONE 'UTC'")
            conn.commit()
            ids = conn.execute("SELECT to_regclass('event_id')").fetchone()[0]
            started = time.perf_counter()
            conn.execute(f"INSERT INTO event ({', '.join(COLUMNS)}) "
                         f"SELECT {', '.join(COLUMNS)} FROM staged")
            if ids:  # the service's table of ids, each held once
                conn.execute("INSERT INTO event_id (id, practice_code, content_sha256) "
                             "SELECT id, practice_code, content_sha256 FROM staged")
            conn.commit()
            base_seconds = time.perf_counter() - started
        return app_seconds, base_seconds, stored_seconds, years_seconds, len(events)
    finally:
        drop_schema(app_schema)
        drop_schema(base_schema)


def measure_ingest(ctx: Context, env: dict[str, str]) -> list[Figure]:
    """The ingest figure, and the ICB report's latency while the last run's uploads go on."""
    runs = ctx.repeats(3, 1)
    reads: list[float] = []
    practices_a_run = 2 if ctx.quick else 20
    app_times, base_times, stored_times, years_times, counts = [], [], [], [], []
    end = end_day()
    log = server_log()
    offset = log.stat().st_size if log else 0
    for attempt in range(runs):
        # Practices the loaded store does not hold, a year each: about 2,000 events a practice.
        practices = register(practices_a_run, first=50_000 + attempt * practices_a_run)
        events = [e for p in practices for e in practice_events(p, 1, end, seed=attempt)]
        # The reads add a little work of their own, so only the last run has them.
        app, base, stored, years, count = ingest_run(
            practices, events, ctx.scratch, env, reads if attempt == runs - 1 else None)
        app_times.append(app)
        base_times.append(base)
        stored_times.append(stored)
        years_times.append(years)
        counts.append(count)
        say_load(ctx.say, f"  ingest run {attempt + 1}: {count / app:,.0f} events/s over HTTP "
                          f"until the summaries are current ({count / stored:,.0f}/s stored), "
                          f"{count / base:,.0f} events/s INSERT ... SELECT; year roll-up "
                          f"folded {years - app:.1f} s after that")
    count = counts[0]
    rate = count / statistics.median(app_times)
    if not reads:
        raise RuntimeError("no ICB report was read during the ingest run")
    say_load(ctx.say, f"  ICB report read during the last run's uploads: {len(reads)} reads, "
                      f"p50 {percentile(reads, 0.5) * 1000:,.0f} ms, "
                      f"p95 {percentile(reads, 0.95) * 1000:,.0f} ms, "
                      f"longest {max(reads) * 1000:,.0f} ms")
    during = Figure(
        "ICB report (/v1/monitoring, ICB level) read during an ingest run", "icb", reads,
        extra={"reads": len(reads), "read_every_s": READ_EVERY_S,
               "p95_s": round(percentile(reads, 0.95), 4), "longest_s": round(max(reads), 4)})
    return [Figure(
        f"ICB ingest {count:,} events over HTTP, {CLIENTS} clients, {BATCH} a batch, until the "
        "summaries are current", "icb",
        app_times, baseline="raw INSERT ... SELECT of the same rows", baseline_samples=base_times,
        budget=f">= {BUDGET_INGEST_EVENTS_PER_S:,} events/s (median)",
        within_budget=rate >= BUDGET_INGEST_EVENTS_PER_S,
        extra={"events": count, "events_per_s_median": round(rate),
               "events_per_s_best": round(count / min(app_times)),
               "stored_events_per_s_median": round(count / statistics.median(stored_times)),
               # From current to the year roll-up folded (the drainer's pause, then the fold).
               "years_folded_after_s_median": round(statistics.median(
                   y - a for y, a in zip(years_times, app_times, strict=True)), 2),
               "baseline_events_per_s_median": round(count / statistics.median(base_times)),
               "clients": CLIENTS, "load_average": load_now(),
               "slow_statement_plans": _distinct(slow_plans(log, offset))[:20]},
    ), during]


# ---------------------------------------------------------------------------- reads


def server_log() -> Path | None:
    """The PostgreSQL server's log as .ci/postgres.sh writes it, when this process can read it."""
    try:
        with admin() as conn:
            (data,) = conn.execute("SHOW data_directory").fetchone()
        log = Path(data).parent / "server.log"
        return log if log.is_file() and os.access(log, os.R_OK) else None
    except Exception:  # noqa: BLE001 - the plans are a help, never a reason to fail the run
        return None


def slow_plans(log: Path | None, offset: int) -> list[dict[str, Any]]:
    """auto_explain's entries written to the server log since `offset`: duration, the
    statement's first line and the plan."""
    if log is None:
        return []
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", "replace")
    plans = []
    for entry in re.split(r"\n(?=\d{4}-\d\d-\d\d )", text):
        found = re.search(r"LOG:  duration: ([0-9.]+) ms  plan:\n(.*)", entry, re.S)
        if not found:
            continue
        block = found.group(2)
        query = re.search(r"Query Text: (.*)", block)
        plans.append({"duration_ms": float(found.group(1)),
                      "query": query.group(1)[:300] if query else "",
                      "plan": block[:12000]})
    return sorted(plans, key=lambda p: -p["duration_ms"])


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def read_targets(openapi: dict[str, Any], store: dict[str, Any]
                 ) -> list[tuple[str, str, str, Callable[[int], dict[str, str]]]]:
    """(endpoint, level, period, params for the n-th sample) for every read to time.

    With the monitoring report (period and level parameters) every endpoint is read at
    practice, PCN and ICB level for the last year and for all years; without it (the service
    before issue 22) today's endpoints are read for one practice and for everything."""
    practices = register(store["practices"])
    end = dt.date.fromisoformat(store["end"])
    last = f"{end.year:04d}-{end.month:02d}"
    year_ago = end.replace(day=1) - dt.timedelta(days=334)
    periods = {"1 year": {"from": f"{year_ago.year:04d}-{year_ago.month:02d}", "to": last},
               f"{store['years']} years": {}}
    paths = openapi.get("paths", {})
    pcns = sorted({p.pcn for p in practices})
    icbs = sorted({p.icb for p in practices})

    def pick(codes: list[str]) -> Callable[[int], str]:
        return lambda n: codes[(n * 37) % len(codes)]

    targets: list[tuple[str, str, str, Callable[[int], dict[str, str]]]] = []
    codes = [p.code for p in practices]
    if "/v1/monitoring" in paths:
        endpoints = ["/v1/monitoring", "/v1/monitoring.csv", "/v1/aggregates",
                     "/v1/aggregates/organisations", "/dashboard"]
        for endpoint in endpoints:
            if endpoint not in paths:
                continue
            for level, scope in (("practice", pick(codes)), ("pcn", pick(pcns)),
                                 ("icb", pick(icbs))):
                for period, params in periods.items():
                    targets.append((endpoint, level, period, lambda n, s=scope, lv=level,
                                    pr=params: {"level": lv, "code": s(n), **pr}))
    else:
        one_practice = pick(codes)
        for endpoint in ("/v1/aggregates", "/v1/aggregates/organisations", "/dashboard"):
            targets.append((endpoint, "practice", "all", lambda n: {
                "practice": one_practice(n)}))
            targets.append((endpoint, "everything", "all", lambda n: {}))
    return targets


def measure_reads(ctx: Context, store: dict[str, Any], env: dict[str, str], samples: int,
                  patience_s: float, endpoints: list[str] | None = None
                  ) -> tuple[list[Figure], list[dict[str, Any]], list[dict[str, Any]]]:
    """p50 and p95 of each read, interleaved with GET /v1/health on the same server; and the
    plans of the service's statements that took over half the read budget (auto_explain)."""
    import httpx

    token = analyst_token(store["schema"])
    log = server_log()
    offset = log.stat().st_size if log else 0
    service = Service(store["schema"], ctx.scratch, env,
                      explain_over_ms=round(BUDGET_READ_P95_S * 1000 / 2))
    figures = []
    refused: list[dict[str, Any]] = []
    try:
        # Reads are timed as an analyst meets them once the service is up: after it has
        # decided the reports it decides ahead (reported here, without a budget).
        warm_s = service.reports_ready()
        figures.append(Figure(
            "ICB reports decided ahead after start-up", f"icb-{store['practices']}p"
            f"{store['years']}y", [warm_s], extra={"events": store["events"],
                                                  "load_average": load_now()}))
        ctx.say(f"  ICB reports decided ahead after start-up: {warm_s:.1f} s")
        with httpx.Client(base_url=service.url, timeout=600, headers={
                "Authorization": f"Bearer {token}"}) as http:
            openapi = http.get("/openapi.json").json()
            for endpoint, level, period, params in read_targets(openapi, store):
                if endpoints and endpoint not in endpoints:
                    continue
                times: list[float] = []
                floor: list[float] = []
                spent = 0.0
                for n in range(samples):
                    started = time.perf_counter()
                    response = http.get(endpoint, params=params(n))
                    took = time.perf_counter() - started
                    if response.status_code != 200:
                        refused.append({"endpoint": endpoint, "level": level, "period": period,
                                        "status": response.status_code,
                                        "detail": response.text[:300]})
                        break
                    times.append(took)
                    started = time.perf_counter()
                    http.get("/v1/health").raise_for_status()
                    floor.append(time.perf_counter() - started)
                    spent += took
                    if spent > patience_s and (n >= 1 or took > 2 * patience_s):
                        break  # a read of many seconds: a few samples tell the story
                if not times:
                    ctx.say(f"  {endpoint} {level}, {period}: refused, {refused[-1]['detail']}")
                    continue
                p95 = percentile(times, 0.95)
                figure = Figure(
                    f"ICB read {endpoint} {level}, {period}", f"icb-{store['practices']}p"
                    f"{store['years']}y", times, baseline="GET /v1/health, same server",
                    baseline_samples=floor, budget=f"p95 < {BUDGET_READ_P95_S * 1000:.0f} ms",
                    within_budget=p95 < BUDGET_READ_P95_S,
                    extra={"endpoint": endpoint, "level": level, "period": period,
                           "p50_s": round(percentile(times, 0.5), 6), "p95_s": round(p95, 6),
                           "events": store["events"], "load_average": load_now()},
                )
                ctx.say(f"  {figure.name}: p50 {figure.extra['p50_s'] * 1000:.0f} ms, "
                        f"p95 {p95 * 1000:.0f} ms ({len(times)} reads, load "
                        f"{os.getloadavg()[0]:.2f})")
                figures.append(figure)
    finally:
        service.close()
    growth_figures(figures, store, ctx.say)
    return figures, slow_plans(log, offset), refused


def _distinct(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The slowest plan of each statement text, slowest first."""
    seen: set[str] = set()
    return [p for p in plans if not (p["query"] in seen or seen.add(p["query"]))]  # type: ignore[func-returns-value]


def growth_figures(figures: list[Figure], store: dict[str, Any],
                   say: Callable[[str], None] | None = None) -> None:
    """Mark each all-years read with its growth over the same read for the last year.

    The growth compares p50s: with 20 reads a p95 is the second slowest, and the first read of
    each row is its cold one, so a p95 growth mostly compares one cold read with a warm one
    (growth_over_1_year_p95 is kept beside it for reference)."""
    one = {(f.extra["endpoint"], f.extra["level"]): f for f in figures
           if f.extra.get("period") == "1 year"}
    for figure in figures:
        if figure.extra.get("period") == f"{store['years']} years":
            base = one.get((figure.extra["endpoint"], figure.extra["level"]))
            if base is None:
                continue
            growth = figure.extra["p50_s"] / base.extra["p50_s"]
            figure.extra["growth_over_1_year_p50"] = round(growth, 2)
            figure.extra["growth_over_1_year_p95"] = round(
                figure.extra["p95_s"] / base.extra["p95_s"], 2)
            figure.budget = (f"p95 < {BUDGET_READ_P95_S * 1000:.0f} ms and p50 < "
                             f"{BUDGET_GROWTH:.0f}x the 1-year read's p50")
            figure.within_budget = bool(figure.within_budget) and growth < BUDGET_GROWTH
            if say is not None:
                say(f"  {figure.name}: p50 {growth:.2f}x the 1-year read's "
                    f"(budget < {BUDGET_GROWTH:.0f}x; p95 "
                    f"{figure.extra['growth_over_1_year_p95']:.2f}x)")


# ---------------------------------------------------------------------------- the area


def run(ctx: Context, env: dict[str, str], size: Size | None = None, ingest: bool = True,
        endpoints: list[str] | None = None) -> tuple[list[Figure], dict[str, Any]]:
    """Every ICB figure, and the run's description (store, sizes) for the JSON."""
    size = size or (QUICK if ctx.quick else FULL)
    store = loaded_store(size, ctx.say)
    figures: list[Figure] = []
    if ingest:
        figures += measure_ingest(ctx, env)
    reads, plans, refused = measure_reads(ctx, store, env, samples=ctx.repeats(20, 3),
                                 patience_s=ctx.repeats(60, 20), endpoints=endpoints)
    figures += reads
    sizes = database_size(store["schema"], store["events"])
    say_load(ctx.say, f"  database: event table {sizes['event_mb_per_million_events']} MB and "
                      f"summaries {sizes['summary_mb_per_million_events']} MB per million events")
    slowest = _distinct(plans)[:40]
    return figures, {"name": "icb", "store": store, "database_size": sizes,
                     "load_average": load_now(), "slow_statement_plans": slowest,
                     "slow_statements_logged": len(plans), "reads_refused": refused}
