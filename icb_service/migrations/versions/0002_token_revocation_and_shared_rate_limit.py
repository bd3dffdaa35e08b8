"""Revocable tokens, and the rate limit's buckets shared by every worker process.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing tokens stay valid: the new column starts empty.
    with op.batch_alter_table("token") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    op.create_table(
        "rate_bucket",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_bucket")
    with op.batch_alter_table("token") as batch:
        batch.drop_column("revoked_at")
