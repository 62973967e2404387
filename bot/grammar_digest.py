"""`/quiz digest on [WEEKDAY] [HH:MM] [TIMEZONE]`, `digest off`, `digest status` (issue 19):
the weekly digest's commands, parsed into the command model beside `bot.grammar`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.daily.rules import DAYS, known_timezone, looks_like_timezone, parse_time

DIGEST_USAGE = "Usage: /quiz digest on [WEEKDAY] [HH:MM] [TIMEZONE], /quiz digest off or /quiz digest status"
DEFAULT_DAY, DEFAULT_HOUR, DEFAULT_MINUTE = "mon", 9, 0


@dataclass(frozen=True)
class DigestOn:
    """Post the weekly digest in this channel on `weekday` ('mon'..'sun') at hour:minute;
    `timezone` None: the workspace's."""

    weekday: str = DEFAULT_DAY
    hour: int = DEFAULT_HOUR
    minute: int = DEFAULT_MINUTE
    timezone: str | None = None


@dataclass(frozen=True)
class DigestOff:
    pass


@dataclass(frozen=True)
class DigestStatus:
    pass


DigestCommand = DigestOn | DigestOff | DigestStatus


DAY_NAMES = dict(
    zip(DAYS, ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), strict=True)
)


def weekday(word: str) -> str | None:
    """'fri', 'Friday', 'frid' -> 'fri'; None when it is not a day."""
    key = word.casefold()
    return next((day for day, name in DAY_NAMES.items() if len(key) >= 3 and name.startswith(key)), None)


def parse_digest(words: list[str]) -> DigestCommand | str:
    """The digest command of the words after `digest` (as typed), or a one-line problem."""
    match [w.casefold() for w in words[:1]]:
        case ["off"]:
            return DigestOff()
        case ["status"] | []:
            return DigestStatus()
        case ["on"]:
            return _digest_on(words[1:])
    return f"'{words[0]}' is not a digest command. {DIGEST_USAGE}"


def _digest_on(words: list[str]) -> DigestOn | str:
    day, time, zone = DEFAULT_DAY, (DEFAULT_HOUR, DEFAULT_MINUTE), None
    for word in words:
        if word.casefold() == "at":
            continue
        if (named := weekday(word)) is not None:
            day = named
        elif (when := parse_time(word)) is not None:
            time = when
        elif looks_like_timezone(word):
            found = known_timezone(word)
            if found is None:
                return f"'{word}' is not a time zone I know: use a name like Europe/Berlin or UTC."
            zone = found.key
        else:
            return f"'{word}' is not a weekday, a time (HH:MM) or a time zone. {DIGEST_USAGE}"
    return DigestOn(day, time[0], time[1], zone)
