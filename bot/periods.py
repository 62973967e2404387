"""Leaderboard periods in a workspace's time zone: ISO weeks starting Monday, calendar months."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.models import Period

ALL_TIME_KEY = "all"


def period_key(period: Period, moment: datetime, timezone: ZoneInfo) -> str:
    """The bucket `moment` falls in: 'w2026-47', 'm2026-11' or 'all'."""
    local = moment.astimezone(timezone)
    if period is Period.WEEK:
        year, week, _ = local.isocalendar()
        return f"w{year}-{week:02d}"
    if period is Period.MONTH:
        return f"m{local.year}-{local.month:02d}"
    return ALL_TIME_KEY


def period_keys(moment: datetime, timezone: ZoneInfo) -> tuple[str, ...]:
    return tuple(period_key(p, moment, timezone) for p in Period)


def period_start(period: Period, moment: datetime, timezone: ZoneInfo) -> datetime | None:
    """When the current period began, in local time; None for all time."""
    local = moment.astimezone(timezone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if period is Period.WEEK:
        start = midnight - timedelta(days=local.weekday())
    elif period is Period.MONTH:
        start = midnight.replace(day=1)
    else:
        return None
    return start.replace(tzinfo=timezone)
