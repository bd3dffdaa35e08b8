"""The summary tables: kept from the queue of stored events (catch_up, after each batch or many
batches at once), equal to a rebuild from the events, equal to a fresh ingest of the final state
however corrections arrived, and agreeing with the figures the per-programme report works out
from the events themselves. A failed catch-up loses nothing; two at once count nothing twice."""

from __future__ import annotations

import random
import statistics
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text

from icb_service import accounts, intake, summaries
from icb_service import summary_tables as st
from icb_service.aggregates import build_report
from icb_service.db import open_database
from icb_service.protocol import ReceivedEvent
from tests.icb_service import events as ev

PRACTICES = ("Y99999", "Y88888")


def _register(engine: Engine) -> None:
    accounts.add_practice(engine, "Y99999", "Riverside Surgery", pcn="U11111",
                          pcn_name="Riverside PCN", icb="QAA", icb_name="North ICB")
    accounts.add_practice(engine, "Y88888", "Hillside Practice", pcn="U11111", icb="QAA")


def _event(event_type: str, payload: dict[str, Any], when: str, version: int = 1,
           event_id: str | None = None) -> dict[str, Any]:
    made = ev.event(event_type, payload, occurred_at=when, event_id=event_id)
    made["schema_version"] = version
    return made


def _story(seed: int) -> dict[str, list[dict[str, Any]]]:
    """Events per practice: sessions over two months, people coming and not, readings that are
    corrected and voided, answers, goals re-sent later, reviews, staff answers, follow-up."""
    rng = random.Random(seed)
    stories: dict[str, list[dict[str, Any]]] = {}
    for practice in PRACTICES:
        out: list[dict[str, Any]] = []
        people = [f"{practice}-{seed}-{n}" for n in range(9)]
        sessions = []
        for number, (date, programme) in enumerate(
            [("2025-01-08", "type2_diabetes"), ("2025-01-22", "type2_diabetes"),
             ("2025-02-05", "type2_diabetes"), ("2025-02-12", "hypertension")], start=1
        ):
            uid = str(uuid.uuid4())
            sessions.append((uid, date, programme))
            payload = ev.session(uid, date, programme=programme, number=number)
            payload.update(mode=rng.choice(["face_to_face", "video", "hybrid"]),
                           drop_in=rng.random() < 0.3,
                           usual_appointment_minutes=rng.choice([None, 15, 20]),
                           actual_phase_minutes=rng.choice([None, {"checkin": 20, "board": 30}]))
            when = f"{date}T09:00:00Z"
            planned = {**payload, "status": "planned"}
            out.append(_event("session", planned, f"{date}T08:00:00Z", 3))
            out.append(_event("session", payload, when, 3))
            if rng.random() < 0.3:  # a correction of the session itself, later
                out.append(_event("session", {**payload, "status": "cancelled"},
                                  f"{date}T18:00:00Z", 3))
        for uid, date, _programme in sessions:
            for who in rng.sample(people, 6):
                status = rng.choice(["attended", "attended", "late", "did_not_attend",
                                     "invited", "drop_in"])
                att = ev.attendance(uid, who, status=status, sex=rng.choice(["female", "male"]),
                                    ethnic_group=rng.choice(["white", "asian", "not_stated"]))
                if rng.random() < 0.5:
                    att["registered_practice"] = rng.choice(["Y77777", practice])
                out.append(_event("attendance", att, f"{date}T10:00:00Z"))
                if rng.random() < 0.3:  # re-sent with another status later the same day
                    out.append(_event("attendance", {**att, "status": "did_not_attend"},
                                      f"{date}T16:00:00Z"))
                if status in ("attended", "late", "drop_in"):
                    value = round(rng.uniform(40, 90), 1)
                    reading = ev.measurement(who, "hba1c", value, date,
                                             rng.choice(["on_target", "off_target"]), uid)
                    out.append(_event("measurement", reading, f"{date}T10:30:00Z"))
                    if rng.random() < 0.25:  # corrected
                        out.append(_event("measurement", {**reading, "value": value + 1.5},
                                          f"{date}T11:00:00Z"))
                    if rng.random() < 0.15:  # voided
                        void = {k: reading[k] for k in ("session_uid", "subject", "measure",
                                                        "taken_on")}
                        out.append(_event("measurement_void", void, f"{date}T12:00:00Z"))
                    out.append(_event("questionnaire",
                                      ev.questionnaire(uid, who, "swemwbs", rng.randint(10, 30)),
                                      f"{date}T10:40:00Z"))
                    out.append(_event("review", {"session_uid": uid, "subject": ev.subject(who),
                                                 "reviews": rng.choice([0, 1, 2]),
                                                 "professions": ["gp"],
                                                 "minutes_spent": rng.choice([None, 5, 12])},
                                      f"{date}T10:50:00Z", 2))
                    if rng.random() < 0.4:
                        out.append(_event("signposting", {
                            "session_uid": uid, "subject": ev.subject(who),
                            "resource_kind": rng.choice(["physical_activity", "money_advice"])},
                            f"{date}T10:55:00Z"))
            for _ in range(rng.randint(0, 4)):
                out.append(_event("experience", ev.experience(uid, rng.choice(["good", "poor"])),
                                  f"{date}T11:30:00Z"))
            out.append(_event("staff_experience", {
                "session_uid": uid, "role": "clinician", "profession": "gp",
                "answers": {"satisfying": rng.randint(1, 5), "workload": rng.randint(1, 5)}},
                f"{date}T12:30:00Z"))
        # A GP-record reading (no session) for someone, and goals re-sent from a later session.
        out.append(_event("measurement", {**ev.measurement(people[0], "hba1c", 70.0,
                                                           "2024-12-01", "off_target"),
                                          "source": "gp_record"}, "2025-01-02T09:00:00Z"))
        goal_uid = str(uuid.uuid4())
        out.append(_event("goal", ev.goal(sessions[0][0], people[1], goal_uid, None),
                          "2025-01-08T11:00:00Z"))
        out.append(_event("goal", ev.goal(sessions[2][0], people[1], goal_uid, "achieved"),
                          "2025-02-05T11:00:00Z"))
        out.append(_event("follow_up", {"date": "2025-01-15", "item": "dna", "step": "contact",
                                        "method": "call", "outcome": "spoke"},
                          "2025-01-15T09:00:00Z"))
        stories[practice] = out
    return stories


