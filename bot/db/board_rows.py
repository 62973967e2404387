"""The leaderboard's read, on a synchronous connection, for `Database.read_sync`.

Through aiosqlite the board's two statements took about ten hops between the event loop and the
database thread, and each hop back waits its turn on a busy loop: 2.5 ms at the median for a few
hundred microseconds of SQLite's work. As one synchronous function it crosses to the thread once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row

from bot.db import store
from bot.models import Period, Scope
from bot.periods import period_key


@dataclass(frozen=True)
class BoardRows:
    timezone: ZoneInfo
    rows: list[Row[Any]]


def board(
    connection: Connection,
    platform: str,
    workspace_external_id: str,
    period: Period,
    scope: Scope,
    now: datetime,
    default_timezone: str,
    limit: int,
) -> BoardRows:
    """The top `limit` of a workspace in the period around `now`, reckoned in the workspace's
    time zone; no rows (and the default zone) for a workspace Studybot has not seen."""
    workspace = connection.execute(
        store.FIND_WORKSPACE, {"platform": platform, "external_id": workspace_external_id}
    ).first()
    if workspace is None:
        return BoardRows(ZoneInfo(default_timezone), [])
    timezone = ZoneInfo(workspace.timezone)
    query = store.TOP_PEOPLE if scope is Scope.PEOPLE else store.TOP_TEAMS
    parameters = {"workspace": workspace.id, "period_key": period_key(period, now, timezone), "limit": limit}
    return BoardRows(timezone, list(connection.execute(query, parameters)))
