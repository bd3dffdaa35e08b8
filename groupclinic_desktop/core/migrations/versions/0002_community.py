"""community connections, carers and the IMD quintile

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imd_quintile", sa.Integer(), nullable=True))

    op.create_table(
        "community_resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("offers", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("when_where", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "signposting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["resource_id"], ["community_resource.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["clinic_session.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("signposting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signposting_patient_id"), ["patient_id"])
        batch_op.create_index(batch_op.f("ix_signposting_session_id"), ["session_id"])
        batch_op.create_index(batch_op.f("ix_signposting_resource_id"), ["resource_id"])

    op.create_table(
        "carer_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("cares_for_patient_id", sa.Integer(), nullable=False),
        sa.Column("carer_patient_id", sa.Integer(), nullable=True),
        sa.Column("carer_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("confidentiality_agreed", sa.Boolean(), nullable=False),
        sa.Column("goal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("goal_confidence", sa.Integer(), nullable=True),
        sa.Column("swemwbs_score", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cares_for_patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["carer_patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["clinic_session.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("carer_visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carer_visit_session_id"), ["session_id"])
        batch_op.create_index(
            batch_op.f("ix_carer_visit_cares_for_patient_id"), ["cares_for_patient_id"]
        )
        batch_op.create_index(batch_op.f("ix_carer_visit_carer_patient_id"), ["carer_patient_id"])


def downgrade() -> None:
    op.drop_table("carer_visit")
    op.drop_table("signposting")
    op.drop_table("community_resource")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("imd_quintile")
