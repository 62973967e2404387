"""Leaderboard periods in a workspace's time zone: ISO weeks starting Monday, calendar months."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.models import Period

ALL_TIME_KEY = "all"


def period_key(period: Period, moment: datetime, timezone: ZoneInfo) -> str:
    """The bucket `moment` falls in: 'w2026-47', 'm2026-11' or 'all'."""
    return _key(period, moment.astimezone(timezone).date())


def _key(period: Period, day: date) -> str:
    if period is Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"w{year}-{week:02d}"
    if period is Period.MONTH:
        return f"m{day.year}-{day.month:02d}"
    return ALL_TIME_KEY


def period_keys(moment: datetime, timezone: ZoneInfo) -> tuple[str, ...]:
    """The bucket of every period, in `Period` order; every answer needs them, and they depend
    only on the local day, so each day's are worked out once."""
    return _keys_of_day(moment.astimezone(timezone).date())


@lru_cache(maxsize=64)
def _keys_of_day(day: date) -> tuple[str, ...]:
    return tuple(_key(period, day) for period in Period)


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
