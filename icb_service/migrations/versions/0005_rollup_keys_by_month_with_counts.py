"""Roll-up keys ordered (level, code, month or year, ...) and, on PostgreSQL, holding the counts.

A report sums a few hundred organisations' rows over a month range. With the programme before
the month in the key, a one-year read walked every month of every programme; and with the counts
outside the key, each row was a page of the table (rows are written month by month, so an
organisation's rows lie on as many pages as it has rows). Now that read is one range per
organisation in the key alone (an index-only scan).

SQLite keeps its keys as they were: it has no INCLUDE, and its stores are small. A conflict
target names the key's columns in any order, so the summaries' statements work with either.

The new key is built while the table is locked: on a whole ICB's database that is minutes (see
docs/deployment.md, "Upgrading"), so run the upgrade between ingest runs.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _rekey(bind: sa.Connection, table: sa.Table) -> None:
    key = ", ".join(c.name for c in table.primary_key.columns)
    counts = [c.name for c in table.columns if c.name not in table.primary_key.columns]
    wanted = f"PRIMARY KEY ({key}) INCLUDE ({', '.join(counts)})"
    constraint, definition = bind.execute(sa.text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:table AS regclass) AND contype = 'p'"
    ), {"table": table.name}).one()
    if definition == wanted:
        return  # made by 0003 or 0004 from today's summary_tables.py
    bind.execute(sa.text(
        f'ALTER TABLE {table.name} DROP CONSTRAINT "{constraint}", '
        f'ADD CONSTRAINT "{table.name}_pkey" {wanted}'
    ))


def upgrade() -> None:
    from icb_service import summary_tables as st

    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in st.ROLLUPS:
        _rekey(bind, table)


def downgrade() -> None:
    """Back to 0004's keys: (level, code, then the columns in table order), counts in the key
    for change_year only."""
    from icb_service import summary_tables as st

    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in st.ROLLUPS:
        counts = [c.name for c in table.columns if c.name not in table.primary_key.columns]
        key = ", ".join(c.name for c in table.columns if c.name not in counts)
        include = f" INCLUDE ({', '.join(counts)})" if table is st.change_year else ""
        bind.execute(sa.text(
            f'ALTER TABLE {table.name} DROP CONSTRAINT "{table.name}_pkey", '
            f'ADD CONSTRAINT "{table.name}_pkey" PRIMARY KEY ({key}){include}'
        ))
