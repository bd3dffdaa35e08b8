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
