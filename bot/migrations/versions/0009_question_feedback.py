"""question reports and per-question statistics (issue 16)

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-06 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column(
            "instance_id",
            sa.Integer(),
            sa.ForeignKey("question_instances.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False, server_default=""),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_question_reports_workspace", "question_reports", ["workspace_id", "id"])
    op.create_table(
        "question_counts",
        sa.Column("question_id", sa.String(64), primary_key=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("people_right_first", sa.Integer(), nullable=False),
    )
    op.create_table(
        "question_wrong_picks",
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("choice", sa.Text(), nullable=False),
        sa.Column("picks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("question_id", "choice", name="pk_question_wrong_picks"),
    )
    op.create_table(
        "question_people",
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("question_id", "user_id", name="pk_question_people"),
    )


def downgrade() -> None:
    op.drop_table("question_people")
    op.drop_table("question_wrong_picks")
    op.drop_table("question_counts")
    op.drop_index("ix_question_reports_workspace", table_name="question_reports")
    op.drop_table("question_reports")
