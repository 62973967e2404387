"""The schema as SQLAlchemy Core tables. Alembic migrations in `bot/migrations` create it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite has no time zones), always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()


def _belongs_to(column: str, target: str, primary_key: bool) -> Column[Any]:
    """A reference to `target` whose row's removal removes the referring rows; never null."""
    reference = ForeignKey(target, ondelete="CASCADE")
    if primary_key:
        return Column(column, reference, primary_key=True)
    return Column(column, reference, nullable=False)


def workspace_ref(primary_key: bool = False) -> Column[Any]:
    """The column `workspace_id`: the workspace the row belongs to and goes with."""
    return _belongs_to("workspace_id", "workspaces.id", primary_key)


def user_ref(primary_key: bool = False) -> Column[Any]:
    """The column `user_id`: the person the row belongs to and goes with."""
    return _belongs_to("user_id", "users.id", primary_key)


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("timezone", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("platform", "external_id", name="uq_workspaces_platform_external"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    workspace_ref(),
    Column("external_id", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("streak", Integer, nullable=False, server_default="0"),
    Column("best_streak", Integer, nullable=False, server_default="0"),
    Column("daily_streak", Integer, nullable=False, server_default="0"),
    Column("best_daily_streak", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("workspace_id", "external_id", name="uq_users_workspace_external"),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    workspace_ref(),
    Column("external_id", String(64), nullable=False),
    UniqueConstraint("workspace_id", "external_id", name="uq_channels_workspace_external"),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    workspace_ref(),
    Column("name", String(80), nullable=False),
    Column("name_key", String(80), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("workspace_id", "name_key", name="uq_teams_workspace_name"),
)

team_members = Table(
    "team_members",
    metadata,
    user_ref(primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("joined_at", UtcDateTime, nullable=False),
)

question_instances = Table(
    "question_instances",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("question_id", String(64), nullable=False),
    # The topic it was asked under (a question can belong to several): its heading names that
    # topic, so `/quiz ecs` never shows another topic's label. Null: no topic was asked.
    Column("topic_id", String(64), nullable=True),
    Column("mode", String(16), nullable=False),
    Column("posted_at", UtcDateTime, nullable=False),
    Column("posted_by", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("message_ref", String(128), nullable=True),
    Column("daily_date", Date, nullable=True),
    Column("revealed_at", UtcDateTime, nullable=True),
    Column("answer_count", Integer, nullable=False, server_default="0"),
    # Daily questions only: the claim's state ('pending' until the platform accepted the post,
    # then 'posted'; 'failed' on a permanent error), how long the claimer's lease lasts, and the
    # time the post was due.
    Column("post_state", String(16), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("scheduled_for", UtcDateTime, nullable=True),
    UniqueConstraint("channel_id", "daily_date", name="uq_instances_channel_daily_date"),
    Index("ix_instances_channel_question", "channel_id", "question_id"),
    # A channel's latest posts, newest first (`store.last_seen`).
    Index("ix_instances_channel_recent", "channel_id", "id"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "instance_id",
        ForeignKey("question_instances.id", ondelete="CASCADE"),
        nullable=False,
    ),
    user_ref(),
    Column("team_id", ForeignKey("teams.id", ondelete="SET NULL"), nullable=True),
    Column("choice", Text, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("points", Integer, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False),
    UniqueConstraint("instance_id", "user_id", name="uq_answers_instance_user"),
    # A user's answers, newest first (`store.last_seen`); serves lookups by user alone too.
    Index("ix_answers_user_recent", "user_id", "id"),
)


def _board_totals(name: str, owner: Column[Any]) -> Table:
    """Running totals per period bucket ('w2026-47', 'm2026-11', 'all') of a person or a team
    (`owner`), written in the same transaction as each answer so that a leaderboard reads ten
    rows, whatever the history. Alike for both, so `bot.db.answers` ranks and adds to either
    with the same code."""
    return Table(
        name,
        metadata,
        owner,
        Column("period_key", String(16), primary_key=True),
        workspace_ref(),
        Column("points", Integer, nullable=False),
        Column("answers", Integer, nullable=False),
        Column("correct", Integer, nullable=False),
        Index(f"ix_{name}_board", "workspace_id", "period_key", "points", "correct", owner.name),
    )


user_totals = _board_totals("user_totals", user_ref(primary_key=True))
team_totals = _board_totals("team_totals", _belongs_to("team_id", "teams.id", primary_key=True))

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("topic_id", String(64), nullable=True),
    Column("hour", Integer, nullable=False),
    Column("minute", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("weekdays", String(64), nullable=False),
    Column("reveal_hour", Integer, nullable=True),
    Column("reveal_minute", Integer, nullable=True),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("paused_reason", Text, nullable=True),
    Column("paused_at", UtcDateTime, nullable=True),
)

# Tables defined in modules of their own, registered on this MetaData (migrations, transfer).
from bot.db import tables_decks as _tables_decks  # noqa: E402,F401
from bot.db import tables_exam as _tables_exam  # noqa: E402,F401
from bot.db import tables_feedback as _tables_feedback  # noqa: E402,F401
from bot.db import tables_outbox as _tables_outbox  # noqa: E402,F401
