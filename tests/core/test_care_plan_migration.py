"""Migration 0010 (care plans, their versions, follow-up) adds tables and changes no row: goals
and review actions already in a store join each person's plan when it is first read."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic

NEW_TABLES = {"care_plan", "care_plan_version", "follow_up"}


def rows(clinic: Clinic, table: str) -> list[tuple]:
    with clinic.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]


def test_upgrade_and_downgrade_keep_every_goal_and_review(demo_dir: Path, demo: Clinic) -> None:
    goals, reviews = rows(demo, "goal"), rows(demo, "review")
    assert goals and any(r for r in demo.reviews(1) if r.actions)  # the demo has both
    person = demo.goals()[0].patient_id
    with demo.acting_as(SYSTEM):
        plan = demo.care_plan(person)
        demo.set_plan_goal_status(person, plan.goals[0].uid, "achieved")
    assert rows(demo, "care_plan") and rows(demo, "care_plan_version")

    command.downgrade(store.alembic_config(demo.engine), "0008")
    assert not NEW_TABLES & set(inspect(demo.engine).get_table_names())
    assert rows(demo, "goal") == goals and rows(demo, "review") == reviews
    demo.close()

    # An older store (no plans) opened by this version: migrated up, nothing changed, and the
    # plans are built from the goals and reviews on first read.
    with Clinic.open(demo_dir, create=False) as clinic:
        assert store.current_revision(clinic.engine) == store.head_revision()
        assert set(inspect(clinic.engine).get_table_names()) >= NEW_TABLES
        assert rows(clinic, "goal") == goals and rows(clinic, "review") == reviews
        assert rows(clinic, "care_plan") == []
        with clinic.acting_as(SYSTEM):
            again = clinic.care_plan(person)
        assert not again.saved
        assert [g.text for g in again.goals] == [g.text for g in plan.goals]
        assert [a.text for a in again.actions] == [a.text for a in plan.actions]
        assert clinic.check() == []
