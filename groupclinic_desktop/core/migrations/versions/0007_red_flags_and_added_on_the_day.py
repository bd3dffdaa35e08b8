"""red-flag acknowledgements, and people added on the day

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00

A clinician's acknowledgement of each red flag is kept (wrap-up cannot finish without one), and a
person a facilitator adds on the day is marked so that the admin checks them against the GP
record. Both are new: no existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_on_day", sa.Date(), nullable=True))

    op.create_table(
        "red_flag_acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("measurement_id", sa.Integer(), nullable=False),
        sa.Column("rule_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["measurement_id"], ["measurement.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["clinic_session.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("red_flag_acknowledgement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_red_flag_acknowledgement_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("red_flag_acknowledgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_red_flag_acknowledgement_session_id"))
    op.drop_table("red_flag_acknowledgement")
    # In place (SQLite 3.35+): copying the patient table is refused while others point at it.
    op.execute("ALTER TABLE patient DROP COLUMN added_on_day")
