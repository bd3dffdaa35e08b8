"""Keeping the summary tables (summary_tables.py) true to the stored events, in set-based SQL.

The same statements serve a batch and a rebuild; only the set of events they read differs:

- a batch (catch_up): the queued events, up to thousands at once. The ingest transaction only
  stores events and queues their ids (summary_queue); catch_up takes queued ids, applies them
  and deletes them in one transaction, so a failure leaves them queued and nothing counts twice.
  Many events in one apply cost far less each than 500 did in the ingest (a person with many
  readings moves once, and each statement's fixed cost is shared). The sessions and
  people they touch are noted; their counts are taken OUT of the monthly roll-ups as they stand,
  the latest-state and people rows are brought up to date, and their counts put back IN. The
  roll-ups stay additive and exact, whatever order corrections arrive in.
- a rebuild (rebuild, or `groupclinic-icb rebuild-summaries`): every stored event, into empty
  tables, with no taking out.

"Latest event wins" as in aggregates.py: the highest (order_at, seq), where order_at =
min(occurred_at, received_at), so a laptop clock running fast cannot outrank a correction.
Each statement is one INSERT ... SELECT (ON CONFLICT DO UPDATE where rows may exist): no
per-event Python. The SQL is plain text with a few fragments per engine (reading the JSON
payload differs between SQLite and PostgreSQL); everything else is the same on both.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text, update

from icb_service import summary_tables as st

CAME = "('attended', 'late', 'drop_in')"
INVITED = "('invited', 'attended', 'late', 'did_not_attend', 'cancelled')"
# Which event types can change which roll-up (a batch without them skips its statements).
_SESSION_GRAIN: dict[str, set[str]] = {
    "session_month": {"session", "review"},
    "attendance_month": {"session", "attendance"},
    "goal_month": {"session", "goal"},
    "experience_month": {"session", "experience"},
    "staff_month": {"session", "staff_experience"},
    "signposting_month": {"session", "signposting"},
}
_LOCK = 772_201_004  # the summaries' advisory lock (partitions.py uses ..._003)
# Taken with the schema's hash as its second key: advisory locks span the whole database, and
# services of several ICBs (or the bench's stores) in one database have nothing to share.
_LOCK_SQL = "pg_advisory_xact_lock(CAST(:lock AS INTEGER), hashtext(current_schema()))"
# Queued events applied per transaction: large enough to share each statement's fixed cost
# over many events, small enough that one transaction stays a few seconds.
CATCH_UP_LIMIT = 10_000
# change_year's key: what an apply writes to change_year_delta and what a fold adds in by.
_YEAR_KEYS = "level, code, programme, year, kind, item, dimension, grp, change"
_PERSON_TYPES = {"session", "attendance", "measurement", "measurement_void", "questionnaire"}


@dataclass(frozen=True)
class _Sql:
    """The few places where SQLite and PostgreSQL read JSON differently."""

    postgres: bool
    jsonb: bool = False  # PostgreSQL, reading a batch's payloads from tmp_event

    def get(self, key: str, alias: str = "e") -> str:
        if self.postgres:
            return f"{alias}.payload->>'{key}'"
        return f"json_extract({alias}.payload, '$.{key}')"

    def number(self, key: str) -> str:
        return f"CAST({self.get(key)} AS FLOAT)"

    def integer(self, key: str) -> str:
        return f"CAST({self.get(key)} AS INTEGER)"

    def flag(self, key: str) -> str:
        if self.postgres:
            return f"coalesce(CAST({self.get(key)} AS BOOLEAN), false)"
        return f"coalesce({self.get(key)}, 0)"

    def object_items(self, key: str) -> str:
        """A table of (key, value) for the payload's object at key."""
        if self.postgres:
            return f"{self.json}_each_text(e.payload->'{key}')"
        return f"json_each(e.payload, '$.{key}')"

    def clinician_present(self) -> str:
        if self.postgres:
            roles = ("e.payload->'staff_roles_present'" if self.jsonb
                     else "CAST(e.payload->'staff_roles_present' AS jsonb)")
            return f"coalesce({roles} @> '[\"clinician\"]', false)"
        return ("EXISTS (SELECT 1 FROM json_each(e.payload, '$.staff_roles_present') r "
                "WHERE r.value = 'clinician')")

    def clinic_minutes(self) -> str:
        """The actual phase minutes summed, or the planned ones when actual were not sent."""
        if self.postgres:
            return ("(SELECT coalesce(sum(CAST(m.value AS INTEGER)), 0) "
                    f"FROM {self.json}_each_text(CASE WHEN "
                    f"{self.json}_typeof(e.payload->'actual_phase_minutes') = 'object' "
                    "THEN e.payload->'actual_phase_minutes' "
                    "ELSE e.payload->'planned_phase_minutes' END) m)")
        return ("(SELECT coalesce(sum(m.value), 0) FROM json_each(e.payload, "
                "CASE WHEN json_type(e.payload, '$.actual_phase_minutes') = 'object' "
                "THEN '$.actual_phase_minutes' ELSE '$.planned_phase_minutes' END) m)")

    def true(self) -> str:
        return "true" if self.postgres else "1"

    @property
    def json(self) -> str:
        """PostgreSQL's prefix of the JSON functions for the payload's type."""
        return "jsonb" if self.jsonb else "json"


ORDER_AT = "CASE WHEN e.occurred_at < e.received_at THEN e.occurred_at ELSE e.received_at END"
MONTH_OF_ORDER = "substr(CAST({col} AS VARCHAR(30)), 1, 7)"
# The sender's place in the register: its PCN, and its ICB (its own, else its PCN's).
ORG = ("(SELECT h.code AS sender, h.pcn_code AS pcn, coalesce(h.icb_code, n.icb_code) AS icb "
       "FROM practice h LEFT JOIN pcn n ON n.code = h.pcn_code)")
LEVEL_CODE = ("CASE l.level WHEN 'practice' THEN {practice} WHEN 'hub' THEN {hub} "
              "WHEN 'pcn' THEN {pcn} ELSE {icb} END")


