"""When a subscription fires: APScheduler cron triggers in the subscription's own time zone."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.app.daily_ports import ScheduleKey


@functools.lru_cache(maxsize=1024)
def cron(hour: int, minute: int, weekdays: str, timezone: str) -> CronTrigger:
    """09:00 in the subscription's zone stays 09:00 local across daylight-saving changes."""
    return CronTrigger(hour=hour, minute=minute, day_of_week=weekdays, timezone=ZoneInfo(timezone))


def latest_due(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The last time the trigger fired at or before `now`, looking back eight days."""
    moment = trigger.get_next_fire_time(None, now - timedelta(days=8))
    latest = None
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return latest


def latest_due_at(key: ScheduleKey, now: datetime) -> datetime | None:
    return latest_due(cron(*key), now)
