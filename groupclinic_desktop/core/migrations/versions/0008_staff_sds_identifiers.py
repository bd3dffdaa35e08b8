"""staff SDS user ID and SDS role profile ID

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:30:00

Two optional columns on staff_user, empty for everyone already there: an admin fills them in
when a person's NHS Smartcard identifiers are known. No existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sds_user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sds_role_profile_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    # In place (SQLite 3.35+): copying staff_user is refused while other tables point at it.
    op.execute("ALTER TABLE staff_user DROP COLUMN sds_role_profile_id")
    op.execute("ALTER TABLE staff_user DROP COLUMN sds_user_id")
