"""The dashboard's pre-aggregated tables (issue 19), on the same MetaData as `bot.db.tables`.

Each is added to in the same transaction as the answers it counts (`bot.app.dashboard_tally`),
so a dashboard page reads a few hundred rows, never the answers themselves.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table

from bot.db.tables import metadata, user_ref, users, workspace_ref

# The dashboard's people tables: a workspace's people by name, a page at a time.
Index("ix_users_workspace_name", users.c.workspace_id, users.c.display_name, users.c.id)

# Answers and people active per local day of the workspace.
dash_days = Table(
    "dash_days",
    metadata,
    workspace_ref(primary_key=True),
    Column("day", Date, primary_key=True),
    Column("answers", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("active_people", Integer, nullable=False),
)

# People active per ISO week ('2026-W49') of the workspace's time zone.
dash_weeks = Table(
    "dash_weeks",
    metadata,
    workspace_ref(primary_key=True),
    Column("week", String(10), primary_key=True),
    Column("active_people", Integer, nullable=False),
)

# Each person's last day with an answer: who is inactive, and whether an answer is their first today.
dash_activity = Table(
    "dash_activity",
    metadata,
    user_ref(primary_key=True),
    workspace_ref(),
    Column("last_day", Date, nullable=False),
    Index("ix_dash_activity_workspace_day", "workspace_id", "last_day"),
)

# Scored answers by topic for the workspace ('w', owner 0), a team ('t') or a person ('u').
dash_topics = Table(
    "dash_topics",
    metadata,
    workspace_ref(primary_key=True),
    Column("owner_kind", String(1), primary_key=True),
    Column("owner_id", Integer, primary_key=True),
    Column("topic", String(64), primary_key=True),
    Column("answers", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
)

# How often each choice (by its index) of a question was picked in scored answers: a question's
# answers are their sum, its right answers the picks of its right choice (the bank knows which).
dash_choices = Table(
    "dash_choices",
    metadata,
    workspace_ref(primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("choice", Integer, primary_key=True),
    Column("picks", Integer, nullable=False),
)

# A question of the day's answers per team (team 0: people in no team).
dash_daily = Table(
    "dash_daily",
    metadata,
    Column("instance_id", ForeignKey("question_instances.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", Integer, primary_key=True),
    workspace_ref(),
    Column("answers", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Index("ix_dash_daily_workspace", "workspace_id", "instance_id"),
)
