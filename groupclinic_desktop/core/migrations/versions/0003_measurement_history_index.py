"""an index for a person's history of one measurement

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:00:00

The board, the previous value of every new measurement and the trend charts all ask for "this
person's values of this measure, by date". With only single-column indexes SQLite walked every
row of the measure (tens of thousands at ten years of use); see bench/README.md for the figures.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_measurement_patient_type_taken"


def upgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index(INDEX, ["patient_id", "type_key", "taken_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
