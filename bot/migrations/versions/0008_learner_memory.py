"""spaced repetition cards, their review log and learners' settings (issue 17)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("question_id", sa.String(64), primary_key=True),
        sa.Column("state", sa.SmallInteger, nullable=False),
        sa.Column("step", sa.SmallInteger, nullable=True),
        sa.Column("stability", sa.Float, nullable=True),
        sa.Column("difficulty", sa.Float, nullable=True),
        sa.Column("due", sa.DateTime, nullable=False),
        sa.Column("last_review", sa.DateTime, nullable=True),
        sa.Column("reviews", sa.Integer, nullable=False),
        sa.Column("introduced_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_cards_user_due", "cards", ["user_id", "due"])
    op.create_table(
        "review_logs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("reviewed_at", sa.DateTime, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
    )
    op.create_index("ix_review_logs_user", "review_logs", ["user_id", "id"])
    op.create_table(
        "learner_profiles",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("exam_date", sa.Date, nullable=True),
        sa.Column("remind_hour", sa.SmallInteger, nullable=True),
        sa.Column("remind_minute", sa.SmallInteger, nullable=True),
        sa.Column("remind_timezone", sa.String(64), nullable=True),
        sa.Column("remind_weekdays", sa.String(64), nullable=True),
        sa.Column("paused_until", sa.Date, nullable=True),
        sa.Column("paused_reason", sa.Text, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("learner_profiles")
    op.drop_index("ix_review_logs_user", table_name="review_logs")
    op.drop_table("review_logs")
    op.drop_index("ix_cards_user_due", table_name="cards")
    op.drop_table("cards")
