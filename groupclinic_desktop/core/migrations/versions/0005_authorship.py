"""who wrote it: professions, one review per professional, sign-off, voided measurements

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00

A review was unique per session and person, so a second professional's review replaced the
first. Now it is unique per session, person and author; every existing review is kept, its author
being the clinician it was written on behalf of, or else its writer. Measurements gain who took
them and a void (when, by whom, why) that keeps the value for the audit trail.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Names for the unnamed constraints SQLite reports, so the batch copy can drop the old one.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("profession", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        # The co-facilitator role: a longer name than the enum column was sized for.
        batch_op.alter_column(
            "role",
            existing_type=sa.Enum("FACILITATOR", "CLINICIAN", "ADMIN", name="role"),
            type_=sa.Enum("FACILITATOR", "CLINICIAN", "ADMIN", "CO_FACILITATOR", name="role"),
            existing_nullable=False,
        )

    with op.batch_alter_table("review", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("profession", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("signed_off_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("signed_off_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("corrected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("corrected_by_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_review_session_id_patient_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_review_session_id_patient_id_author_id", ["session_id", "patient_id", "author_id"]
        )
        batch_op.create_foreign_key(
            "fk_review_author_id", "staff_user", ["author_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_review_signed_off_by_id", "staff_user", ["signed_off_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_review_corrected_by_id", "staff_user", ["corrected_by_id"], ["id"]
        )
    # Every existing review keeps its text; its author is whoever answers for it.
    op.execute("UPDATE review SET author_id = COALESCE(on_behalf_of_id, documented_by_id)")
    op.execute(
        "UPDATE review SET profession = "
        "(SELECT profession FROM staff_user WHERE staff_user.id = review.author_id)"
    )

    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taken_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("voided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("voided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_measurement_taken_by_id", "staff_user", ["taken_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_measurement_voided_by_id", "staff_user", ["voided_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_measurement_replaces_id", "measurement", ["replaces_id"], ["id"]
        )


def downgrade() -> None:
    # Going back would keep one review per person and session: refuse rather than lose any.
    shared = op.get_bind().exec_driver_sql(
        "SELECT COUNT(*) FROM (SELECT 1 FROM review GROUP BY session_id, patient_id "
        "HAVING COUNT(*) > 1)"
    ).scalar()
    if shared:
        raise RuntimeError(
            f"{shared} person(s) have reviews by more than one professional in one session; "
            "the older schema can hold only one, so the store is left as it is."
        )
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        for name in ("taken_by_id", "voided_by_id", "replaces_id"):
            batch_op.drop_constraint(f"fk_measurement_{name}", type_="foreignkey")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by_id")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("taken_by_id")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_constraint("uq_review_session_id_patient_id_author_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_review_session_id_patient_id", ["session_id", "patient_id"]
        )
        batch_op.drop_constraint("fk_review_author_id", type_="foreignkey")
        batch_op.drop_constraint("fk_review_signed_off_by_id", type_="foreignkey")
        batch_op.drop_constraint("fk_review_corrected_by_id", type_="foreignkey")
        batch_op.drop_column("corrected_by_id")
        batch_op.drop_column("corrected_at")
        batch_op.drop_column("signed_off_by_id")
        batch_op.drop_column("signed_off_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("profession")
        batch_op.drop_column("author_id")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.alter_column(
            "role",
            existing_type=sa.Enum(
                "FACILITATOR", "CLINICIAN", "ADMIN", "CO_FACILITATOR", name="role"
            ),
            type_=sa.Enum("FACILITATOR", "CLINICIAN", "ADMIN", name="role"),
            existing_nullable=False,
        )
        batch_op.drop_column("profession")