def _send(engine: Engine, practice: str, batch: list[dict[str, Any]], drain: bool = True) -> None:
    results = intake.receive(engine, practice, [ReceivedEvent.model_validate(e) for e in batch])
    assert all(r["status"] != "rejected" for r in results), results
    if drain:
        summaries.catch_up(engine)


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every roll-up and people table, without rows that count nothing, once the applies'
    pending year counts are folded into the year roll-up (as the drainer does when uploads
    pause)."""
    if inspect(engine).has_table(st.change_year_delta.name):  # not in a downgraded store
        summaries.fold_years(engine)
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in (*st.ROLLUPS, *st.PEOPLE):
            counts = [c.name for c in table.columns if c.name not in
                      {k.name for k in table.primary_key.columns}]
            rows = []
            for row in connection.execute(select(table)):
                values = row._mapping
                if table in st.ROLLUPS and not any(values[c] for c in counts):
                    continue
                rows.append(tuple(
                    round(v, 6) if isinstance(v, float) else
                    int(v) if isinstance(v, bool) else v for v in row))
            found[table.name] = sorted(rows, key=repr)
    return found


@pytest.mark.parametrize(("seed", "drain_each"), [(1, True), (2, True), (1, False), (2, False)])
def test_kept_from_the_queue_equals_a_rebuild_and_a_fresh_ingest(
    engine: Engine, database_url: str, seed: int, drain_each: bool
) -> None:
    """drain_each: caught up after every batch of 37; else once for every batch (events of
    many receipts applied together, as the drainer does when ingest outpaces it)."""
    _register(engine)
    stories = _story(seed)
    rng = random.Random(seed)
    for practice, story in stories.items():
        shuffled = story[:]
        rng.shuffle(shuffled)  # corrections may arrive before what they correct
        for start in range(0, len(shuffled), 37):
            _send(engine, practice, shuffled[start:start + 37], drain=drain_each)
            if drain_each and start % 74:
                # Every other batch: later batches move counts already folded in, or that
                # corrections take away again.
                summaries.fold_years(engine)
        _send(engine, practice, shuffled[:50], drain=drain_each)  # a retry changes nothing
    if not drain_each:
        assert summaries.pending(engine) == sum(len(story) for story in stories.values())
        assert not _snapshot(engine)["people_month"]  # nothing counted until caught up
        assert summaries.catch_up(engine) == sum(len(story) for story in stories.values())
        assert _pending_years(engine)  # the apply left its year counts to be folded in later
    assert summaries.pending(engine) == 0
    kept = _snapshot(engine)
    assert kept["people_month"] and kept["change_month"] and kept["session_month"]

    summaries.rebuild(engine)
    assert _snapshot(engine) == kept

    # A fresh service sent each practice's events in order, in one batch each.
    other_url = database_url.replace("icb.sqlite3", "fresh.sqlite3")
    if other_url == database_url:  # PostgreSQL: the same schema emptied
        for table in (*st.ROLLUPS, *st.PEOPLE, *st.STATES, st.summary_queue):
            with engine.begin() as connection:
                connection.execute(table.delete())
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM event"))
            connection.execute(text("DELETE FROM event_id"))
        fresh = engine
    else:
        fresh = open_database(other_url)
        _register(fresh)
    for practice, story in stories.items():
        ordered = sorted(story, key=lambda e: (e["occurred_at"], e["seq"]))
        _send(fresh, practice, ordered)
    assert _snapshot(fresh) == kept


def _pending_years(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM change_year_delta")).scalar_one())


def _hub_sum(engine: Engine, table: Any, column: str, **where: Any) -> int:
    with engine.connect() as connection:
        query = select(table.c[column]).where(table.c.level == "hub")
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        return sum(connection.execute(query).scalars())


def _median_from_values(engine: Engine, practice: str, programme: str, item: str) -> float:
    """The exact median from change_month's value counts, as a reader would work it out."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT change, sum(people) FROM change_month WHERE level = 'hub' AND code = :code "
            "AND programme = :programme AND kind = 'measure' AND item = :item "
            "AND dimension = 'all' GROUP BY change ORDER BY change"
        ), {"code": practice, "programme": programme, "item": item}).all()
    values = [change for change, people in rows for _ in range(people)]
    return statistics.median(values)


