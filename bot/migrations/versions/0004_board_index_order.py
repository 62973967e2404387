"""leaderboard indexes cover the whole board order (points, correct, owner)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_user_totals_board", table_name="user_totals")
    op.create_index(
        "ix_user_totals_board", "user_totals", ["workspace_id", "period_key", "points", "correct", "user_id"]
    )
    op.drop_index("ix_team_totals_board", table_name="team_totals")
    op.create_index(
        "ix_team_totals_board", "team_totals", ["workspace_id", "period_key", "points", "correct", "team_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_team_totals_board", table_name="team_totals")
    op.create_index("ix_team_totals_board", "team_totals", ["workspace_id", "period_key", "points"])
    op.drop_index("ix_user_totals_board", table_name="user_totals")
    op.create_index("ix_user_totals_board", "user_totals", ["workspace_id", "period_key", "points"])
