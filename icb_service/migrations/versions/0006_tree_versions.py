"""A version per ICB tree (summary_tree_version), so that a batch from one ICB's practices leaves
the reports' kept decisions of every other ICB standing.

New and empty: an ICB without a row is at version 0, and a service starts with nothing kept, so
no old decision can be taken for current. Nothing is rebuilt.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from icb_service import summary_tables as st

    st.summary_tree_version.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    from icb_service import summary_tables as st

    st.summary_tree_version.drop(op.get_bind())
