"""Plain dataclasses that go in and out of the core API; no platform types, no database rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot import names
from bot.questions import Difficulty, Kind

if TYPE_CHECKING:
    from bot.learning_models import Readiness


def share(part: int, whole: int) -> float:
    """part / whole, and 0 when there is nothing yet (no answers, no accuracy)."""
    return part / whole if whole else 0.0


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


class Scope(StrEnum):
    PEOPLE = "people"
    TEAMS = "teams"


class Mode(StrEnum):
    PRACTICE = "practice"
    DAILY = "daily"
    PRIVATE = "private"
    REVIEW = "review"

    @property
    def private(self) -> bool:
        """Asked to one person alone: never shown in a channel, scores no points."""
        return self in (Mode.PRIVATE, Mode.REVIEW)


@dataclass(frozen=True)
class Place:
    """A workspace on one platform, and optionally one of its channels.

    `workspace` is the platform's id of the Slack team or Discord guild; `channel` the
    platform's channel id.
    """

    platform: str
    workspace: str
    channel: str = ""


@dataclass(frozen=True)
class Actor:
    """A user of a platform workspace, as the adapter saw them in this request.

    `is_admin` is the platform's word on whether they may change workspace settings (Slack:
    admins, owners or members listed in the settings; Discord: Manage Server).

    The names are cleaned and capped here (`bot/names.py`), so whatever an adapter was sent,
    no control, bidi or zero-width character and no overlong name reaches the database.
    """

    platform: str
    workspace: str
    user: str
    display_name: str
    workspace_name: str = ""
    is_admin: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "display_name", names.display_name(self.display_name))
        object.__setattr__(self, "workspace_name", names.workspace_name(self.workspace_name))


@dataclass(frozen=True)
class QuestionView:
    """A posted question as every adapter shows it; the answer is not in it. `choices` are in
    the order shown; `pick_count` is how many an answer picks (a multiple-response question's
    prompt says so: "Choose TWO.")."""

    instance_id: int
    question_id: str
    topic_id: str
    topic_name: str
    kind: Kind
    difficulty: Difficulty
    prompt: str
    choices: tuple[str, ...]
    mode: Mode
    answer_count: int = 0
    daily_date: date | None = None
    pick_count: int = 1


@dataclass(frozen=True)
class Posted:
    question: QuestionView
    repeated: bool = False
    """Every question of the pool had been seen, so this one, seen longest ago, comes back."""


@dataclass(frozen=True)
class TopicNotFound:
    """The topic typed matched nothing: the nearest topics, or all of them when none is close."""

    query: str
    suggestions: tuple[str, ...]
    all_topics: tuple[str, ...]


@dataclass(frozen=True)
class NoQuestions:
    topic_id: str


AskResult = Posted | TopicNotFound | NoQuestions


@dataclass(frozen=True)
class AnswerOutcome:
    """What an answer earned. `repeat` is true when this user had answered already: the result
    shown is the first one and nothing was scored again.

    `correct_answers` are the right choices and `picked` the choices picked (one, or a
    multiple-response set), both in the order they were shown; `chosen` is the text recorded.
    """

    instance_id: int
    question_id: str
    kind: Kind
    correct: bool
    chosen: str
    correct_answer: str
    explanation: str
    source: str
    points: int
    total_points: int
    streak: int
    daily_streak: int
    repeat: bool
    late: bool
    answer_count: int
    mode: Mode
    correct_answers: tuple[str, ...]
    picked: tuple[str, ...]

    @property
    def marked_picks(self) -> tuple[tuple[str, bool], ...]:
        """Each picked choice and whether it is one of the right ones."""
        return tuple((choice, choice in self.correct_answers) for choice in self.picked)


@dataclass(frozen=True)
class FlashcardAnswer:
    """A flashcard's answer, shown to one user before they grade themselves."""

    instance_id: int
    prompt: str
    answer: str
    accepted: tuple[str, ...]
    explanation: str
    already_answered: AnswerOutcome | None


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    name: str
    points: int
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        return share(self.correct, self.answers)


@dataclass(frozen=True)
class Leaderboard:
    period: Period
    scope: Scope
    rows: tuple[LeaderboardRow, ...]
    starts: datetime | None
    timezone: str


@dataclass(frozen=True)
class TeamSummary:
    name: str
    members: int
    points: int


@dataclass(frozen=True)
class TeamChange:
    """The result of joining or leaving a team. `previous` names the team left, if any."""

    team: str | None
    previous: str | None
    created: bool = False


@dataclass(frozen=True)
class TopicInfo:
    id: str
    name: str
    aliases: tuple[str, ...]
    question_count: int


@dataclass(frozen=True)
class TopicStat:
    topic_id: str
    topic_name: str
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        return share(self.correct, self.answers)


@dataclass(frozen=True)
class UserStats:
    name: str
    team: str | None
    points_week: int
    points_month: int
    points_all: int
    answers: int
    correct: int
    streak: int
    best_streak: int
    daily_streak: int
    best_daily_streak: int
    by_topic: tuple[TopicStat, ...] = field(default=())
    readiness: Readiness | None = None
    """Spaced repetition: readiness per topic and the exam plan (None where not computed)."""

    @property
    def accuracy(self) -> float:
        return share(self.correct, self.answers)
