"""Marks on the organisation-years whose change_year rows lag change_month (change_year_stale):
an apply marks them rather than adding to change_year, and the drainer sums them again once
uploads pause.

New and empty: change_year is complete when this runs. Nothing is rebuilt.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from icb_service import summary_tables as st

    st.change_year_stale.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    from icb_service import summaries
    from icb_service import summary_tables as st

    # The marked years are summed before the marks go: without them change_year would lag.
    summaries.refresh_years_in(op.get_bind(), limit=None)
    st.change_year_stale.drop(op.get_bind())
