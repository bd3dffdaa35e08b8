"""staff experience answers at the end of a session

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:40:00

One new table; no existing row changes. It has no staff id, no name and no time of answering,
so an answer set cannot be traced back to the person who gave it (only their role and
profession, as the monitoring event carries them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_experience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("profession", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["clinic_session.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_experience", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_experience_session_id"), ["session_id"])


def downgrade() -> None:
    with op.batch_alter_table("staff_experience", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_experience_session_id"))
    op.drop_table("staff_experience")
