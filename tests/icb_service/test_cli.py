"""`groupclinic-icb` as an ICB's operator uses it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect

from icb_service.accounts import caller_for
from icb_service.cli import main
from icb_service.db import migrate, open_database


def test_add_practice_prints_a_token_that_works(database_url: str, capsys) -> None:
    assert main(["--db", database_url, "add-practice", "y99999", "--name", "Riverside"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    engine = open_database(database_url)
    caller = caller_for(engine, token)
    assert caller is not None and (caller.kind, caller.practice) == ("practice", "Y99999")
    engine.dispose()


def test_add_analyst_and_aggregates_print_json(database_url: str, capsys) -> None:
    assert main(["--db", database_url, "add-analyst", "Jo Analyst"]) == 0
    assert capsys.readouterr().out.strip()
    assert main(["--db", database_url, "aggregates", "--practice", "Y99999"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["groups"] == [] and report["suppression_threshold"] == 5


def test_bad_input_is_one_clear_line_and_non_zero(database_url: str, capsys) -> None:
    assert main(["--db", database_url, "add-practice", "not a code"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ODS code" in err


def test_an_unusable_database_url_is_one_line(capsys) -> None:
    assert main(["--db", "nosuchdb://x", "add-analyst", "Jo"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("groupclinic-icb: ") and err.count("\n") == 1


def test_migrations_create_the_tables_and_can_run_again(database_url: str) -> None:
    engine = open_database(database_url)
    migrate(engine)  # a second start changes nothing
    tables = set(inspect(engine).get_table_names())
    assert {"practice", "token", "event", "alembic_version"} <= tables
    # One id is stored once: the event table's key on SQLite; on PostgreSQL, where the event
    # table is partitioned by month (a partition key must be in every unique key), event_id's.
    keyed = "event_id" if engine.dialect.name == "postgresql" else "event"
    unique = inspect(engine).get_pk_constraint(keyed)
    assert unique["constrained_columns"] == ["id"]
    engine.dispose()


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"]])
def test_help_works(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0


def test_serve_runs_several_workers_with_the_settings_given(database_url: str) -> None:
    """`serve --workers 2`, as the deployment guide runs it: both workers answer on one port,
    store what a practice sends and use the suppression chosen on the command line; stopping
    the service stops every worker."""
    import signal
    import socket
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    import httpx

    from bench.service_health import wait_until_healthy
    from icb_service import accounts
    from tests.icb_service import events as ev

    engine = open_database(database_url)
    token = accounts.add_practice(engine, "Y99999")
    engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    service = subprocess.Popen(
        [sys.executable, "-m", "icb_service.cli", "--db", database_url, "serve", "--port",
         str(port), "--workers", "2", "--suppress-below", "7"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, service, 90)
        children = Path(f"/proc/{service.pid}/task/{service.pid}/children").read_text().split()
        workers = [pid for pid in children
                   if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 2

        uid = str(uuid.uuid4())
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=auth, timeout=30) as http:
            for n in range(4):  # several requests, so both workers are likely to take some
                answer = http.post("/v1/events", json={
                    "protocol_version": 3, "practice": "Y99999",
                    "events": [ev.event("session", ev.session(uid, "2025-01-10"))]
                    if n == 0 else [ev.event("attendance", ev.attendance(uid, f"p{n}"))]})
                assert answer.status_code == 200, answer.text
                assert answer.json()["results"][0]["status"] == "stored"
            report = http.get("/v1/monitoring", params={"level": "practice"}).json()
        assert report["suppression_threshold"] == 7
    finally:
        service.send_signal(signal.SIGINT)
        service.wait(30)
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