def test_summaries_give_the_per_programme_reports_figures(engine: Engine) -> None:
    _register(engine)
    for practice, story in _story(3).items():
        _send(engine, practice, story)
    report = build_report(engine, threshold=0)
    assert report.groups
    for group in report.groups:
        where = {"code": group.practice, "programme": group.programme}
        for name in ("invited", "attended", "did_not_attend"):
            assert _hub_sum(engine, st.people_month, name, dimension="all", **where) == \
                getattr(group, name).value, (group.practice, group.programme, name)
        held = _hub_sum(engine, st.session_month, "sessions", status="finished", **where)
        assert held == group.sessions_held
        assert _hub_sum(engine, st.goal_month, "goals", **where) == group.goals_set.value
        for measure in group.measures:
            assert _hub_sum(engine, st.change_month, "people", dimension="all",
                            item=measure.measure, **where) == measure.people_with_change.value
            if measure.people_with_change.value:
                assert _median_from_values(engine, group.practice, group.programme,
                                           measure.measure) == pytest.approx(
                    measure.median_change.value, abs=1e-3)
            assert _hub_sum(engine, st.target_month, "people", measure=measure.measure,
                            status="on_target", **where) == measure.at_target.value
        for answer, figure in group.experience.items():
            assert _hub_sum(engine, st.experience_month, "answers", response=answer,
                            **where) == figure.value


