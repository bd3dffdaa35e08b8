"""PostgreSQL only: the event table is partitioned by the month an event was RECEIVED.

Why the month of receipt and not of occurred_at: the server's clock chooses it, so a batch only
ever writes to the current month's partition (a laptop may send events up to twenty years old,
which would otherwise touch any of 240 partitions), and a month that has ended is never written
to again, so it can be detached and archived safely. Reports never read events (they read the
summary tables), so nothing gains from pruning by occurred_at.

Partitions are made on demand: before a batch is stored the current month's partition (and the
next month's) is made if missing, under an advisory lock so two workers never race. A default
partition catches anything else (rows loaded in bulk for a month nobody made); make_months()
moves such rows into their own month when it makes it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, text

PARENT = "event"
DEFAULT = "event_default"
_LOCK = 772_201_003  # any constant: serialises partition making between workers
# Per process: (database URL, partition) known to exist, so the check costs nothing.
_made: set[tuple[str, str]] = set()


def month_start(moment: dt.datetime | dt.date) -> dt.date:
    return dt.date(moment.year, moment.month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"event_{month.year:04d}_{month.month:02d}"


def ensure_current(engine: Engine, now: dt.datetime) -> None:
    """The partition for now's month and the next, made once per process (cheap after that)."""
    if engine.dialect.name != "postgresql":
        return
    month = month_start(now)
    url = str(engine.url)
    if {(url, partition_name(month)), (url, partition_name(next_month(month)))} <= _made:
        return
    with engine.begin() as connection:
        make_months(connection, month, next_month(month))


def make_months(connection: Connection, first: dt.date, last: dt.date) -> list[str]:
    """Make every month's partition from first to last (inclusive); the names made or found.

    Rows already in the default partition for such a month are moved into it first (attaching
    a range that the default partition holds rows for would fail)."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _LOCK})
    existing = set(
        connection.execute(text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = :parent AND p.relnamespace = to_regnamespace(current_schema())"
        ), {"parent": PARENT}).scalars()
    )
    names = []
    month = month_start(first)
    while month <= last:
        name = partition_name(month)
        names.append(name)
        if name not in existing:
            _make(connection, month, name)
        _made.add((str(connection.engine.url), name))
        month = next_month(month)
    return names


def _make(connection: Connection, month: dt.date, name: str) -> None:
    bounds = {"start": month, "end": next_month(month)}
    connection.execute(text(f'CREATE TABLE "{name}" (LIKE {PARENT} INCLUDING DEFAULTS)'))
    connection.execute(text(
        f'WITH moved AS (DELETE FROM {DEFAULT} WHERE received_at >= :start '
        f'AND received_at < :end RETURNING *) INSERT INTO "{name}" SELECT * FROM moved'
    ), bounds)
    start, end = (d.isoformat() for d in (bounds["start"], bounds["end"]))
    connection.execute(text(
        f"ALTER TABLE {PARENT} ATTACH PARTITION \"{name}\" "
        f"FOR VALUES FROM ('{start}') TO ('{end}')"
    ))


def forget_made() -> None:
    """Tests make a fresh schema per test: the per-process memory must not outlive it."""
    _made.clear()
