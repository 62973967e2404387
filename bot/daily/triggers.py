"""When a subscription fires: APScheduler cron triggers in the subscription's own time zone."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

# When a trigger fires: hour, minute, weekdays, time zone.
TriggerKey = tuple[int, int, str, str]


@functools.lru_cache(maxsize=1024)
def _parsed(key: TriggerKey) -> CronTrigger:
    hour, minute, weekdays, timezone = key
    return CronTrigger(hour=hour, minute=minute, day_of_week=weekdays, timezone=ZoneInfo(timezone))


@functools.lru_cache(maxsize=4096)
def _next_fire_time(key: TriggerKey, previous: datetime | None, now: datetime) -> datetime | None:
    return _parsed(key).get_next_fire_time(previous, now)  # type: ignore[no-any-return]


class DailyTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler ships no type hints
    """One subscription's cron trigger.

    Thousands of subscriptions often share one time (09:00 Europe/Berlin), and when they fall
    due APScheduler asks each job's trigger for its next fire time, twice, all with the same
    arguments. Triggers with the same time share their parsed fields (thousands of objects fewer
    for the garbage collector to walk) and work out each next fire time once for all of them.
    """

    __slots__ = ("key",)

    def __init__(self, key: TriggerKey) -> None:
        parsed = _parsed(key)
        for name in CronTrigger.__slots__:
            setattr(self, name, getattr(parsed, name))
        self.key = key

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        return _next_fire_time(self.key, previous_fire_time, now)


def cron(hour: int, minute: int, weekdays: str, timezone: str) -> DailyTrigger:
    """09:00 in the subscription's zone stays 09:00 local across daylight-saving changes."""
    return DailyTrigger((hour, minute, weekdays, timezone))


def latest_due(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The last time the trigger fired at or before `now`, looking back eight days."""
    moment = trigger.get_next_fire_time(None, now - timedelta(days=8))
    latest = None
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return latest
