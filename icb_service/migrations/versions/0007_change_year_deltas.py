"""Year counts not yet folded into change_year (change_year_delta): an apply writes them there
as plain rows, reads add them in, and the drainer folds them into change_year once uploads
pause.

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

    st.change_year_delta.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    from icb_service import summaries
    from icb_service import summary_tables as st

    # Folded first: the code before this migration adds to change_year in place.
    summaries.fold_years_in(op.get_bind())
    st.change_year_delta.drop(op.get_bind())
