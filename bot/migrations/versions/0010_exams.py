"""mock exams: an exam in progress and its questions, kept whole in the database

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-06 08:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("topic_id", sa.String(64), nullable=True),
        sa.Column("question_count", sa.Integer, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="open"),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("correct", sa.Integer, nullable=True),
        sa.Column("score", sa.Integer, nullable=True),
    )
    op.create_index(
        "uq_exams_one_open",
        "exams",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index("ix_exams_user_recent", "exams", ["user_id", "id"])
    op.create_table(
        "exam_items",
        sa.Column("exam_id", sa.Integer, sa.ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("choice", sa.Text, nullable=True),
        sa.Column("correct", sa.Boolean, nullable=True),
        sa.Column("flagged", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("exam_items")
    op.drop_index("ix_exams_user_recent", table_name="exams")
    op.drop_index("uq_exams_one_open", table_name="exams")
    op.drop_table("exams")
