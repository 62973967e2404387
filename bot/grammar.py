"""The `/quiz` command grammar, parsed once for every adapter.

/quiz [TOPIC]                             a question (any topic when none is given)
/quiz topics                              the topics and their aliases
/quiz leaderboard [week|month|all] [people|teams]
/quiz team join NAME | team leave | team list   (also: /quiz teams)
/quiz stats                               your points, accuracy and streaks
/quiz help
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.models import Period, Scope

MAX_COMMAND_LENGTH = 200
TEAM_NAME_MAX = 40


@dataclass(frozen=True)
class Ask:
    topic: str | None


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
    name: str


@dataclass(frozen=True)
class LeaveTeam:
    pass


@dataclass(frozen=True)
class ListTeams:
    pass


@dataclass(frozen=True)
class Invalid:
    """Input that is not a command; `message` is one line to show the user."""

    message: str


Command = (
    Ask | ShowTopics | ShowHelp | ShowStats | ShowLeaderboard | JoinTeam | LeaveTeam | ListTeams | Invalid
)

KEYWORDS = ("topics", "help", "stats", "leaderboard", "team", "teams")
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

HELP_LINES = (
    ("/quiz", "a question from any topic"),
    ("/quiz TOPIC", "a question on a topic, e.g. /quiz ecs"),
    ("/quiz topics", "the topics and their short names"),
    ("/quiz leaderboard [week|month|all] [teams]", "who leads (this week by default)"),
    ("/quiz team join NAME", "join a team, creating it if needed"),
    ("/quiz team leave", "leave your team"),
    ("/quiz team list", "the teams of this workspace"),
    ("/quiz stats", "your points, accuracy by topic and streaks"),
    ("/quiz help", "this help"),
)


def clean_text(text: str) -> str:
    """Collapse whitespace and drop control and format characters (zero-width, bidi overrides)."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(kept.split())


def validate_team_name(raw: str) -> str | Invalid:
    """A team name as stored: cleaned, 1 to 40 characters, with at least one letter or digit.

    Markup and mention syntax are allowed in names; every adapter escapes them when shown.
    """
    name = clean_text(raw)
    if not name:
        return Invalid("Give the team a name: /quiz team join NAME")
    if len(name) > TEAM_NAME_MAX:
        return Invalid(f"Team names can be at most {TEAM_NAME_MAX} characters long.")
    if not any(ch.isalnum() for ch in name):
        return Invalid("A team name needs at least one letter or digit.")
    return name


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
    if words[0] == "join":
        name = validate_team_name(raw_rest.split(None, 1)[1] if len(words) > 1 else "")
        return name if isinstance(name, Invalid) else JoinTeam(name)
    return Invalid(f"'{words[0]}' is not a team command: use team join NAME, team leave or team list.")


def parse(text: str) -> Command:
    """Parse what follows `/quiz` (a leading `/quiz` or `quiz` is accepted too)."""
    if len(text) > MAX_COMMAND_LENGTH:
        return Invalid(f"That command is too long (at most {MAX_COMMAND_LENGTH} characters).")
    cleaned = clean_text(text)
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
        case word if word in _LEADERBOARD_WORDS:
            return _leaderboard(words)
    near = process.extractOne(head.casefold(), KEYWORDS, scorer=fuzz.ratio, score_cutoff=80)
    if near is not None:
        return Invalid(f"Unknown command '{head}'. Did you mean '{near[0]}'? Try /quiz help.")
    return Ask(cleaned)
