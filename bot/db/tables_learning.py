"""The learning tables (spaced repetition cards, their review log, learners' settings), on the
same MetaData as `bot.db.tables`. Migration 0008 creates them."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, Index, Integer, SmallInteger, String, Table, Text

from bot.db.tables import UtcDateTime, metadata, user_ref

# One FSRS card per person and question: py-fsrs' Card fields (state, step, stability,
# difficulty, due, last_review), how often it was reviewed and when it was first answered.
cards = Table(
    "cards",
    metadata,
    user_ref(primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("state", SmallInteger, nullable=False),
    Column("step", SmallInteger, nullable=True),
    Column("stability", Float, nullable=True),
    Column("difficulty", Float, nullable=True),
    Column("due", UtcDateTime, nullable=False),
    Column("last_review", UtcDateTime, nullable=True),
    Column("reviews", Integer, nullable=False),
    Column("introduced_at", UtcDateTime, nullable=False),
    # A person's next due card: the first index entry of the user at or before now.
    Index("ix_cards_user_due", "user_id", "due"),
)

# Every rating, as py-fsrs' ReviewLog holds it, so that the scheduler's parameters can be fitted
# to a team's own history with fsrs' Optimizer.
review_logs = Table(
    "review_logs",
    metadata,
    Column("id", Integer, primary_key=True),
    user_ref(),
    Column("question_id", String(64), nullable=False),
    Column("rating", SmallInteger, nullable=False),
    Column("reviewed_at", UtcDateTime, nullable=False),
    Column("mode", String(16), nullable=False),
    Index("ix_review_logs_user", "user_id", "id"),
)

learner_profiles = Table(
    "learner_profiles",
    metadata,
    user_ref(primary_key=True),
    Column("exam_date", Date, nullable=True),
    Column("remind_hour", SmallInteger, nullable=True),
    Column("remind_minute", SmallInteger, nullable=True),
    Column("remind_timezone", String(64), nullable=True),
    Column("remind_weekdays", String(64), nullable=True),
    Column("paused_until", Date, nullable=True),
    Column("paused_reason", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)
