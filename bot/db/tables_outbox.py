"""The delivery table (`bot.app.outbox`), on the same MetaData as `bot.db.tables`."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from bot.db.tables import UtcDateTime, metadata

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("key", String(255), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("payload", Text, nullable=False),
    # 'pending' until delivered; then 'sent', 'dropped' (permanent failure) or 'missed' (grace over).
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    # No claim before this time (the backoff after a failed attempt).
    Column("retry_at", UtcDateTime, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("claimed_by", String(32), nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    UniqueConstraint("kind", "key", name="uq_outbox_kind_key"),
    # The runner's scan: pending rows by due time.
    Index("ix_outbox_state_due", "state", "due_at"),
)
