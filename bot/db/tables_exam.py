"""The mock exam's tables (`bot.app.exam_ports`), on the same MetaData as `bot.db.tables`."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, false, text

from bot.db.tables import UtcDateTime, metadata, user_ref, workspace_ref

exams = Table(
    "exams",
    metadata,
    Column("id", Integer, primary_key=True),
    user_ref(),
    workspace_ref(),
    Column("topic_id", String(64), nullable=True),
    Column("question_count", Integer, nullable=False),
    Column("minutes", Integer, nullable=False),
    # The workspace's time zone when it started: the periods its answers count in.
    Column("timezone", String(64), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    # 'open' while it runs; then 'submitted' (by the person or at the deadline) or 'abandoned'.
    Column("state", String(16), nullable=False, server_default="open"),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("correct", Integer, nullable=True),
    Column("score", Integer, nullable=True),
    # One exam at a time per person, whichever process starts it.
    Index(
        "uq_exams_one_open",
        "user_id",
        unique=True,
        sqlite_where=text("state = 'open'"),
        postgresql_where=text("state = 'open'"),
    ),
    # A person's exams, newest first (history).
    Index("ix_exams_user_recent", "user_id", "id"),
    # A workspace's submitted exams by when they ended: the dashboard's Mock exams page (its
    # weeks and its share right by domain read a range of finished_at; migration 0014).
    Index("ix_exams_workspace_finished", "workspace_id", "state", "finished_at"),
)

exam_items = Table(
    "exam_items",
    metadata,
    Column("exam_id", ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("question_id", String(64), nullable=False),
    Column("choice", Text, nullable=True),
    Column("correct", Boolean, nullable=True),
    Column("flagged", Boolean, nullable=False, server_default=false()),
    Column("answered_at", UtcDateTime, nullable=True),
)