class _Batch:
    """Which events a run reads: one batch (by id) or all of them (rebuild)."""

    def __init__(self, connection: Connection, ids: list[str] | None,
                 received: list[dt.datetime] | None = None) -> None:
        self.connection = connection
        postgres = connection.dialect.name == "postgresql"
        self.sql = _Sql(postgres, jsonb=postgres and ids is not None)
        self.ids = ids
        self.params: dict[str, object] = {}
        self.table, self.where = "event", "1 = 1"
        self.received: list[dt.datetime] = []  # a PostgreSQL batch's receipt times
        if ids is not None and self.sql.postgres:
            # The batch's events, copied once into tmp_event by _load_batch with each payload
            # parsed once (jsonb): read in place, every statement found them again through
            # the partitions and tmp_batch, and every ->> parsed the payload's text again.
            self.table = "tmp_event"
            self.received = sorted(set(received or []))
        elif ids is not None:
            self.where = "e.id IN (SELECT value FROM json_each(:ids))"
            self.params = {"ids": json.dumps(ids)}
        self.events = self.joined("")

    def joined(self, joins: str) -> str:
        """The run's events as `e`, with these joins, ready for more conditions after AND."""
        return f"{self.table} e {joins} WHERE {self.where}"

    def run(self, statement: str, **extra: object) -> None:
        self.connection.execute(text(statement), {**self.params, **extra})

    def only(self, alias: str, table: str) -> str:
        """A condition keeping rows of the noted sessions or people (or all, in a rebuild)."""
        if self.ids is None:
            return "1 = 1"
        if table == "tmp_person":
            return (f"EXISTS (SELECT 1 FROM tmp_person t WHERE t.sender = {alias}.sender "
                    f"AND t.subject = {alias}.subject)")
        return (f"EXISTS (SELECT 1 FROM tmp_session t WHERE t.sender = {alias}.sender "
                f"AND t.session_uid = {alias}.session_uid)")


def rebuild(engine: Engine) -> None:
    """Empty every summary table and fill it again from all stored events (the queue too)."""
    with engine.begin() as connection:
        rebuild_in(connection)


