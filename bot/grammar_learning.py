"""The learning part of the `/quiz` grammar (reviews, private practice, exam dates, reminders):
its commands, and the parsing of their words. `bot.grammar` dispatches to these and turns a
returned message (a `str`) into its `Invalid`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.daily.rules import known_timezone, looks_like_timezone, parse_weekdays

EXAM_DATE_USAGE = "Give your exam date as YYYY-MM-DD (like 2027-03-15), or exam-date off."
REMIND_USAGE = "Usage: /quiz remind at HH:MM [TIMEZONE] [WEEKDAYS], remind off or remind status"
PAUSE_USAGE = "Usage: /quiz pause N days (pause 0 days, or pause off, ends a pause)"


@dataclass(frozen=True)
class StartReview:
    """`/quiz review [TOPIC]`: the person's next due card, or a new one."""

    topic: str | None


@dataclass(frozen=True)
class SetExamDate:
    """`/quiz exam-date YYYY-MM-DD|off`: None turns it off."""

    exam_date: date | None


@dataclass(frozen=True)
class RemindOn:
    """`/quiz remind at HH:MM [TIMEZONE] [WEEKDAYS]`: `timezone` None means the workspace's."""

    hour: int
    minute: int
    timezone: str | None
    weekdays: str


@dataclass(frozen=True)
class RemindOff:
    pass


@dataclass(frozen=True)
class RemindStatus:
    pass


@dataclass(frozen=True)
class PauseReminders:
    """`/quiz pause N days`: hold reminders for a vacation (0 ends a pause)."""

    days: int


LearningCommand = StartReview | SetExamDate | RemindOn | RemindOff | RemindStatus | PauseReminders


def parse_exam_date(value: str) -> SetExamDate | str:
    """`exam-date` from its one word (Discord's option too): a date, or off."""
    word = value.strip().casefold()
    if word in ("off", "none", "clear"):
        return SetExamDate(None)
    try:
        return SetExamDate(date.fromisoformat(word)) if len(word) == 10 else EXAM_DATE_USAGE
    except ValueError:
        return EXAM_DATE_USAGE


def split_remind(
    words: list[str], typed: list[str]
) -> RemindOff | RemindStatus | tuple[str, str | None, str | None] | str:
    """`remind off|status`, or the (time, time zone, weekdays) words of `remind at`."""
    match words[:1]:
        case ["at"]:
            if len(typed) < 2:
                return REMIND_USAGE
            rest = typed[2:]
            zone = next((w for w in rest if _names_a_zone(w)), None)
            days = [w for w in rest if w is not zone]
            return typed[1], zone, " ".join(days) if days else None
        case ["off" | "stop"]:
            return RemindOff()
        case ["status"] | []:
            return RemindStatus()
    return f"'{words[0]}' is not a remind command. {REMIND_USAGE}"


def _names_a_zone(word: str) -> bool:
    """A time zone's word of `remind at`: Area/City, UTC or GMT, or another zone's name (CET,
    Japan) that is not also weekdays."""
    return looks_like_timezone(word) or (known_timezone(word) is not None and parse_weekdays(word) is None)


def parse_pause(words: list[str]) -> PauseReminders | str:
    if words in (["off"], ["end"]):
        return PauseReminders(0)
    if len(words) in (1, 2) and words[0].isdigit() and words[1:] in ([], ["day"], ["days"]):
        return PauseReminders(int(words[0]))
    return PAUSE_USAGE


def private_topic(cleaned: str) -> tuple[str | None] | None:
    """`private [TOPIC]` or `TOPIC private`: (topic,) — None when the text says neither."""
    words = cleaned.split()
    if words[0].casefold() == "private":
        return (" ".join(words[1:]) or None,)
    if len(words) > 1 and words[-1].casefold() == "private":
        return (" ".join(words[:-1]),)
    return None
