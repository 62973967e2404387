"""When a learner's next study reminder is due: pure date arithmetic in their time zone.

A reminder is at most one a day: its outbox key names the person and the local date, so a
second scheduling of the same day is the same row. The local time is kept across daylight
saving changes (09:00 stays 09:00 local, the UTC instant moves); a local time that does not
exist on a spring-forward day is taken as zoneinfo takes it (fold 0: an hour later in UTC terms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.daily.rules import DAYS

REMINDER_KIND = "reminder"
MAX_PAUSE_DAYS = 365


@dataclass(frozen=True)
class ReminderTime:
    hour: int
    minute: int
    timezone: str
    weekdays: str


def weekday_numbers(weekdays: str) -> set[int]:
    """'mon-fri,sun' (a cron day_of_week string, as `parse_weekdays` gives) -> {0, 1, 2, 3, 4, 6}."""
    numbers: set[int] = set()
    for part in weekdays.split(","):
        first, _, last = part.partition("-")
        start = DAYS.index(first)
        end = DAYS.index(last) if last else start
        numbers.update(day % 7 for day in range(start, end + 1 if end >= start else end + 8))
    return numbers


def reminder_key(platform: str, workspace: str, user: str, day: date | None = None) -> str:
    """The outbox key of a person's reminder on a local date (without a date: their prefix)."""
    prefix = f"{platform}:{workspace}:{user}:"
    return prefix if day is None else prefix + day.isoformat()


def next_reminder(when: ReminderTime, after: datetime, paused_until: date | None) -> tuple[date, datetime]:
    """The first (local date, UTC instant) strictly after `after`, on one of the weekdays and
    after the pause."""
    zone = ZoneInfo(when.timezone)
    days = weekday_numbers(when.weekdays)
    day = after.astimezone(zone).date()
    for _ in range(8 + MAX_PAUSE_DAYS):
        at = datetime.combine(day, time(when.hour, when.minute), zone)
        if at > after and day.weekday() in days and (paused_until is None or day > paused_until):
            return day, at
        day += timedelta(days=1)
    raise ValueError(f"no reminder day in {when.weekdays!r}")
