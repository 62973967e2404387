"""The words of the question of the day: HH:MM times, weekdays, time zones."""

from __future__ import annotations

import functools
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = "mon-sun"
_WEEKDAY_WORDS = {
    "weekdays": "mon-fri",
    "workdays": "mon-fri",
    "weekends": "sat,sun",
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
    "every-day": EVERY_DAY,
}
_DAY_PART = re.compile(rf"^({'|'.join(DAYS)})(-({'|'.join(DAYS)}))?$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str) -> tuple[int, int] | None:
    match = _TIME.match(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def parse_weekdays(text: str) -> str | None:
    """'Mon-Fri', 'mon,wed,fri', 'weekdays' -> a cron day_of_week string, or None if invalid."""
    key = text.casefold()
    if key in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[key]
    parts = ["-".join(_day(d) for d in p.split("-")) for p in key.split(",")]
    return ",".join(parts) if parts and all(_DAY_PART.match(p) for p in parts) else None


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day(word: str) -> str:
    """A day's name or its start ('tues', 'Wednesday') as its three letters; anything else
    as it is, which `_DAY_PART` then refuses ('mon wed' is not a day)."""
    for day, name in zip(DAYS, _DAY_NAMES, strict=True):
        if len(word) >= 3 and name.startswith(word):
            return day
    return word


@functools.cache
def _zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def known_timezone(name: str) -> ZoneInfo | None:
    """The zone of that name, in any letter case ('europe/berlin', 'US/Eastern', 'utc')."""
    canonical = _zone_names().get(name.casefold())
    if canonical is None:
        return None
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def looks_like_timezone(word: str) -> bool:
    return "/" in word or word.upper() in ("UTC", "GMT")


def format_time(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"
