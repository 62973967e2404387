"""question of the day: subscriptions, and the claim state of daily posts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekdays", sa.String(length=64), nullable=False),
        sa.Column("reveal_hour", sa.Integer(), nullable=True),
        sa.Column("reveal_minute", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id"),
    )
    with op.batch_alter_table("question_instances") as batch:
        batch.add_column(sa.Column("post_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("scheduled_for", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("question_instances") as batch:
        batch.drop_column("scheduled_for")
        batch.drop_column("lease_until")
        batch.drop_column("post_state")
    op.drop_table("subscriptions")
