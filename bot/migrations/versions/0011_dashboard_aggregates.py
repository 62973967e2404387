"""the dashboard's pre-aggregated tables (issue 19)

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-06 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _workspace() -> sa.Column[int]:
    return sa.Column(
        "workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )


def upgrade() -> None:
    op.create_table(
        "dash_days",
        _workspace(),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("answers", sa.Integer, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
        sa.Column("active_people", sa.Integer, nullable=False),
    )
    op.create_table(
        "dash_weeks",
        _workspace(),
        sa.Column("week", sa.String(10), primary_key=True),
        sa.Column("active_people", sa.Integer, nullable=False),
    )
    op.create_table(
        "dash_activity",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("last_day", sa.Date, nullable=False),
    )
    op.create_index("ix_dash_activity_workspace_day", "dash_activity", ["workspace_id", "last_day"])
    op.create_table(
        "dash_topics",
        _workspace(),
        sa.Column("owner_kind", sa.String(1), primary_key=True),
        sa.Column("owner_id", sa.Integer, primary_key=True),
        sa.Column("topic", sa.String(64), primary_key=True),
        sa.Column("answers", sa.Integer, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
    )
    op.create_table(
        "dash_choices",
        _workspace(),
        sa.Column("question_id", sa.String(64), primary_key=True),
        sa.Column("choice", sa.Integer, primary_key=True),
        sa.Column("picks", sa.Integer, nullable=False),
    )
    op.create_table(
        "dash_daily",
        sa.Column(
            "instance_id",
            sa.Integer,
            sa.ForeignKey("question_instances.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("team_id", sa.Integer, primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("answers", sa.Integer, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
    )
    op.create_index("ix_dash_daily_workspace", "dash_daily", ["workspace_id", "instance_id"])
    # The dashboard's people tables: a workspace's people by name, a page at a time.
    op.create_index("ix_users_workspace_name", "users", ["workspace_id", "display_name", "id"])


def downgrade() -> None:
    op.drop_index("ix_users_workspace_name", table_name="users")
    op.drop_index("ix_dash_daily_workspace", table_name="dash_daily")
    op.drop_index("ix_dash_activity_workspace_day", table_name="dash_activity")
    for table in (
        "dash_daily",
        "dash_choices",
        "dash_topics",
        "dash_activity",
        "dash_weeks",
        "dash_days",
    ):
        op.drop_table(table)
