"""a workspace's own decks and whether the shipped bank is on (issue 18)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _workspace(primary_key: bool = False) -> sa.Column[int]:
    return sa.Column(
        "workspace_id",
        sa.Integer,
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "decks",
        sa.Column("id", sa.Integer, primary_key=True),
        _workspace(),
        sa.Column("topic_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("source_file", sa.String(255), nullable=False),
        sa.Column("question_count", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("revision", sa.String(32), nullable=False),
        sa.UniqueConstraint("workspace_id", "topic_id", name="uq_decks_workspace_topic"),
    )
    op.create_table(
        "deck_questions",
        sa.Column("deck_id", sa.Integer, sa.ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("deck_id", "position", name="pk_deck_questions"),
    )
    op.create_table(
        "deck_library",
        _workspace(primary_key=True),
        sa.Column("builtin", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    for table in ("deck_library", "deck_questions", "decks"):
        op.drop_table(table)
