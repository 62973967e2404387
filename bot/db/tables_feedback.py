"""The tables of question reports and per-question statistics, on the schema's one MetaData.

The statistics are counters written in the same transaction as the answers they count (the
group commit of `bot.app.answering`), so `studybot content stats` reads one row per question
(and one per wrong choice picked), however many answers there are.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from bot.db.tables import UtcDateTime, metadata, user_ref, workspace_ref

question_reports = Table(
    "question_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("question_id", String(64), nullable=False),
    Column("instance_id", ForeignKey("question_instances.id", ondelete="SET NULL"), nullable=True),
    workspace_ref(),
    user_ref(),
    Column("reason", String(16), nullable=False),
    Column("text", Text, nullable=False, server_default=""),
    Column("reported_at", UtcDateTime, nullable=False),
    # A workspace's reports, newest first (`/quiz reports`).
    Index("ix_question_reports_workspace", "workspace_id", "id"),
)

question_counts = Table(
    "question_counts",
    metadata,
    Column("question_id", String(64), primary_key=True),
    Column("answers", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("people", Integer, nullable=False),
    Column("people_right_first", Integer, nullable=False),
)

question_wrong_picks = Table(
    "question_wrong_picks",
    metadata,
    Column("question_id", String(64), nullable=False),
    Column("choice", Text, nullable=False),
    Column("picks", Integer, nullable=False),
    PrimaryKeyConstraint("question_id", "choice", name="pk_question_wrong_picks"),
)

# Who has answered each question: a person counts once in `question_counts.people`.
question_people = Table(
    "question_people",
    metadata,
    Column("question_id", String(64), nullable=False),
    user_ref(),
    PrimaryKeyConstraint("question_id", "user_id", name="pk_question_people"),
)
