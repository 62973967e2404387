"""The `/quiz` command grammar, parsed once for every adapter (`bot/help_lines.py` lists the
commands; `bot/grammar_learning.py` and `bot/exam_grammar.py` hold the learning and exam parts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz, process

from bot import names
from bot.daily.rules import EVERY_DAY, known_timezone, looks_like_timezone, parse_time, parse_weekdays
from bot.exam_grammar import ReviewExam, ShowExamHistory, StartExam, StopExam, SubmitExam, parse_exam
from bot.grammar_decks import DeckCommand, parse_deck
from bot.grammar_digest import DigestOff, DigestOn, DigestStatus, parse_digest
from bot.grammar_learning import (
    EXAM_DATE_USAGE,
    LearningCommand,
    RemindOn,
    SetExamDate,
    StartReview,
    parse_exam_date,
    parse_pause,
    private_topic,
    split_remind,
)
from bot.models import Period, Scope
from bot.reports import ReportQuestion, ShowReports, parse_report

MAX_COMMAND_LENGTH = 200
TEAM_NAME_MAX = names.TEAM_NAME_MAX
_Parsed = TypeVar("_Parsed")


@dataclass(frozen=True)
class Ask:
    topic: str | None
    private: bool = False
    """Asked to the person alone (`/quiz TOPIC private`), not posted in the channel."""


@dataclass(frozen=True)
class ShowTopics:
    pass


@dataclass(frozen=True)
class ShowHelp:
    pass


@dataclass(frozen=True)
class ShowStats:
    pass


@dataclass(frozen=True)
class ShowLeaderboard:
    period: Period = Period.WEEK
    scope: Scope = Scope.PEOPLE


@dataclass(frozen=True)
class JoinTeam:
    """Join a team, creating it if none has the name; `create` also when a close name exists."""

    name: str
    create: bool = False


@dataclass(frozen=True)
class RenameTeam:
    old: str
    new: str


@dataclass(frozen=True)
class DeleteTeam:
    name: str


@dataclass(frozen=True)
class LeaveTeam:
    pass


@dataclass(frozen=True)
class ListTeams:
    pass


@dataclass(frozen=True)
class DailyOn:
    """Subscribe the channel: `topic` None means all topics; `timezone` None the workspace's;
    `reveal` None reveals at the next post."""

    topic: str | None
    hour: int
    minute: int
    timezone: str | None
    weekdays: str
    reveal: tuple[int, int] | None


@dataclass(frozen=True)
class DailyOff:
    pass


@dataclass(frozen=True)
class DailyStatus:
    pass


@dataclass(frozen=True)
class ShowDashboard:
    """A private link to the team dashboard."""


@dataclass(frozen=True)
class Invalid:
    """Input that is not a command; `message` is one line to show the user."""

    message: str


Command = (
    Ask
    | ShowTopics
    | ShowHelp
    | ShowStats
    | ShowLeaderboard
    | JoinTeam
    | RenameTeam
    | DeleteTeam
    | LeaveTeam
    | ListTeams
    | DailyOn
    | DailyOff
    | DailyStatus
    | LearningCommand
    | ShowDashboard
    | DigestOn
    | DigestOff
    | DigestStatus
    | StartExam
    | StopExam
    | ReviewExam
    | SubmitExam
    | ShowExamHistory
    | ReportQuestion
    | ShowReports
    | DeckCommand
    | Invalid
)

KEYWORDS = tuple(
    "topics help stats leaderboard team teams daily review exam-date private remind pause dashboard "
    "digest exam report reports".split()
)
_LEADERBOARD_WORDS = ("leaderboard", "lb", "top", "scores")
_PERIOD_WORDS = {
    "week": Period.WEEK,
    "weekly": Period.WEEK,
    "month": Period.MONTH,
    "monthly": Period.MONTH,
    "all": Period.ALL,
    "alltime": Period.ALL,
    "all-time": Period.ALL,
    "ever": Period.ALL,
}
_SCOPE_WORDS = {
    "people": Scope.PEOPLE,
    "person": Scope.PEOPLE,
    "users": Scope.PEOPLE,
    "players": Scope.PEOPLE,
    "teams": Scope.TEAMS,
    "team": Scope.TEAMS,
}

DAILY_USAGE = "Usage: /quiz daily on [TOPIC|all] at HH:MM [TIMEZONE] [WEEKDAYS] [reveal HH:MM]"


def validate_team_name(raw: str) -> str | Invalid:
    """A team name as stored (`names.team_name`), or why it cannot be one."""
    try:
        return names.team_name(raw)
    except names.BadName as problem:
        return Invalid(str(problem))


def _leaderboard(words: list[str]) -> Command:
    period, scope = Period.WEEK, Scope.PEOPLE
    for word in words:
        if word in _PERIOD_WORDS:
            period = _PERIOD_WORDS[word]
        elif word in _SCOPE_WORDS:
            scope = _SCOPE_WORDS[word]
        else:
            return Invalid(
                f"'{word}' is not a leaderboard option: use week, month or all, and people or teams."
            )
    return ShowLeaderboard(period, scope)


def _team(words: list[str], raw_rest: str) -> Command:
    if not words or words[0] in ("list", "ls"):
        return ListTeams()
    if words[0] == "leave":
        return LeaveTeam()
    named = raw_rest.split(None, 1)[1] if len(words) > 1 else ""
    if words[0] in ("join", "create"):
        name = validate_team_name(named)
        return name if isinstance(name, Invalid) else JoinTeam(name, create=words[0] == "create")
    if words[0] == "delete":
        name = validate_team_name(named)
        return name if isinstance(name, Invalid) else DeleteTeam(name)
    if words[0] == "rename":
        old, to, new = named.partition(" to ")
        if not to:
            return Invalid("Say the new name: /quiz team rename OLD to NEW")
        names = validate_team_name(old), validate_team_name(new)
        invalid = next((n for n in names if isinstance(n, Invalid)), None)
        return invalid or RenameTeam(str(names[0]), str(names[1]))
    return Invalid(
        f"'{words[0]}' is not a team command: use team join NAME, team create NAME, team leave, "
        "team list, team rename OLD to NEW or team delete NAME."
    )


def _daily_on(words: list[str]) -> Command:
    """`on [TOPIC|all] at HH:MM [TIMEZONE] [WEEKDAYS] [reveal HH:MM]`, options in any order.

    `words` are as typed, so that a message quotes the user's own spelling.
    """
    keys = [w.casefold() for w in words]
    if "at" not in keys:
        return Invalid(f"Say when: {DAILY_USAGE}")
    at = keys.index("at")
    topic = " ".join(words[:at]) or None
    if topic is not None and topic.casefold() in ("all", "any"):
        topic = None
    rest = words[at + 1 :]
    when = parse_time(rest[0]) if rest else None
    if when is None:
        shown = rest[0] if rest else ""
        return Invalid(f"'{shown}' is not a time: use HH:MM on a 24-hour clock, like 09:00 or 17:30.")
    timezone, reveal = None, None
    days: list[str] = []
    options = iter(rest[1:])
    for word in options:
        if word.casefold() == "reveal":
            reveal = parse_time(next(options, ""))
            if reveal is None:
                return Invalid("Give the reveal time as HH:MM, like: reveal 17:00")
        elif looks_like_timezone(word):
            zone = known_timezone(word)
            if zone is None:
                return Invalid(f"'{word}' is not a time zone I know: use a name like Europe/Berlin or UTC.")
            timezone = zone.key
        elif (parsed := parse_weekdays(word)) is not None:
            days.append(parsed)  # several words add up: sat sun
        else:
            return Invalid(f"'{word}' is not a time zone or weekdays. {DAILY_USAGE}")
    return DailyOn(topic, when[0], when[1], timezone, ",".join(days) or EVERY_DAY, reveal)


def daily_on(
    topic: str | None,
    time: str,
    timezone: str | None = None,
    weekdays: str | None = None,
    reveal: str | None = None,
) -> DailyOn | Invalid:
    """`daily on` from typed options (Discord's slash command), each checked as the text grammar
    checks its word; a time zone typed with spaces gets underscores."""
    when = parse_time(time.strip())
    if when is None:
        return Invalid(f"'{time.strip()}' is not a time: use HH:MM on a 24-hour clock, like 09:00 or 17:30.")
    zone_name = None
    if timezone and timezone.strip():
        zone = known_timezone("_".join(timezone.split()))
        if zone is None:
            return Invalid(
                f"'{timezone.strip()}' is not a time zone I know: use a name like Europe/Berlin or UTC."
            )
        zone_name = zone.key
    days = EVERY_DAY
    if weekdays and weekdays.strip():
        parsed = parse_weekdays("".join(weekdays.split()))
        if parsed is None:
            return Invalid(
                f"'{weekdays.strip()}' is not a set of weekdays: use mon-fri, sat,sun or mon,wed,fri."
            )
        days = parsed
    reveal_at = None
    if reveal and reveal.strip():
        reveal_at = parse_time(reveal.strip())
        if reveal_at is None:
            return Invalid("Give the reveal time as HH:MM, like: reveal 17:00")
    named = " ".join((topic or "").split()) or None
    if named is not None and named.casefold() in ("all", "any"):
        named = None
    return DailyOn(named, when[0], when[1], zone_name, days, reveal_at)


def _daily(words: list[str], typed: list[str]) -> Command:
    match words[:1]:
        case ["on"]:
            return _daily_on(typed[1:])
        case ["off"]:
            return DailyOff()
        case ["status"] | []:
            return DailyStatus()
    return Invalid(f"'{words[0]}' is not a daily command: use daily on, daily off or daily status.")


def exam_date(value: str) -> SetExamDate | Invalid:
    """`exam-date` from its one word (Discord's option too): a date, or off."""
    parsed = parse_exam_date(value)
    return Invalid(parsed) if isinstance(parsed, str) else parsed


def remind_at(time: str, timezone: str | None = None, weekdays: str | None = None) -> RemindOn | Invalid:
    """`remind at` from its parts (Discord's options too), as `daily on`; weekday words add up."""
    if weekdays is not None:
        weekdays = ",".join(day for word in weekdays.split() for day in word.split(",") if day)
    on = daily_on(None, time, timezone, weekdays)
    return on if isinstance(on, Invalid) else RemindOn(on.hour, on.minute, on.timezone, on.weekdays)


def _learning(head: str, words: list[str], rest: str) -> Command:
    if head in ("review", "reviews", "due"):
        return StartReview(rest or None)
    if head in ("exam-date", "examdate"):
        return exam_date(rest) if rest else Invalid(EXAM_DATE_USAGE)
    if head == "pause":
        paused = parse_pause(words)
        return Invalid(paused) if isinstance(paused, str) else paused
    remind = split_remind(words, rest.split())
    if isinstance(remind, tuple):
        return remind_at(*remind)
    return Invalid(remind) if isinstance(remind, str) else remind


def _checked(parsed: _Parsed | str) -> _Parsed | Invalid:
    """A sub-grammar's command, or its one-line message as `Invalid`."""
    return Invalid(parsed) if isinstance(parsed, str) else parsed


def parse(text: str) -> Command:
    """Parse what follows `/quiz` (a leading `/quiz` or `quiz` is accepted too)."""
    if len(text) > MAX_COMMAND_LENGTH:
        return Invalid(f"That command is too long (at most {MAX_COMMAND_LENGTH} characters).")
    cleaned = names.clean(text)
    for prefix in ("/quiz", "quiz"):
        if cleaned.casefold() == prefix or cleaned.casefold().startswith(prefix + " "):
            cleaned = cleaned[len(prefix) :].strip()
            break
    if not cleaned:
        return Ask(None)
    head, _, rest = cleaned.partition(" ")
    words = [w.casefold() for w in rest.split()]
    match head.casefold():
        case "topics" | "topic":
            return ShowTopics()
        case "help" | "?" | "commands":
            return ShowHelp()
        case "stats" | "me" | "mystats":
            return ShowStats()
        case "teams":
            return ListTeams()
        case "team":
            return _team(words, rest)
        case "daily" | "qotd":
            return _daily(words, rest.split())
        case "review" | "reviews" | "due" | "exam-date" | "examdate" | "pause" | "remind" | "reminders":
            return _learning(head.casefold(), words, rest)
        case "dashboard" | "dash":
            return ShowDashboard()
        case "digest":
            return _checked(parse_digest(rest.split()))
        case "exam" | "mock":
            return _checked(parse_exam(rest.split()))
        case "report":
            return _checked(parse_report(rest.split()))
        case "reports":
            return ShowReports()
        case "deck" | "decks":
            return _checked(parse_deck(rest.split()))
        case word if word in _LEADERBOARD_WORDS:
            return _leaderboard(words)
    private = private_topic(cleaned)
    if private is not None:
        return Ask(private[0], private=True)
    near = process.extractOne(head.casefold(), KEYWORDS, scorer=fuzz.ratio, score_cutoff=80)
    if near is not None:
        return Invalid(f"Unknown command '{head}'. Did you mean '{near[0]}'? Try /quiz help.")
    return Ask(cleaned)
