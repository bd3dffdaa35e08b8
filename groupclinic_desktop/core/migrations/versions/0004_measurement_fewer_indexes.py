"""two measurement indexes that no query needs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:30:00

Every saved value updated six B-trees of the measurement table. Two of them serve no query:
patient_id alone is the first column of ix_measurement_patient_type_taken, which SQLite uses for
the same look-ups (and for the foreign key check), and no screen or report asks for one measure
across everybody. Each index costs an encrypted page written and synced with every value saved
and every row imported; see bench/README.md for the figures.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index("ix_measurement_patient_id")
        batch_op.drop_index("ix_measurement_type_key")


def downgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index("ix_measurement_type_key", ["type_key"], unique=False)
        batch_op.create_index("ix_measurement_patient_id", ["patient_id"], unique=False)
