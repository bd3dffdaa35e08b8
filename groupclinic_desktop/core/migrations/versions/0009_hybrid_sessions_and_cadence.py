"""hybrid sessions: each attendance's channel, joining link and instructions, drop-in clinics

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:00:00

A session may now be held face to face, by video or hybrid, and each attendance says how the
person joined: in the room, by video or by phone. Every existing row is kept: attendances at a
video session become "video", all others "in the room"; sessions keep their mode; the joining
link and instructions start empty, and no existing session is a drop-in clinic.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clinic_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("joining_link", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("joining_instructions", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("drop_in", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "channel",
                sa.Enum("IN_ROOM", "VIDEO", "PHONE", name="channel"),
                nullable=False,
                server_default="IN_ROOM",
            )
        )
    # Enum names, as SQLModel stores them: a video session's people joined by video.
    op.execute(
        "UPDATE attendance SET channel = 'VIDEO' WHERE session_id IN "
        "(SELECT id FROM clinic_session WHERE mode = 'VIDEO')"
    )


def downgrade() -> None:
    # The older app knows two modes: a hybrid session had people joining remotely, and there
    # the identity and private-place checks are shown for video sessions, so it becomes video.
    op.execute("UPDATE clinic_session SET mode = 'VIDEO' WHERE mode = 'HYBRID'")
    # In place (SQLite 3.35+): copying these tables is refused while other tables point at them.
    op.execute("ALTER TABLE attendance DROP COLUMN channel")
    op.execute("ALTER TABLE clinic_session DROP COLUMN drop_in")
    op.execute("ALTER TABLE clinic_session DROP COLUMN joining_instructions")
    op.execute("ALTER TABLE clinic_session DROP COLUMN joining_link")