def rebuild_in(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # No drainer applies meanwhile, and no ingest queues an event that the statements
        # below might or might not read: they wait for the rebuild's commit.
        connection.execute(text(f"SELECT {_LOCK_SQL}"), {"lock": _LOCK})
        connection.execute(text("LOCK TABLE summary_queue IN EXCLUSIVE MODE"))
    connection.execute(st.summary_queue.delete())  # every stored event is counted below
    for table in (*st.ROLLUPS, *st.PEOPLE, *st.STATES):
        connection.execute(table.delete())
    run = _Batch(connection, None)
    if run.sql.postgres:
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
    _update_states(run, None)
    _follow_up(run)
    _recompute_people(run)
    if run.sql.postgres:
        # The roll-ups group by hashing: sorting all their rows by their many keys took 5x
        # longer (the window functions above still sort, as they must).
        connection.execute(text("SET LOCAL enable_sort = off"))
    _person_counts(run)
    _session_counts(run, +1, None)
    _bump_version(connection)
    tables = inspect(connection)
    if tables.has_table(st.change_year_delta.name):  # 0003 rebuilds before 0007 makes it
        connection.execute(st.change_year_delta.delete())  # change_year was filled whole
    # Every tree may have changed. (Migration 0003 rebuilds before 0006 makes the table.)
    if tables.has_table(st.summary_tree_version.name):
        _bump_trees(connection, sorted({*(str(code) for (code,) in connection.execute(text(
            "SELECT code FROM icb UNION SELECT icb_code FROM pcn WHERE icb_code IS NOT NULL "
            "UNION SELECT icb_code FROM practice WHERE icb_code IS NOT NULL"))), st.NOT_STATED}))
    if run.sql.postgres:
        for table in (*st.STATES, *st.PEOPLE, *st.ROLLUPS):
            connection.execute(text(f"ANALYZE {table.name}"))


# ---- the queue ---------------------------------------------------------------------------------
def enqueue(connection: Connection, ids: list[str], received_at: dt.datetime) -> None:
    """Queue stored events for the summaries (in the transaction that stored them)."""
    if ids:
        connection.execute(insert(st.summary_queue),
                           [{"event_id": event_id, "received_at": received_at}
                            for event_id in ids])


def queued(engine: Engine) -> bool:
    """Whether any stored event waits to be counted (one row read, not a count)."""
    with engine.connect() as connection:
        return connection.execute(select(st.summary_queue.c.event_id).limit(1)).first() is not None


def pending(engine: Engine) -> int:
    """How many stored events are not yet in the summaries."""
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM summary_queue")).scalar_one())


def tree_versions(connection: Connection) -> dict[str, int]:
    """Each ICB's tree version: bumped by every catch-up that changed a figure in its tree, and
    by a rebuild. An ICB missing here is at 0."""
    table = st.summary_tree_version
    return {str(code): int(number) for code, number in
            connection.execute(select(table.c.icb_code, table.c.version))}


def catch_up(engine: Engine, limit: int = CATCH_UP_LIMIT,
             received_by: dt.datetime | None = None) -> int:
    """Apply every queued event to the summaries, up to `limit` a transaction; how many.

    Safe from any number of threads and processes: on PostgreSQL an advisory lock lets one
    apply at a time (the others wait, then find the queue emptied), on SQLite the write lock
    does. Cheap when nothing is queued: one read, no lock. When it returns, every event whose
    storing committed before the call is in the summaries.

    `received_by` (naive UTC, as stored) limits it to the events received by then
    (catch_up_queued)."""
    waiting = select(st.summary_queue.c.event_id).limit(1)
    if received_by is not None:
        waiting = waiting.where(st.summary_queue.c.received_at <= received_by)
    applied = 0
    while True:
        with engine.connect() as connection:
            if connection.execute(waiting).first() is None:
                return applied
        with engine.begin() as connection:
            done = apply_queued(connection, limit, received_by)
        applied += done
        if done == 0:
            return applied


def catch_up_queued(engine: Engine) -> int:
    """catch_up for the events queued when it is called, not those queued meanwhile: a report
    waits for what was stored before it was asked for, not for uploads that keep arriving (it
    waited until a long upload ended). Bounded by the queue's own receipt times, so the
    service's processes or servers need not agree on the time."""
    with engine.connect() as connection:
        newest = connection.execute(select(func.max(st.summary_queue.c.received_at))).scalar()
    return 0 if newest is None else catch_up(engine, received_by=newest)


def apply_queued(connection: Connection, limit: int = CATCH_UP_LIMIT,
                 received_by: dt.datetime | None = None) -> int:
    """Apply up to `limit` queued events (received by `received_by`, when given) and take them
    off the queue (same transaction)."""
    queue = st.summary_queue
    oldest_first = select(queue.c.event_id, queue.c.received_at).order_by(
        queue.c.received_at, queue.c.event_id).limit(limit)
    if received_by is not None:
        oldest_first = oldest_first.where(queue.c.received_at <= received_by)
    if connection.dialect.name == "postgresql":
        # One apply at a time: two would recompute the same people, and two of one ICB could
        # each wait for the other's rows of the ICB's roll-ups (a deadlock). The batch's
        # statements are the same every time (psycopg prepares them after a few): planning
        # each afresh cost more than running it on a busy server.
        connection.execute(
            text(f"SELECT {_LOCK_SQL}, "
                 "set_config('plan_cache_mode', 'force_generic_plan', true)"),
            {"lock": _LOCK},
        )
        oldest_first = oldest_first.with_for_update(skip_locked=True)
    queued = connection.execute(oldest_first).all()
    if not queued:
        return 0
    ids = [event_id for event_id, _ in queued]
    touched = _apply(connection, ids, [received_at for _, received_at in queued])
    if connection.dialect.name == "postgresql":
        connection.execute(text("DELETE FROM summary_queue q USING tmp_batch b "
                                "WHERE q.event_id = b.id"))
    else:
        connection.execute(text("DELETE FROM summary_queue WHERE event_id IN "
                                "(SELECT value FROM json_each(:ids))"), {"ids": json.dumps(ids)})
    _bump_version(connection)
    _bump_trees(connection, sorted(touched))
    return len(ids)


# ---- the year roll-up's pending counts, folded in ---------------------------------------------
def fold_years(engine: Engine) -> int:
    """Add the applies' pending year counts (change_year_delta) to change_year, a level a
    transaction (each holds the apply's lock: 1-5 s for 20,000 rows in a store of a million
    events); how many rows were pending. Nothing a report shows changes (a read adds the
    pending rows itself): its read is only shorter again."""
    delta = st.change_year_delta
    with engine.connect() as connection:  # one read when nothing is pending (most wakes)
        if connection.execute(select(delta.c.level).limit(1)).first() is None:
            return 0
        levels = [level for level in st.LEVELS if connection.execute(
            select(delta.c.level).where(delta.c.level == level).limit(1)).first()]
    folded = 0
    for level in levels:
        with engine.begin() as connection:
            folded += fold_years_in(connection, level)
    return folded


def fold_years_in(connection: Connection, level: str | None = None) -> int:
    """fold_years' transaction for one level (or all), under the apply's lock: no apply adds
    rows meanwhile, so every row it read is one it deletes. Each key is added once, however
    many applies wrote it."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT {_LOCK_SQL}"), {"lock": _LOCK})
    keys = _YEAR_KEYS
    which = "1 = 1" if level is None else "level = :level"
    connection.execute(text(f"""
        INSERT INTO change_year ({keys}, people)
        SELECT {keys}, sum(people) FROM change_year_delta WHERE {which}
        GROUP BY {keys}
        HAVING sum(people) <> 0
        ON CONFLICT ({keys}) DO UPDATE SET people = change_year.people + excluded.people
    """), {"level": level})
    return int(connection.execute(
        text(f"DELETE FROM change_year_delta WHERE {which}"), {"level": level}).rowcount)


def _bump_version(connection: Connection) -> None:
    connection.execute(update(st.summary_version).where(st.summary_version.c.id == 1)
                       .values(version=st.summary_version.c.version + 1))


def _bump_trees(connection: Connection, icbs: list[str]) -> None:
    """These ICBs' trees changed (in sorted order: two catch-ups lock rows alike)."""
    if icbs:
        connection.execute(text(
            "INSERT INTO summary_tree_version (icb_code, version) VALUES (:icb, 1) "
            "ON CONFLICT (icb_code) DO UPDATE SET version = summary_tree_version.version + 1"
        ), [{"icb": icb} for icb in icbs])


def _touched_trees(run: _Batch, senders: bool) -> set[str]:
    """The ICBs whose trees hold a figure this batch may change: those of its senders (the
    hub, PCN and ICB levels), and of the registered practices of its sessions' attendees and
    of its people (the practice level), as the rows stand now. Asked before the batch with its
    senders, and after it without, so a registered practice it moves counts on both sides."""
    codes = (f"SELECT e.practice_code AS code FROM {run.events} UNION " if senders else "")
    codes += ("SELECT a.registered_practice AS code FROM attendance_state a "
              f"WHERE {run.only('a', 'tmp_session')} "
              "UNION SELECT p.registered_practice FROM person p "
              f"WHERE {run.only('p', 'tmp_person')}")
    found: set[str] = set()
    for own, pcns in run.connection.execute(text(
        f"SELECT DISTINCT h.icb_code, n.icb_code FROM ({codes}) c "
        "LEFT JOIN practice h ON h.code = c.code LEFT JOIN pcn n ON n.code = h.pcn_code "
        "WHERE c.code IS NOT NULL"
    ), run.params):
        if own is None and pcns is None:
            found.add(st.NOT_STATED)  # outside the register's ICBs: the tree of its own
        found.update(str(code) for code in (own, pcns) if code is not None)
    return found


def _apply(connection: Connection, ids: list[str], received: list[dt.datetime]) -> set[str]:
    """Bring the summaries up to date with these stored events (the caller's transaction);
    the ICBs whose trees may have changed."""
    run = _Batch(connection, ids, received)
    if run.sql.postgres:
        _load_batch(run)
    types = {str(t) for (t,) in connection.execute(
        text(f"SELECT DISTINCT e.type FROM {run.events}"), run.params)}
    if not types:
        return set()
    _note_touched(run, types)
    touched = _touched_trees(run, senders=True)
    people = bool(types & _PERSON_TYPES)
    _session_counts(run, -1, types)
    _update_states(run, types)
    if "follow_up" in types:
        _follow_up(run)
    if people:
        _recompute_people(run)  # keeps the people's rows as they were in tmp_old_*
        _person_counts(run)
    _session_counts(run, +1, types)
    return touched | _touched_trees(run, senders=False)


def _load_batch(run: _Batch) -> None:
    """The batch's event ids into tmp_batch, and its events into tmp_event (payloads as jsonb),
    both private to the connection and emptied at commit (made again where a rolled-back
    transaction took them away)."""
    connection = run.connection
    connection.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_batch "
                            "(id VARCHAR PRIMARY KEY) ON COMMIT DELETE ROWS"))
    connection.execute(text(
        "CREATE TEMP TABLE IF NOT EXISTS tmp_event ON COMMIT DELETE ROWS AS "
        "SELECT id, practice_code, seq, type, occurred_at, received_at, "
        "CAST(payload AS jsonb) AS payload FROM event WHERE 1 = 0"))
    connection.execute(text("INSERT INTO tmp_batch (id) SELECT unnest(CAST(:ids AS VARCHAR[]))"),
                       {"ids": run.ids})
    # The receipt times (one per stored batch) lead to the events' monthly partitions and,
    # through ix_event_received_at, to their rows; tmp_batch's key picks them out.
    connection.execute(text(
        "INSERT INTO tmp_event SELECT e.id, e.practice_code, e.seq, e.type, e.occurred_at, "
        "e.received_at, CAST(e.payload AS jsonb) FROM event e "
        "WHERE e.received_at = ANY(:received) AND e.id IN (SELECT b.id FROM tmp_batch b)"),
        {"received": run.received})


