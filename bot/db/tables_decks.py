"""The tables of a workspace's own decks (issue 18), on the schema's one MetaData.

A deck's questions are stored as the content files' entries, one JSON object a row, in the
deck's order; `deck_library` holds per workspace whether the shipped bank is on and a version
that every import, removal and toggle bumps, so every process sees a change with one cheap read.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from bot.db.tables import UtcDateTime, metadata, workspace_ref

decks = Table(
    "decks",
    metadata,
    Column("id", Integer, primary_key=True),
    workspace_ref(),
    # The deck's topic id: its name as a slug, one deck per slug in a workspace.
    Column("topic_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("format", String(16), nullable=False),
    Column("source_file", String(255), nullable=False),
    Column("question_count", Integer, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    # A fresh token at every import: each process keeps a deck's questions read until it changes.
    Column("revision", String(32), nullable=False),
    UniqueConstraint("workspace_id", "topic_id", name="uq_decks_workspace_topic"),
)

deck_questions = Table(
    "deck_questions",
    metadata,
    Column("deck_id", ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("entry", Text, nullable=False),
    PrimaryKeyConstraint("deck_id", "position", name="pk_deck_questions"),
)

deck_library = Table(
    "deck_library",
    metadata,
    workspace_ref(primary_key=True),
    Column("builtin", Boolean, nullable=False, server_default=true()),
    Column("version", Integer, nullable=False, server_default="0"),
)
