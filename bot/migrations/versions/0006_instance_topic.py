"""the topic a question was asked under, which its heading names

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question_instances") as table:
        table.add_column(sa.Column("topic_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("question_instances") as table:
        table.drop_column("topic_id")