def test_levels_add_up_and_use_the_register(engine: Engine) -> None:
    _register(engine)
    for practice, story in _story(4).items():
        _send(engine, practice, story)
    with engine.connect() as connection:
        totals = dict(connection.execute(text(
            "SELECT level, sum(people) FROM people_month WHERE dimension = 'all' "
            "GROUP BY level")).all())
        codes = set(connection.execute(text(
            "SELECT level || ':' || code FROM people_month")).scalars())
    assert len(set(totals.values())) == 1  # every level counts each person once
    assert {"pcn:U11111", "icb:QAA", "hub:Y99999", "hub:Y88888", "practice:Y77777"} <= codes
    assert not any(code.startswith(("pcn:not_stated", "icb:not_stated")) for code in codes)


@pytest.mark.postgres
def test_postgres_partitions_by_month_of_receipt(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    _register(engine)
    _send(engine, "Y99999", _story(5)["Y99999"][:20])
    with engine.connect() as connection:
        parts = set(connection.execute(text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'event' "
            "AND p.relnamespace = to_regnamespace(current_schema())")).scalars())
        where = dict(connection.execute(text(
            "SELECT tableoid::regclass::text, count(*) FROM event GROUP BY 1")).all())
        ids = connection.execute(text("SELECT count(*) FROM event_id")).scalar()
    from icb_service.models import utc_now
    from icb_service.partitions import month_start, next_month, partition_name

    this_month = partition_name(month_start(utc_now()))
    assert {this_month, partition_name(next_month(month_start(utc_now()))),
            "event_default"} <= parts
    assert list(where) == [this_month] and where[this_month] == 20 == ids


