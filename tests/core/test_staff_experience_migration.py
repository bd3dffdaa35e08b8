"""Migration 0011 (the staff's end-of-session answers) adds one table with no staff id in it,
and changes no other row; going back to 0010 drops only that table."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic


def rows(clinic: Clinic, table: str) -> list[tuple]:
    with clinic.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]


def test_the_table_has_no_staff_id_and_the_step_back_keeps_every_other_row(
    demo_dir: Path, demo: Clinic
) -> None:
    columns = {c["name"] for c in inspect(demo.engine).get_columns("staff_experience")}
    assert columns == {"id", "session_id", "role", "profession", "answers"}
    finished = next(s for s in demo.sessions() if s.status.value == "finished")
    with demo.acting_as(SYSTEM):
        demo.record_staff_experience(finished.id, role="clinician", profession="gp",  # type: ignore[arg-type]
                                     answers={"satisfying": 3})
    reviews, sessions = rows(demo, "review"), rows(demo, "clinic_session")

    command.downgrade(store.alembic_config(demo.engine), "0010")
    assert "staff_experience" not in inspect(demo.engine).get_table_names()
    assert rows(demo, "review") == reviews and rows(demo, "clinic_session") == sessions
    demo.close()

    with Clinic.open(demo_dir, create=False) as clinic:
        assert store.current_revision(clinic.engine) == store.head_revision() == "0011"
        assert rows(clinic, "staff_experience") == []
        assert rows(clinic, "review") == reviews and clinic.check() == []