# ---- which sessions and people a batch touches -------------------------------------------------
# Scratch tables of one batch, private to the connection; copies of the tables' columns so
# their codes compare alike. PostgreSQL empties them at each commit by itself.
_TEMP_TABLES = {
    "tmp_session": "SELECT sender, session_uid FROM session_state WHERE 1 = 0",
    "tmp_person": "SELECT sender, subject FROM person WHERE 1 = 0",
    "tmp_old_person": "SELECT * FROM person WHERE 1 = 0",
    "tmp_old_person_change": "SELECT * FROM person_change WHERE 1 = 0",
}


# The noted sessions and people are keyed: every statement of a batch asks "is this row's
# session (person) noted?" of them, and without an index the planner, which has no statistics
# for them, scanned the whole list once per row (1.2 million comparisons, 200 ms, in each of two
# statements of a 10,000-event apply).
_TEMP_KEYS = {"tmp_session": "sender, session_uid", "tmp_person": "sender, subject"}


def _scratch_tables(run: _Batch) -> None:
    """Make the scratch tables where missing (checked every batch: ones made in a transaction
    that rolled back are gone again), and empty them where the engine does not."""
    if run.sql.postgres:
        made = run.connection.execute(
            text("SELECT to_regclass('pg_temp.tmp_old_person_change') IS NOT NULL")
        ).scalar()
        if not made:
            for name, query in _TEMP_TABLES.items():
                run.connection.execute(text(
                    f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS {query}"))
            for name, key in _TEMP_KEYS.items():
                run.connection.execute(text(f"ALTER TABLE {name} ADD PRIMARY KEY ({key})"))
        return
    for name, query in _TEMP_TABLES.items():
        run.connection.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {name} AS {query}"))
        run.connection.execute(text(f"DELETE FROM {name}"))
    for name, key in _TEMP_KEYS.items():
        run.connection.execute(text(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {name}_key ON {name} ({key})"))


def _note_touched(run: _Batch, types: Collection[str]) -> None:
    _scratch_tables(run)
    s = run.sql
    run.run(f"""
        INSERT INTO tmp_session (sender, session_uid)
        SELECT DISTINCT e.practice_code, {s.get('session_uid')} FROM {run.events}
          AND {s.get('session_uid')} IS NOT NULL
    """)
    if "goal" in types:
        # A goal re-sent from a later session moves: its earlier session's counts change too.
        run.run(f"""
            INSERT INTO tmp_session (sender, session_uid)
            SELECT DISTINCT g.sender, g.session_uid
            FROM (SELECT DISTINCT e.practice_code AS sender, {s.get('goal_uid')} AS goal_uid
                  FROM {run.events} AND e.type = 'goal') b
            JOIN goal_state g ON g.sender = b.sender AND g.goal_uid = b.goal_uid
            WHERE NOT EXISTS (SELECT 1 FROM tmp_session t WHERE t.sender = g.sender
                              AND t.session_uid = g.session_uid)
        """)
    if set(types) & _PERSON_TYPES:
        run.run(f"""
            INSERT INTO tmp_person (sender, subject)
            SELECT DISTINCT e.practice_code, {s.get('subject')} FROM {run.events}
              AND {s.get('subject')} IS NOT NULL
        """)
    if "session" in types:
        # A session's programme, date or mode changes every one of its people.
        run.run(f"""
            INSERT INTO tmp_person (sender, subject)
            SELECT DISTINCT a.sender, a.subject
            FROM (SELECT DISTINCT e.practice_code AS sender, {s.get('session_uid')} AS uid
                  FROM {run.events} AND e.type = 'session') b
            JOIN attendance_state a ON a.sender = b.sender AND a.session_uid = b.uid
            WHERE NOT EXISTS (SELECT 1 FROM tmp_person t WHERE t.sender = a.sender
                              AND t.subject = a.subject)
        """)


# ---- latest state ------------------------------------------------------------------------------
def _latest(run: _Batch, table: str, types: str, key: list[str], columns: dict[str, str],
            joins: str = "") -> None:
    """Upsert the latest event per key from the run's events; an older one never overwrites."""
    names = [*columns, "order_at", "seq"]
    select = ", ".join(f"{expr} AS {name}" for name, expr in columns.items())
    partition = ", ".join(columns[k] for k in key)
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in key)
    run.run(f"""
        INSERT INTO {table} ({', '.join(names)})
        SELECT {', '.join(names)} FROM (
            SELECT {select}, {ORDER_AT} AS order_at, e.seq AS seq,
                   ROW_NUMBER() OVER (PARTITION BY {partition}
                                      ORDER BY {ORDER_AT} DESC, e.seq DESC) AS newest
            FROM {run.joined(joins)} AND e.type IN ({types})
        ) chosen
        WHERE newest = 1
        ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}
        WHERE (excluded.order_at, excluded.seq) > ({table}.order_at, {table}.seq)
    """)


def _update_states(run: _Batch, types: Collection[str] | None) -> None:
    s = run.sql

    def wanted(*names: str) -> bool:
        return types is None or bool(set(names) & set(types))

    if wanted("session"):
        _latest(run, "session_state", "'session'", ["sender", "session_uid"], {
            "sender": "e.practice_code",
            "session_uid": s.get("session_uid"),
            "programme": s.get("programme_key"),
            "session_date": s.get("date"),
            "month": f"substr({s.get('date')}, 1, 7)",
            "mode": s.get("mode"),
            "drop_in": s.flag("drop_in"),
            "status": s.get("status"),
            "pcn": f"coalesce({s.get('pcn')}, org.pcn, 'not_stated')",
            "icb": "coalesce(org.icb, 'not_stated')",
            "clinician_present": s.clinician_present(),
            "clinic_minutes": s.clinic_minutes(),
            "usual_minutes": s.integer("usual_appointment_minutes"),
        }, joins=f"LEFT JOIN {ORG} org ON org.sender = e.practice_code")
    if wanted("attendance"):
        _latest(run, "attendance_state", "'attendance'", ["sender", "session_uid", "subject"], {
            "sender": "e.practice_code",
            "session_uid": s.get("session_uid"),
            "subject": s.get("subject"),
            "status": s.get("status"),
            "channel": s.get("channel"),
            "age_band": s.get("age_band"),
            "sex": s.get("sex"),
            "ethnic_group": f"coalesce({s.get('ethnic_group')}, 'not_stated')",
            "imd_quintile": f"coalesce({s.get('imd_quintile')}, 'not_stated')",
            "registered_practice": s.get("registered_practice"),
        })
    if wanted("review"):
        _latest(run, "review_state", "'review'", ["sender", "session_uid", "subject"], {
            "sender": "e.practice_code",
            "session_uid": s.get("session_uid"),
            "subject": s.get("subject"),
            "reviews": s.integer("reviews"),
            "minutes_spent": s.integer("minutes_spent"),
        })
    if wanted("goal"):
        _latest(run, "goal_state", "'goal'", ["sender", "goal_uid"], {
            "sender": "e.practice_code",
            "goal_uid": s.get("goal_uid"),
            "session_uid": s.get("session_uid"),
            "subject": s.get("subject"),
            "outcome": s.get("outcome"),
            "confidence": s.integer("confidence"),
        })
    if wanted("measurement", "measurement_void"):
        # A void has no value: as the latest word on its reading, it drops the reading.
        _latest(run, "measurement_state", "'measurement', 'measurement_void'",
                ["sender", "subject", "measure", "taken_on", "session_key"], {
            "sender": "e.practice_code",
            "subject": s.get("subject"),
            "measure": s.get("measure"),
            "taken_on": s.get("taken_on"),
            "session_key": f"coalesce({s.get('session_uid')}, '')",
            "value": f"CASE WHEN e.type = 'measurement' THEN {s.number('value')} END",
            "target_status": f"CASE WHEN e.type = 'measurement' THEN {s.get('status')} END",
        })
    if wanted("questionnaire"):
        _latest(run, "questionnaire_state", "'questionnaire'",
                ["sender", "session_uid", "subject", "instrument"], {
            "sender": "e.practice_code",
            "session_uid": s.get("session_uid"),
            "subject": s.get("subject"),
            "instrument": s.get("instrument"),
            "score": s.number("score"),
        })
    if wanted("signposting"):
        run.run(f"""
            INSERT INTO signposting_state (sender, session_uid, subject, resource_kind)
            SELECT DISTINCT e.practice_code, {s.get('session_uid')}, {s.get('subject')},
                   {s.get('resource_kind')}
            FROM {run.events} AND e.type = 'signposting'
            ON CONFLICT DO NOTHING
        """)
    if wanted("experience"):
        run.run(f"""
            INSERT INTO experience_tally (sender, session_uid, response, answers)
            SELECT e.practice_code, {s.get('session_uid')}, {s.get('response')}, count(*)
            FROM {run.events} AND e.type = 'experience'
            GROUP BY e.practice_code, {s.get('session_uid')}, {s.get('response')}
            ON CONFLICT (sender, session_uid, response)
            DO UPDATE SET answers = experience_tally.answers + excluded.answers
        """)
    if wanted("staff_experience"):
        events = run.joined(f", {s.object_items('answers')} a")
        run.run(f"""
            INSERT INTO staff_tally (sender, session_uid, role, profession, question, answer,
                                     answers)
            SELECT e.practice_code, {s.get('session_uid')}, {s.get('role')},
                   {s.get('profession')}, a.key, CAST(a.value AS INTEGER), count(*)
            FROM {events} AND e.type = 'staff_experience'
            GROUP BY 1, 2, 3, 4, 5, 6
            ON CONFLICT (sender, session_uid, role, profession, question, answer)
            DO UPDATE SET answers = staff_tally.answers + excluded.answers
        """)


def _follow_up(run: _Batch) -> None:
    """Follow-up actions are counted once each, straight into their roll-up."""
    s = run.sql
    code = LEVEL_CODE.format(practice="e.practice_code", hub="e.practice_code",
                             pcn="coalesce(org.pcn, 'not_stated')",
                             icb="coalesce(org.icb, 'not_stated')")
    events = run.joined(f"LEFT JOIN {ORG} org ON org.sender = e.practice_code "
                        "CROSS JOIN report_level l")
    run.run(f"""
        INSERT INTO follow_up_month (level, code, month, item, step, method, outcome, actions)
        SELECT l.level, {code}, substr({s.get('date')}, 1, 7), {s.get('item')},
               {s.get('step')}, coalesce({s.get('method')}, ''),
               coalesce({s.get('outcome')}, ''), count(*)
        FROM {events} AND e.type = 'follow_up' AND l.level <> 'practice'
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (level, code, month, item, step, method, outcome)
        DO UPDATE SET actions = follow_up_month.actions + excluded.actions
    """)


# ---- people ------------------------------------------------------------------------------------
def _recompute_people(run: _Batch) -> None:
    """person and person_change rows of the noted people, afresh from the latest state."""
    if run.ids is not None:
        for table in ("person", "person_change"):
            # The rows as they were: _person_counts takes their counts out of the roll-ups.
            run.run(f"INSERT INTO tmp_old_{table} SELECT * FROM {table} "
                    f"WHERE {run.only(table, 'tmp_person')}")
            run.run(f"DELETE FROM {table} WHERE {run.only(table, 'tmp_person')}")
    came_channel = (f"CASE WHEN a.status IN {CAME} THEN coalesce(a.channel, CASE s.mode "
                    "WHEN 'face_to_face' THEN 'in_room' WHEN 'video' THEN 'video' "
                    "ELSE 'not_stated' END) END")
    month_of_record = MONTH_OF_ORDER.format(col="a.order_at")
    run.run(f"""
        INSERT INTO person (sender, programme, subject, cohort_month, invited, attended,
                            did_not_attend, age_band, sex, ethnic_group, imd_quintile, mode,
                            channel, registered_practice, pcn, icb)
        SELECT r.sender, r.programme, r.subject, min(r.month),
               max(CASE WHEN r.status IN {INVITED} THEN 1 ELSE 0 END) = 1,
               max(CASE WHEN r.status IN {CAME} THEN 1 ELSE 0 END) = 1,
               max(CASE WHEN r.status = 'did_not_attend' THEN 1 ELSE 0 END) = 1,
               max(CASE WHEN r.newest = 1 THEN r.age_band END),
               max(CASE WHEN r.newest = 1 THEN r.sex END),
               max(CASE WHEN r.newest = 1 THEN r.ethnic_group END),
               max(CASE WHEN r.newest = 1 THEN r.imd_quintile END),
               max(CASE WHEN r.newest = 1 THEN r.mode END),
               coalesce(max(CASE WHEN r.newest_came = 1 THEN r.came_channel END),
                        'not_attended'),
               coalesce(max(CASE WHEN r.newest = 1 THEN r.registered_practice END), r.sender),
               coalesce(max(CASE WHEN r.newest = 1 THEN r.pcn END), max(org.pcn),
                        'not_stated'),
               coalesce(max(org.icb), 'not_stated')
        FROM (
            SELECT a.sender, a.subject, coalesce(s.programme, 'unknown') AS programme,
                   coalesce(s.month, {month_of_record}) AS month, a.status,
                   a.age_band, a.sex, a.ethnic_group, a.imd_quintile,
                   coalesce(s.mode, 'unknown') AS mode, s.pcn, a.registered_practice,
                   {came_channel} AS came_channel,
                   ROW_NUMBER() OVER (PARTITION BY a.sender, a.subject,
                                      coalesce(s.programme, 'unknown')
                                      ORDER BY a.order_at DESC, a.seq DESC) AS newest,
                   ROW_NUMBER() OVER (PARTITION BY a.sender, a.subject,
                                      coalesce(s.programme, 'unknown'),
                                      CASE WHEN a.status IN {CAME} THEN 0 ELSE 1 END
                                      ORDER BY a.order_at DESC, a.seq DESC)
                     + CASE WHEN a.status IN {CAME} THEN 0 ELSE 1000000 END AS newest_came
            FROM attendance_state a
            LEFT JOIN session_state s ON s.sender = a.sender AND s.session_uid = a.session_uid
            WHERE {run.only('a', 'tmp_person')}
        ) r
        LEFT JOIN {ORG} org ON org.sender = r.sender
        WHERE 1 = 1
        GROUP BY r.sender, r.programme, r.subject
    """)
    # Readings: one taken in a session counts for that session's programme; one from the GP
    # record or self-reported counts for every programme the person is in (as aggregates.py).
    run.run(f"""
        INSERT INTO person_change (sender, programme, subject, kind, item, first_on,
                                   first_value, latest_on, latest_value, latest_status, change)
        SELECT sender, programme, subject, 'measure', measure,
               max(CASE WHEN oldest = 1 THEN taken_on END),
               max(CASE WHEN oldest = 1 THEN value END),
               max(CASE WHEN newest = 1 THEN taken_on END),
               max(CASE WHEN newest = 1 THEN value END),
               max(CASE WHEN newest = 1 THEN target_status END),
               CASE WHEN min(taken_on) <> max(taken_on) THEN CAST(round(CAST(
                   max(CASE WHEN newest = 1 THEN value END)
                   - max(CASE WHEN oldest = 1 THEN value END) AS NUMERIC), 6) AS FLOAT) END
        FROM (
            SELECT x.*, ROW_NUMBER() OVER (PARTITION BY sender, programme, subject, measure
                                           ORDER BY taken_on, order_at, seq) AS oldest,
                        ROW_NUMBER() OVER (PARTITION BY sender, programme, subject, measure
                                           ORDER BY taken_on DESC, order_at DESC, seq DESC)
                          AS newest
            FROM (
                SELECT m.sender, coalesce(s.programme, 'unknown') AS programme, m.subject,
                       m.measure, m.taken_on, m.value, m.target_status, m.order_at, m.seq
                FROM measurement_state m
                LEFT JOIN session_state s
                  ON s.sender = m.sender AND s.session_uid = m.session_key
                WHERE m.value IS NOT NULL AND m.session_key <> ''
                  AND {run.only('m', 'tmp_person')}
                UNION ALL
                SELECT m.sender, p.programme, m.subject, m.measure, m.taken_on, m.value,
                       m.target_status, m.order_at, m.seq
                FROM measurement_state m
                JOIN person p ON p.sender = m.sender AND p.subject = m.subject
                WHERE m.value IS NOT NULL AND m.session_key = ''
                  AND {run.only('m', 'tmp_person')}
            ) x
        ) ranked
        WHERE 1 = 1
        GROUP BY sender, programme, subject, measure
    """)
    # Questionnaires: ordered by the session's date (then the event order); a change needs two.
    run.run(f"""
        INSERT INTO person_change (sender, programme, subject, kind, item, first_on,
                                   first_value, latest_on, latest_value, latest_status, change)
        SELECT sender, programme, subject, 'questionnaire', instrument,
               max(CASE WHEN oldest = 1 THEN answered_on END),
               max(CASE WHEN oldest = 1 THEN score END),
               max(CASE WHEN newest = 1 THEN answered_on END),
               max(CASE WHEN newest = 1 THEN score END),
               NULL,
               CASE WHEN count(*) >= 2 THEN CAST(round(CAST(
                   max(CASE WHEN newest = 1 THEN score END)
                   - max(CASE WHEN oldest = 1 THEN score END) AS NUMERIC), 6) AS FLOAT) END
        FROM (
            SELECT x.*, ROW_NUMBER() OVER (PARTITION BY sender, programme, subject, instrument
                                           ORDER BY answered_on, order_at, seq) AS oldest,
                        ROW_NUMBER() OVER (PARTITION BY sender, programme, subject, instrument
                                           ORDER BY answered_on DESC, order_at DESC, seq DESC)
                          AS newest
            FROM (
                SELECT q.sender, coalesce(s.programme, 'unknown') AS programme, q.subject,
                       q.instrument, q.score, q.order_at, q.seq,
                       coalesce(s.session_date,
                                substr(CAST(q.order_at AS VARCHAR(30)), 1, 10)) AS answered_on
                FROM questionnaire_state q
                LEFT JOIN session_state s
                  ON s.sender = q.sender AND s.session_uid = q.session_uid
                WHERE {run.only('q', 'tmp_person')}
            ) x
        ) ranked
        WHERE 1 = 1
        GROUP BY sender, programme, subject, instrument
    """)


def _person_counts(run: _Batch) -> None:
    """Put the noted people's counts in the person roll-ups, net of what their rows counted
    before the batch (tmp_old_*): one upsert per key whose count actually changed.

    Each statement first gathers the people's rows once (MATERIALIZED: left to itself the
    planner re-read them for every level), then spreads them over levels and breakdowns."""
    sources = [("person", "person_change", 1, run.only("p", "tmp_person"))]
    if run.ids is not None:
        sources.append(("tmp_old_person", "tmp_old_person_change", -1, "1 = 1"))
    code = LEVEL_CODE.format(practice="p.registered_practice", hub="p.sender", pcn="p.pcn",
                             icb="p.icb")
    grp = ("CASE d.dimension WHEN 'all' THEN '' WHEN 'age_band' THEN p.age_band "
           "WHEN 'sex' THEN p.sex WHEN 'ethnic_group' THEN p.ethnic_group "
           "WHEN 'imd_quintile' THEN p.imd_quintile WHEN 'mode' THEN p.mode "
           "ELSE p.channel END")
    person_columns = ("p.sender, p.programme, p.cohort_month, p.invited, p.attended, "
                      "p.did_not_attend, p.age_band, p.sex, p.ethnic_group, p.imd_quintile, "
                      "p.mode, p.channel, p.registered_practice, p.pcn, p.icb")

    def union(select: str) -> str:
        return " UNION ALL ".join(
            select.format(people=people, changes=changes, sign=sign, only=only)
            for people, changes, sign, only in sources
        )

    people_rows = union(
        "SELECT " + person_columns + ", {sign} AS sign FROM {people} p WHERE {only}"
    )
    keys = "level, code, programme, month, dimension, grp"
    run.run(f"""
        INSERT INTO people_month ({keys}, people, invited, attended, did_not_attend)
        WITH p AS MATERIALIZED ({people_rows})
        SELECT l.level, {code}, p.programme, p.cohort_month, d.dimension, {grp},
               sum(p.sign),
               sum(CASE WHEN p.invited THEN p.sign ELSE 0 END),
               sum(CASE WHEN p.attended THEN p.sign ELSE 0 END),
               sum(CASE WHEN p.did_not_attend THEN p.sign ELSE 0 END)
        FROM p CROSS JOIN report_level l CROSS JOIN report_dimension d
        WHERE 1 = 1
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(p.sign) <> 0
            OR sum(CASE WHEN p.invited THEN p.sign ELSE 0 END) <> 0
            OR sum(CASE WHEN p.attended THEN p.sign ELSE 0 END) <> 0
            OR sum(CASE WHEN p.did_not_attend THEN p.sign ELSE 0 END) <> 0
        ON CONFLICT ({keys}) DO UPDATE SET
            people = people_month.people + excluded.people,
            invited = people_month.invited + excluded.invited,
            attended = people_month.attended + excluded.attended,
            did_not_attend = people_month.did_not_attend + excluded.did_not_attend
    """)
    change_rows = union(
        "SELECT " + person_columns + ", c.kind, c.item, c.change, c.latest_status, "
        "{sign} AS sign FROM {changes} c JOIN {people} p ON p.sender = c.sender "
        "AND p.programme = c.programme AND p.subject = c.subject WHERE {only}"
    )
    keys = "level, code, programme, month, kind, item, dimension, grp, change"
    # The net change counts gathered once into a scratch table, then added to the month, year
    # and people-with-a-change roll-ups (spreading people over levels and breakdowns three
    # times over cost as much as the rest of an apply).
    # Median changes by equity and delivery group are kept for PCNs and ICBs; a practice's or
    # hub's groups are a handful of people (suppressed), so they hold only "all". Every new
    # reading moves a person's row in each, so this saves 40% of the work.
    on_commit = " ON COMMIT DELETE ROWS" if run.sql.postgres else ""
    run.run(f"CREATE TEMP TABLE IF NOT EXISTS tmp_change_delta{on_commit} AS "
            f"SELECT {keys}, people FROM change_month WHERE 1 = 0")
    run.run("DELETE FROM tmp_change_delta")
    run.run(f"""
        INSERT INTO tmp_change_delta ({keys}, people)
        WITH p AS MATERIALIZED ({change_rows})
        SELECT l.level, {code}, p.programme, p.cohort_month, p.kind, p.item, d.dimension,
               {grp}, p.change, sum(p.sign)
        FROM p CROSS JOIN report_level l CROSS JOIN report_dimension d
        WHERE p.change IS NOT NULL AND (l.level IN ('pcn', 'icb') OR d.dimension = 'all')
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        HAVING sum(p.sign) <> 0
    """)
    run.run(f"""
        INSERT INTO change_month ({keys}, people)
        SELECT {keys}, people FROM tmp_change_delta WHERE 1 = 1
        ON CONFLICT ({keys}) DO UPDATE SET people = change_month.people + excluded.people
    """)
    # The same counts by calendar year of the cohort month: a long period's medians read these.
    # An apply writes them as plain rows to change_year_delta (adding them to change_year in
    # place was a fifth of an apply); fold_years adds them in later. A rebuild fills it whole.
    run.run(f"""
        INSERT INTO {'change_year' if run.ids is None else 'change_year_delta'}
               ({_YEAR_KEYS}, people)
        SELECT level, code, programme, substr(month, 1, 4), kind, item, dimension, grp, change,
               sum(people)
        FROM tmp_change_delta WHERE 1 = 1
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        HAVING sum(people) <> 0
    """)
    # How many people have a change: what every organisation's suppression needs.
    count_keys = "level, code, programme, month, kind, item"
    run.run(f"""
        INSERT INTO change_people_month ({count_keys}, people)
        SELECT {count_keys}, sum(people) FROM tmp_change_delta WHERE dimension = 'all'
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(people) <> 0
        ON CONFLICT ({count_keys}) DO UPDATE SET
            people = change_people_month.people + excluded.people
    """)
    keys = "level, code, programme, month, measure, status"
    run.run(f"""
        INSERT INTO target_month ({keys}, people)
        WITH p AS MATERIALIZED ({change_rows})
        SELECT l.level, {code}, p.programme, p.cohort_month, p.item, p.latest_status,
               sum(p.sign)
        FROM p CROSS JOIN report_level l
        WHERE p.kind = 'measure' AND p.latest_status IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(p.sign) <> 0
        ON CONFLICT ({keys}) DO UPDATE SET people = target_month.people + excluded.people
    """)


# ---- sessions ----------------------------------------------------------------------------------
def _session_counts(run: _Batch, sign: int, types: Collection[str] | None) -> None:
    """Add or take out the noted sessions' counts (sessions, attendance records, reviews,
    goals, experience and staff answers, signposting) in their monthly roll-ups."""

    def wanted(rollup: str) -> bool:
        return types is None or bool(_SESSION_GRAIN[rollup] & set(types))

    session_code = LEVEL_CODE.format(practice="s.sender", hub="s.sender", pcn="s.pcn",
                                     icb="s.icb")
    levels = "CROSS JOIN report_level l"
    not_practice = "l.level <> 'practice'"
    if wanted("session_month"):
        rv_only = run.only("r", "tmp_session")
        run.run(f"""
            INSERT INTO session_month (level, code, programme, month, status, mode, drop_in,
                sessions, clinician_sessions, clinician_minutes, people_reviewed,
                reviewed_usual_minutes, reviewed_without_usual, reviewed_with_minutes,
                review_minutes)
            SELECT l.level, {session_code}, s.programme, s.month, s.status, s.mode, s.drop_in,
                   {sign} * count(*),
                   {sign} * sum(CASE WHEN s.clinician_present THEN 1 ELSE 0 END),
                   {sign} * sum(CASE WHEN s.clinician_present THEN s.clinic_minutes ELSE 0 END),
                   {sign} * sum(coalesce(rv.reviewed, 0)),
                   {sign} * sum(coalesce(rv.reviewed, 0) * coalesce(s.usual_minutes, 0)),
                   {sign} * sum(CASE WHEN s.usual_minutes IS NULL
                                     THEN coalesce(rv.reviewed, 0) ELSE 0 END),
                   {sign} * sum(coalesce(rv.with_minutes, 0)),
                   {sign} * sum(coalesce(rv.minutes, 0))
            FROM session_state s
            LEFT JOIN (
                SELECT r.sender, r.session_uid, count(*) AS reviewed,
                       sum(CASE WHEN r.minutes_spent IS NOT NULL THEN 1 ELSE 0 END)
                         AS with_minutes,
                       sum(coalesce(r.minutes_spent, 0)) AS minutes
                FROM review_state r WHERE r.reviews >= 1 AND {rv_only}
                GROUP BY r.sender, r.session_uid
            ) rv ON rv.sender = s.sender AND rv.session_uid = s.session_uid
            {levels}
            WHERE {not_practice} AND {run.only('s', 'tmp_session')}
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            ON CONFLICT (level, code, programme, month, status, mode, drop_in) DO UPDATE SET
              sessions = session_month.sessions + excluded.sessions,
              clinician_sessions = session_month.clinician_sessions
                                   + excluded.clinician_sessions,
              clinician_minutes = session_month.clinician_minutes + excluded.clinician_minutes,
              people_reviewed = session_month.people_reviewed + excluded.people_reviewed,
              reviewed_usual_minutes = session_month.reviewed_usual_minutes
                                       + excluded.reviewed_usual_minutes,
              reviewed_without_usual = session_month.reviewed_without_usual
                                       + excluded.reviewed_without_usual,
              reviewed_with_minutes = session_month.reviewed_with_minutes
                                      + excluded.reviewed_with_minutes,
              review_minutes = session_month.review_minutes + excluded.review_minutes
        """)
    if wanted("attendance_month"):
        # Records of a session not (yet) known count under programme "unknown", as before.
        code = LEVEL_CODE.format(practice="r.practice", hub="r.sender", pcn="r.pcn",
                                 icb="r.icb")
        # The records gathered once (MATERIALIZED), then spread over the levels.
        run.run(f"""
            INSERT INTO attendance_month (level, code, programme, month, status, channel,
                                          records)
            WITH r AS MATERIALIZED (
                SELECT coalesce(a.registered_practice, a.sender) AS practice, a.sender,
                       coalesce(s.pcn, org.pcn, 'not_stated') AS pcn,
                       coalesce(s.icb, org.icb, 'not_stated') AS icb,
                       coalesce(s.programme, 'unknown') AS programme,
                       coalesce(s.month, {MONTH_OF_ORDER.format(col='a.order_at')}) AS month,
                       a.status,
                       CASE WHEN a.status IN {CAME} THEN coalesce(a.channel, CASE s.mode
                            WHEN 'face_to_face' THEN 'in_room' WHEN 'video' THEN 'video'
                            ELSE 'not_stated' END) ELSE '' END AS channel
                FROM attendance_state a
                LEFT JOIN session_state s
                  ON s.sender = a.sender AND s.session_uid = a.session_uid
                LEFT JOIN {ORG} org ON org.sender = a.sender
                WHERE {run.only('a', 'tmp_session')}
            )
            SELECT l.level, {code}, r.programme, r.month, r.status, r.channel,
                   {sign} * count(*)
            FROM r {levels}
            WHERE 1 = 1
            GROUP BY 1, 2, 3, 4, 5, 6
            ON CONFLICT (level, code, programme, month, status, channel)
            DO UPDATE SET records = attendance_month.records + excluded.records
        """)
    # The rest belong to a known session (they are counted once their session arrives).
    per_session = [
        ("goal_month", "goal_state g", "g", "coalesce(g.outcome, '')", "outcome",
         "count(*)", "goals"),
        ("experience_month", "experience_tally x", "x", "x.response", "response",
         "sum(x.answers)", "answers"),
        ("signposting_month", "signposting_state x", "x", "x.resource_kind", "resource_kind",
         "count(*)", "people"),
    ]
    for rollup, source, alias, item, item_name, measure, count_name in per_session:
        if not wanted(rollup):
            continue
        run.run(f"""
            INSERT INTO {rollup} (level, code, programme, month, {item_name}, {count_name})
            SELECT l.level, {session_code}, s.programme, s.month, {item}, {sign} * {measure}
            FROM {source}
            JOIN session_state s ON s.sender = {alias}.sender
                                AND s.session_uid = {alias}.session_uid
            {levels}
            WHERE {not_practice} AND {run.only(alias, 'tmp_session')}
            GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT (level, code, programme, month, {item_name})
            DO UPDATE SET {count_name} = {rollup}.{count_name} + excluded.{count_name}
        """)
    if wanted("staff_month"):
        run.run(f"""
            INSERT INTO staff_month (level, code, programme, month, role, profession, question,
                                     answer, answers)
            SELECT l.level, {session_code}, s.programme, s.month, x.role, x.profession,
                   x.question, x.answer, {sign} * sum(x.answers)
            FROM staff_tally x
            JOIN session_state s ON s.sender = x.sender AND s.session_uid = x.session_uid
            {levels}
            WHERE {not_practice} AND {run.only('x', 'tmp_session')}
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            ON CONFLICT (level, code, programme, month, role, profession, question, answer)
            DO UPDATE SET answers = staff_month.answers + excluded.answers
        """)

