"""The organisation register (practice -> PCN -> ICB), ICB-scoped analyst tokens, the event
table partitioned by month of receipt on PostgreSQL, and the summary tables.

Revision ID: 0003
Revises: 0002
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_EVENT_COLUMNS = ("id, practice_code, seq, type, schema_version, occurred_at, received_at, "
                  "content_sha256, payload")


def upgrade() -> None:
    from icb_service import summary_tables as st

    op.create_table(
        "icb",
        sa.Column("code", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
    )
    op.create_table(
        "pcn",
        sa.Column("code", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("icb_code", sa.String(10), sa.ForeignKey("icb.code"), nullable=True),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Added in place: copying the table (alembic's batch mode) cannot drop the old one
        # while events and tokens refer to it, so a service with data could not upgrade.
        op.execute("ALTER TABLE practice ADD COLUMN pcn_code VARCHAR(10) REFERENCES pcn (code)")
        op.execute("ALTER TABLE practice ADD COLUMN icb_code VARCHAR(10) REFERENCES icb (code)")
    else:
        op.add_column("practice", sa.Column("pcn_code", sa.String(10), nullable=True))
        op.add_column("practice", sa.Column("icb_code", sa.String(10), nullable=True))
        op.create_foreign_key("fk_practice_pcn", "practice", "pcn", ["pcn_code"], ["code"])
        op.create_foreign_key("fk_practice_icb", "practice", "icb", ["icb_code"], ["code"])
    op.add_column("token", sa.Column("icb_code", sa.String(10), nullable=True))

    if bind.dialect.name == "postgresql":
        _partition_events(bind)
    else:
        op.create_index("ix_event_received_at", "event", ["received_at"])

    # This round's summary tables as summary_tables.py defines them; a later change to them
    # must come with its own migration.
    tables = [st.report_level, st.report_dimension, *st.STATES, *st.PEOPLE, *st.ROLLUPS,
              *st.QUEUE]
    for table in tables:
        table.create(bind)  # with its indexes (summary_tables.INDEXES)
    bind.execute(st.report_level.insert(), [{"level": level} for level in st.LEVELS])
    bind.execute(st.report_dimension.insert(), [{"dimension": d} for d in st.DIMENSIONS])
    bind.execute(st.summary_version.insert(), [{"id": 1, "version": 0}])
    if bind.dialect.name == "postgresql":
        # Without statistics the planner takes these 4- and 7-row tables for a thousand rows.
        op.execute("ANALYZE report_level")
        op.execute("ANALYZE report_dimension")

    from icb_service.summaries import rebuild_in

    rebuild_in(bind)  # whatever events an older service stored


def _partition_events(bind: sa.Connection) -> None:
    """Move the events into a table partitioned by month of receipt, ids into event_id."""
    from icb_service import partitions

    op.rename_table("event", "event_before_0003")
    op.execute("ALTER INDEX ix_event_practice_type RENAME TO ix_event_before_0003_practice_type")
    op.execute("""
        CREATE TABLE event (
            id varchar(36) NOT NULL,
            practice_code varchar(10) NOT NULL REFERENCES practice (code),
            seq bigint NOT NULL,
            type varchar(40) NOT NULL,
            schema_version integer NOT NULL,
            occurred_at timestamp NOT NULL,
            received_at timestamp NOT NULL,
            content_sha256 varchar(64) NOT NULL,
            payload json NOT NULL
        ) PARTITION BY RANGE (received_at)
    """)
    op.execute(f"CREATE TABLE {partitions.DEFAULT} PARTITION OF event DEFAULT")
    op.create_index("ix_event_practice_type", "event", ["practice_code", "type"])
    op.create_index("ix_event_received_at", "event", ["received_at"])
    op.create_table(
        "event_id",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_code", sa.String(10), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
    )
    first, last = bind.execute(
        sa.text("SELECT min(received_at), max(received_at) FROM event_before_0003")
    ).one()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    first = first or now
    last = max(last or now, now)
    partitions.make_months(
        bind, partitions.month_start(first), partitions.next_month(partitions.month_start(last))
    )
    op.execute(f"INSERT INTO event ({_EVENT_COLUMNS}) "
               f"SELECT {_EVENT_COLUMNS} FROM event_before_0003")
    op.execute("INSERT INTO event_id (id, practice_code, content_sha256) "
               "SELECT id, practice_code, content_sha256 FROM event_before_0003")
    op.drop_table("event_before_0003")


def downgrade() -> None:
    from icb_service import summary_tables as st

    bind = op.get_bind()
    for table in reversed([st.report_level, st.report_dimension, *st.STATES, *st.PEOPLE,
                           *st.ROLLUPS, *st.QUEUE]):
        table.drop(bind, checkfirst=True)  # 0004's tables are gone when it was undone first
    if bind.dialect.name == "postgresql":
        op.rename_table("event", "event_partitioned")
        op.execute("ALTER INDEX ix_event_practice_type RENAME TO ix_event_partitioned_pt")
        op.create_table(
            "event",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("practice_code", sa.String(10), sa.ForeignKey("practice.code"),
                      nullable=False),
            sa.Column("seq", sa.BigInteger(), nullable=False),
            sa.Column("type", sa.String(40), nullable=False),
            sa.Column("schema_version", sa.Integer(), nullable=False),
            sa.Column("occurred_at", sa.DateTime(), nullable=False),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.Column("content_sha256", sa.String(64), nullable=False),
            sa.Column("payload", sa.JSON(), nullable=False),
        )
        op.execute(f"INSERT INTO event ({_EVENT_COLUMNS}) "
                   f"SELECT {_EVENT_COLUMNS} FROM event_partitioned")
        op.execute("DROP TABLE event_partitioned CASCADE")
        op.drop_table("event_id")
        op.create_index("ix_event_practice_type", "event", ["practice_code", "type"])
    else:
        op.drop_index("ix_event_received_at", table_name="event")
    op.drop_column("token", "icb_code")
    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE practice DROP COLUMN icb_code")
        op.execute("ALTER TABLE practice DROP COLUMN pcn_code")
    else:
        op.drop_constraint("fk_practice_icb", "practice", type_="foreignkey")
        op.drop_constraint("fk_practice_pcn", "practice", type_="foreignkey")
        op.drop_column("practice", "icb_code")
        op.drop_column("practice", "pcn_code")
    op.drop_table("pcn")
    op.drop_table("icb")
