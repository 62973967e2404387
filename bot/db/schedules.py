"""What decides when each subscription's jobs fire, read for all subscriptions at once.

The daily scheduler compares this with the jobs it has at every leadership check (so that changes
made by another process arrive); with thousands of subscriptions that read must stay cheap: a few
plain columns per row, no times to parse.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.tables import channels, subscriptions


class ScheduleRow(NamedTuple):
    id: int
    workspace_id: int
    hour: int
    minute: int
    weekdays: str
    timezone: str
    reveal_hour: int | None
    reveal_minute: int | None
    paused: bool


async def schedule_rows(connection: AsyncConnection, subscription_id: int | None = None) -> list[ScheduleRow]:
    """Every subscription's schedule (or one subscription's)."""
    query = select(
        subscriptions.c.id,
        channels.c.workspace_id,
        subscriptions.c.hour,
        subscriptions.c.minute,
        subscriptions.c.weekdays,
        subscriptions.c.timezone,
        subscriptions.c.reveal_hour,
        subscriptions.c.reveal_minute,
        subscriptions.c.paused_reason.is_not(None),
    ).join_from(subscriptions, channels, channels.c.id == subscriptions.c.channel_id)
    if subscription_id is not None:
        query = query.where(subscriptions.c.id == subscription_id)
    return [ScheduleRow(*row) for row in await connection.execute(query)]
