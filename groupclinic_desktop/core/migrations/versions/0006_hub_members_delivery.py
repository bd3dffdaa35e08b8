"""hub and member practices, each person's registered practice, GP record delivery over MESH

A single-practice store keeps working as it did: its practice becomes its own (only) member
practice, and every person already in the store is registered at that practice.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("PRACTICE", "PCN", "HUB", name="organisationkind"),
                nullable=False,
                server_default="PRACTICE",
            )
        )
        batch_op.add_column(
            sa.Column("pcn_ods_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    # The default only fills existing rows; the model supplies the value from now on.
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)

    op.create_table(
        "member_practice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ods_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mesh_mailbox", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ods_code"),
    )

    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("registered_ods", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_patient_registered_ods"), ["registered_ods"])

    with op.batch_alter_table("export_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )

    op.create_table(
        "gp_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("registered_ods", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mex_to", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "QUEUED",
                "SENDING",
                "SENT",
                "ACKNOWLEDGED",
                "FILED",
                "FAILED",
                name="deliverystatus",
            ),
            nullable=False,
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("message_uid", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("mesh_message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("needs_attention", sa.Boolean(), nullable=False),
        sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("queued_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("filed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["queued_by_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["clinic_session.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "patient_id", "version"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("gp_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gp_delivery_patient_id"), ["patient_id"])
        batch_op.create_index(batch_op.f("ix_gp_delivery_session_id"), ["session_id"])

    # A single-practice store: the practice is its own member and everyone is registered there.
    op.execute(
        "INSERT INTO member_practice (ods_code, name, active, created_at) "
        "SELECT ods_code, name, 1, created_at FROM practice"
    )
    op.execute(
        "UPDATE patient SET registered_ods = (SELECT ods_code FROM practice LIMIT 1) "
        "WHERE registered_ods IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("gp_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gp_delivery_session_id"))
        batch_op.drop_index(batch_op.f("ix_gp_delivery_patient_id"))
    op.drop_table("gp_delivery")
    op.drop_table("member_practice")
    # SQLite drops these columns in place (3.35+); copying the patient table, as a batch would,
    # is refused while other tables point at it.
    op.drop_index("ix_patient_registered_ods", table_name="patient")
    op.execute("ALTER TABLE patient DROP COLUMN registered_ods")
    op.execute("ALTER TABLE export_record DROP COLUMN destination")
    op.execute("ALTER TABLE practice DROP COLUMN pcn_ods_code")
    op.execute("ALTER TABLE practice DROP COLUMN kind")
