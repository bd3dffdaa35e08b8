"""Two roll-ups that spare the reports most of their reading of change_month: how many people
have a change (change_people_month), and the change histograms summed per calendar year
(change_year). Both are filled from change_month as it stands, so no rebuild is needed.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from icb_service import summary_tables as st

    bind = op.get_bind()
    # 0003 makes every summary table of today's code (it rebuilds the summaries of an older
    # service's events with today's statements): only a database made by 0003 before these
    # two tables existed lacks them, and has change_month to fill them from.
    if all(sa.inspect(bind).has_table(table.name) for table in st.ROLLUPS_0004):
        return
    for table in st.ROLLUPS_0004:
        table.create(bind, checkfirst=True)
    # Rows left at zero by corrections are not carried over (HAVING): they count nobody.
    bind.execute(sa.text("""
        INSERT INTO change_people_month (level, code, programme, month, kind, item, people)
        SELECT level, code, programme, month, kind, item, sum(people)
        FROM change_month WHERE dimension = 'all'
        GROUP BY level, code, programme, month, kind, item
        HAVING sum(people) <> 0
    """))
    bind.execute(sa.text("""
        INSERT INTO change_year (level, code, programme, year, kind, item, dimension, grp,
                                 change, people)
        SELECT level, code, programme, substr(month, 1, 4), kind, item, dimension, grp,
               change, sum(people)
        FROM change_month
        GROUP BY level, code, programme, substr(month, 1, 4), kind, item, dimension, grp,
                 change
        HAVING sum(people) <> 0
    """))


def downgrade() -> None:
    from icb_service import summary_tables as st

    bind = op.get_bind()
    for table in reversed(st.ROLLUPS_0004):
        table.drop(bind)
