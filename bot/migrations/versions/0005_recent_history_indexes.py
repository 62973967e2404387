"""indexes for a channel's latest posts and a user's latest answers, newest first

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_instances_channel_recent", "question_instances", ["channel_id", "id"])
    op.create_index("ix_answers_user_recent", "answers", ["user_id", "id"])
    op.drop_index("ix_answers_user_id", table_name="answers")


def downgrade() -> None:
    op.create_index("ix_answers_user_id", "answers", ["user_id"])
    op.drop_index("ix_answers_user_recent", table_name="answers")
    op.drop_index("ix_instances_channel_recent", table_name="question_instances")