@pytest.mark.postgres
def test_postgres_connections_sort_in_memory(database_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection gets work_mem (64MB unless GROUPCLINIC_ICB_WORK_MEM says otherwise;
    empty keeps the server's) and no JIT."""
    from sqlalchemy import create_engine

    from icb_service.db import make_engine, normalise_url

    if not database_url.startswith("postgresql"):
        pytest.skip("work_mem is PostgreSQL's")

    def settings() -> tuple[str, str]:
        engine = make_engine(database_url)
        try:
            with engine.connect() as connection:
                return (connection.execute(text("SHOW work_mem")).scalar_one(),
                        connection.execute(text("SHOW jit")).scalar_one())
        finally:
            engine.dispose()

    monkeypatch.delenv("GROUPCLINIC_ICB_WORK_MEM", raising=False)
    assert settings() == ("64MB", "off")
    monkeypatch.setenv("GROUPCLINIC_ICB_WORK_MEM", "16MB")
    assert settings() == ("16MB", "off")
    monkeypatch.setenv("GROUPCLINIC_ICB_WORK_MEM", "")
    plain = create_engine(normalise_url(database_url))
    try:
        with plain.connect() as connection:
            servers_own = connection.execute(text("SHOW work_mem")).scalar_one()
    finally:
        plain.dispose()
    assert settings()[0] == servers_own


def test_concurrent_batches_of_one_practice_keep_the_summaries_exact(engine: Engine) -> None:
    """Two laptops of one practice sending at once (and a failed batch in between) leave the
    same summaries as a rebuild, and the service keeps accepting batches."""
    import threading

    _register(engine)
    story = _story(6)["Y99999"]
    halves = [story[0::2], story[1::2]]
    errors: list[Exception] = []

    def send(events: list[dict[str, Any]]) -> None:
        try:
            for start in range(0, len(events), 25):
                _send(engine, "Y99999", events[start:start + 25])
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    kept = _snapshot(engine)
    summaries.rebuild(engine)
    assert _snapshot(engine) == kept


def _rename(engine: Engine, old: str, new: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_a_failed_catch_up_keeps_the_queue_and_a_later_one_completes(engine: Engine) -> None:
    """A catch-up that fails half way (here a summary table is missing) leaves the queue and
    the summaries as they were; the drainer logs no event content and retries."""
    import logging

    from icb_service.summary_drainer import SummaryDrainer

    _register(engine)
    story = _story(9)["Y99999"]
    _send(engine, "Y99999", story[:40])
    before = _snapshot(engine)
    for start in range(40, len(story), 50):
        _send(engine, "Y99999", story[start:start + 50], drain=False)
    queued = summaries.pending(engine)
    assert queued == len(story) - 40
    _rename(engine, "person_change", "person_change_away")
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever the engine raises
            summaries.catch_up(engine, limit=30)
        assert summaries.pending(engine) == queued
        drainer = SummaryDrainer(engine, period=0.05, retry=0.05)
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        logging.getLogger("icb_service.summary_drainer").addHandler(handler)
        try:
            drainer.start()
            drainer.wake()
            deadline = time.monotonic() + 20
            while drainer.failures < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            drainer.stop()
        finally:
            logging.getLogger("icb_service.summary_drainer").removeHandler(handler)
        assert drainer.failures >= 2 and records  # failed, said so, and tried again
        logged = " ".join(record.getMessage() for record in records)
        assert not any(event["id"] in logged for event in story)
        assert "session_uid" not in logged and "Y99999" not in logged
    finally:
        _rename(engine, "person_change_away", "person_change")
    assert summaries.pending(engine) == queued
    assert _snapshot(engine) == before  # the failed applies changed nothing
    assert summaries.catch_up(engine, limit=30) == queued
    kept = _snapshot(engine)
    summaries.rebuild(engine)
    assert _snapshot(engine) == kept


def test_two_drainers_at_once_apply_each_event_once(engine: Engine) -> None:
    import threading

    _register(engine)
    stories = _story(10)
    for practice, story in stories.items():
        for start in range(0, len(story), 20):
            _send(engine, practice, story[start:start + 20], drain=False)
    queued = summaries.pending(engine)
    applied: list[int] = []
    errors: list[Exception] = []
    go = threading.Barrier(3)

    def drain() -> None:
        try:
            go.wait()
            applied.append(summaries.catch_up(engine, limit=25))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(applied) == queued and summaries.pending(engine) == 0
    kept = _snapshot(engine)
    summaries.rebuild(engine)
    assert _snapshot(engine) == kept


def test_a_report_counts_what_came_before_it_and_leaves_later_uploads_to_the_drainer(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report asked for during a long upload counts every event stored before it was asked
    for, and does not wait for the batches that keep arriving (a read waited until the upload
    ended: 8-10 s in the bench's upload of 40,000 events)."""
    from icb_service.monitoring import MonitoringQuery, Reader, build_monitoring_report

    _register(engine)
    stories = _story(12)
    _send(engine, "Y99999", stories["Y99999"], drain=False)
    applying = summaries.catch_up

    def another_practice_uploads_meanwhile(*args: Any, **kwargs: Any) -> int:
        _send(engine, "Y88888", stories["Y88888"], drain=False)
        return applying(*args, **kwargs)

    monkeypatch.setattr(summaries, "catch_up", another_practice_uploads_meanwhile)
    report = build_monitoring_report(engine, MonitoringQuery(), Reader())
    monkeypatch.undo()
    assert report.total.figures.sessions.held.value is not None
    assert _queued_ids(engine) == {e["id"] for e in stories["Y88888"]}  # left to the drainer
    assert summaries.catch_up(engine) == len(stories["Y88888"])
    kept = _snapshot(engine)
    summaries.rebuild(engine)
    assert _snapshot(engine) == kept


def test_the_drainer_folds_the_pending_year_counts_once_uploads_pause(engine: Engine) -> None:
    """An apply leaves its year counts pending, not added to change_year; the drainer folds
    them in at its first wake with nothing to apply, to what a rebuild makes."""
    from icb_service.summary_drainer import SummaryDrainer

    _register(engine)
    stories = _story(13)
    drainer = SummaryDrainer(engine, period=0.05, retry=0.05)
    drainer.start()
    try:
        for practice, story in stories.items():
            for start in range(0, len(story), 40):
                _send(engine, practice, story[start:start + 40], drain=False)
                drainer.wake()
        deadline = time.monotonic() + 30
        while (summaries.pending(engine) or _pending_years(engine)) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
    finally:
        drainer.stop()
    assert summaries.pending(engine) == 0 and not _pending_years(engine)
    assert drainer.failures == 0
    with engine.connect() as connection:
        summed = sorted(connection.execute(select(st.change_year).where(
            st.change_year.c.people != 0)).all())
    assert summed
    summaries.rebuild(engine)
    with engine.connect() as connection:
        assert sorted(connection.execute(select(st.change_year)).all()) == summed


def _queued_ids(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {str(i) for (i,) in connection.execute(select(st.summary_queue.c.event_id))}


def test_rebuild_empties_the_queue(engine: Engine) -> None:
    _register(engine)
    _send(engine, "Y99999", _story(11)["Y99999"], drain=False)
    assert summaries.pending(engine)
    summaries.rebuild(engine)
    assert summaries.pending(engine) == 0
    kept = _snapshot(engine)
    assert kept["people_month"]
    assert summaries.catch_up(engine) == 0 and _snapshot(engine) == kept


def test_upgrading_a_database_with_events_moves_them_and_builds_the_summaries(
    database_url: str,
) -> None:
    """A service of the last release (schema 0002) with events: 0003 keeps every event (on
    PostgreSQL moved into month partitions, each id into event_id) and fills the summaries."""
    import datetime as dt

    from alembic import command
    from alembic.config import Config

    from icb_service.db import MIGRATIONS, make_engine
    from icb_service.intake import _judge

    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO practice (code, name, created_at) VALUES ('Y99999', 'Riverside', "
            ":now)"), {"now": dt.datetime(2025, 1, 1)})
    story = _story(7)["Y99999"]
    received = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [_judge("Y99999", ReceivedEvent.model_validate(e), received).row  # type: ignore[union-attr]
            for e in story]
    from sqlalchemy import JSON, column, table

    old_event = table("event", *(column(name) for name in rows[0] if name != "payload"),
                      column("payload", JSON()))
    with engine.begin() as connection:
        connection.execute(old_event.insert(), rows)
    engine.dispose()

    upgraded = open_database(database_url)
    with upgraded.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM event")).scalar() == len(story)
        if upgraded.dialect.name == "postgresql":
            assert connection.execute(text("SELECT count(*) FROM event_id")).scalar() == \
                len(story)
    built = _snapshot(upgraded)
    assert built["people_month"] and built["session_month"]
    summaries.rebuild(upgraded)
    assert _snapshot(upgraded) == built
    # And the upgraded service takes new batches on top.
    _send(upgraded, "Y99999", _story(8)["Y99999"][:30])
    upgraded.dispose()


def test_a_service_made_before_0004_gains_the_change_counts_and_years_as_kept(
    engine: Engine,
) -> None:
    """Migration 0004 fills change_people_month and change_year from change_month as it stands:
    the same rows that keeping them from the queue gives, and the reports read them at once."""
    from alembic import command
    from alembic.config import Config

    from icb_service.db import MIGRATIONS, migrate

    _register(engine)
    for practice, story in _story(3).items():
        for start in range(0, len(story), 41):
            _send(engine, practice, story[start:start + 41])
    kept = _snapshot(engine)
    assert kept["change_year"] and kept["change_people_month"]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # as 0003 left a service before these tables existed
        for table in st.ROLLUPS_0004:
            table.drop(connection)
        config.attributes["connection"] = connection
        command.stamp(config, "0003")
    migrate(engine)
    assert _snapshot(engine) == kept


def _keys(engine: Engine) -> dict[str, str]:
    """The roll-ups' primary keys as PostgreSQL states them."""
    with engine.connect() as connection:
        return {name: definition for name, definition in connection.execute(text(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'p' AND connamespace = CAST(current_schema() AS regnamespace)"
        )) if name in {table.name for table in st.ROLLUPS}}


def test_a_service_made_before_0005_keeps_its_figures_with_the_new_keys(engine: Engine) -> None:
    """Migration 0005 orders each roll-up's key by month and (PostgreSQL) puts the counts in it:
    the rows, the reports and taking new batches are as before; going back to 0004 and up again
    loses nothing."""
    from alembic import command
    from alembic.config import Config

    from icb_service import monitoring
    from icb_service.db import MIGRATIONS, migrate
    from icb_service.monitoring import MonitoringQuery, build_monitoring_report

    _register(engine)
    for practice, story in _story(5).items():
        _send(engine, practice, story)
    kept = _snapshot(engine)
    query = MonitoringQuery(**{"level": "practice", "code": "Y99999"})
    report = build_monitoring_report(engine, query).model_dump(exclude={"generated_at"})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    if engine.dialect.name == "postgresql":
        before = _keys(engine)
        assert before["people_month"] == (
            "PRIMARY KEY (level, code, programme, month, dimension, grp)")
        assert before["change_year"].endswith("INCLUDE (people)")
    assert _snapshot(engine) == kept
    migrate(engine)
    if engine.dialect.name == "postgresql":
        after = _keys(engine)
        assert after["people_month"] == (
            "PRIMARY KEY (level, code, month, programme, dimension, grp) "
            "INCLUDE (people, invited, attended, did_not_attend)")
        assert after["change_year"] == (
            "PRIMARY KEY (level, code, year, programme, kind, item, dimension, grp, change) "
            "INCLUDE (people)")
        assert len(after) == len(st.ROLLUPS)
    assert _snapshot(engine) == kept
    monitoring._DECIDED.clear()  # read the figures again, not the decision kept in memory
    again = build_monitoring_report(engine, query).model_dump(exclude={"generated_at"})
    assert again == report
    _send(engine, "Y99999", _story(9)["Y99999"][:30])
    assert _snapshot(engine) != kept


@pytest.mark.parametrize("folded", ["folded", "pending", "some"])
@pytest.mark.parametrize(("first", "last"), [
    ("0000-00", "9999-99"), ("2025-01", "2025-12"), ("2025-02", "2025-02"),
    ("2024-11", "2025-01"), ("2024-01", "2026-03"), ("2025-02", "9999-99"),
    ("0000-00", "2025-01"), ("2026-01", "9999-99"), ("2024-12", "2026-01"), ("2025-01", "2025-01"),
])
def test_change_histograms_of_any_period_are_the_months_summed(
    engine: Engine, first: str, last: str, folded: str
) -> None:
    """Whole calendar years come from change_year, the months at either end from change_month;
    together exactly the period's months, never a month twice. The year counts applies left
    pending are added in until the drainer folds them ("pending": none folded yet; "some": a
    later upload's counts over years already folded)."""
    from icb_service.monitoring_read import Window, read_changes

    _register(engine)
    stories = _story(4)
    for practice, story in stories.items():
        _send(engine, practice, story if folded != "some" else story[: len(story) // 2])
    if folded == "some":
        summaries.fold_years(engine)
        for practice, story in stories.items():
            _send(engine, practice, story[len(story) // 2:])
    if folded == "folded":
        summaries.fold_years(engine)
        assert not _pending_years(engine)
    else:
        assert _pending_years(engine)
    with engine.connect() as connection:
        expected: dict[Any, dict[float, int]] = {}
        for level, code, kind, item, dim, grp, change, people in connection.execute(text(
            "SELECT level, code, kind, item, dimension, grp, change, SUM(people) "
            "FROM change_month WHERE month >= :first AND month <= :last "
            "GROUP BY level, code, kind, item, dimension, grp, change"
        ), {"first": first, "last": last}):
            if people:
                expected.setdefault(((level, code), (kind, item, dim, grp)), {})[
                    float(change)] = int(people)
        nodes = sorted({node for node, _ in expected} | {("icb", "QAA"), ("pcn", "U11111")})
        read = read_changes(connection, Window(nodes, None, first, last))
    found = {(node, key): dict(histogram) for node, changes in read.items()
             for key, histogram in changes.items() if histogram}
    assert found == expected
    if first == "0000-00":
        assert found
