"""an index for the dashboard's Mock exams page: a workspace's submitted exams by when they ended

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_exams_workspace_finished", "exams", ["workspace_id", "state", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_exams_workspace_finished", table_name="exams")
