"""The seam between the use cases and storage: the records repositories take and return, the
repositories grouped by the data they own, and the unit of work that runs a transaction.

A transaction is one synchronous function of the repositories, run whole by `UnitOfWork.read`
or `UnitOfWork.write`: on SQLite it crosses to the database thread once, on PostgreSQL it runs
through SQLAlchemy's `run_sync` (see `bot.db.database`). The use cases see only these types
(standard library dataclasses), never a row or a connection; `bot.db.unit_of_work` implements
them with SQLAlchemy Core, and a test can implement them in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.app.daily_ports import DailyClaims, Subscriptions
from bot.app.feedback_ports import Feedback
from bot.app.learning_ports import Cards, Learners
from bot.models import Scope, TeamSummary

if TYPE_CHECKING:
    from bot.app.dashboard_ports import DashboardTotals
    from bot.app.exam_ports import Exams
    from bot.app.library_ports import Decks
    from bot.app.outbox_ports import Outbox

T = TypeVar("T")


@dataclass(frozen=True)
class Workspace:
    id: int
    platform: str
    external_id: str
    name: str
    timezone: str


@dataclass(frozen=True)
class User:
    id: int
    workspace_id: int
    external_id: str
    display_name: str
    streak: int
    best_streak: int
    daily_streak: int
    best_daily_streak: int


@dataclass(frozen=True)
class Team:
    id: int
    workspace_id: int
    name: str


@dataclass(frozen=True)
class PostedQuestion:
    """A question posted in a channel (a practice question or a question of the day)."""

    id: int
    channel_id: int
    question_id: str
    mode: str
    workspace_id: int
    platform: str
    workspace_external_id: str
    revealed_at: datetime | None
    answer_count: int
    daily_date: date | None
    topic_id: str | None
    """The topic it was asked under, which its heading names (None: no topic was asked)."""


@dataclass(frozen=True)
class RecordedAnswer:
    """A user's first answer to a posted question, the only one that counts."""

    choice: str
    correct: bool
    points: int
    late: bool


@dataclass(frozen=True, slots=True)
class NewAnswer:
    instance_id: int
    user_id: int
    team_id: int | None
    choice: str
    correct: bool
    points: int
    late: bool
    answered_at: datetime


@dataclass
class UserState:
    """A user's streaks, all-time points and team, as a batch of answers moves through them."""

    streak: int
    daily_streak: int
    total: int
    team_id: int | None


@dataclass(frozen=True)
class Tally:
    """Running totals of a user or a team in one period."""

    points: int
    answers: int
    correct: int


@dataclass(frozen=True)
class BoardLine:
    name: str
    points: int
    answers: int
    correct: int


@dataclass(frozen=True)
class QuestionTally:
    question_id: str
    answers: int
    correct: int


@dataclass(frozen=True)
class NamedAnswer:
    """A scored answer to a daily question, with who gave it and their team at the time."""

    display_name: str
    correct: bool
    team: str | None


class People(Protocol):
    """Workspaces, their users and their channels."""

    def workspace(
        self, platform: str, external_id: str, name: str, timezone: str, now: datetime
    ) -> Workspace:
        """The workspace, created (with `timezone`) or renamed as needed."""
        ...

    def find_workspace(self, platform: str, external_id: str) -> Workspace | None: ...

    def find_user(self, workspace_id: int, external_id: str) -> User | None: ...

    def ensure_users(
        self, wanted: Mapping[tuple[int, str], str], now: datetime
    ) -> dict[tuple[int, str], int]:
        """Create or rename users (one or many at once, in one statement): their ids by
        (workspace id, platform user id). The one way users are created."""
        ...

    def set_streaks(self, streaks: Mapping[int, tuple[int, int]]) -> None:
        """(streak, daily streak) by user id; the best streaks follow."""
        ...

    def channel(self, workspace_id: int, external_id: str) -> int:
        """The channel's id, created as needed."""
        ...

    def find_channel(self, platform: str, workspace: str, channel: str) -> int | None: ...


class Teams(Protocol):
    def of_user(self, user_id: int) -> Team | None: ...

    def find(self, workspace_id: int, name_key: str) -> Team | None: ...

    def create(self, workspace_id: int, name: str, now: datetime) -> Team: ...

    def set_membership(self, user_id: int, team_id: int | None, now: datetime) -> None: ...

    def summaries(self, workspace_id: int) -> list[TeamSummary]:
        """Every team of the workspace with its members and all-time points, best first."""
        ...

    def names(self, workspace_id: int) -> list[str]:
        """The names of the workspace's teams."""
        ...

    def remove_if_empty(self, team_id: int) -> None:
        """Delete the team if nobody is in it (its points go with it; answers keep theirs)."""
        ...

    def rename(self, team_id: int, name: str) -> None: ...

    def remove(self, team_id: int) -> int:
        """Delete the team, its members left in no team; how many members it had."""
        ...


class Posts(Protocol):
    """Questions posted in channels, practice and daily."""

    def add(
        self,
        channel_id: int,
        question_id: str,
        mode: str,
        now: datetime,
        posted_by: int | None,
        topic_id: str | None = None,
    ) -> int:
        """Post a question; `topic_id` is the topic it was asked under (None: any topic)."""
        ...

    def get(self, instance_id: int) -> PostedQuestion | None: ...

    def set_message_ref(self, instance_id: int, ref: str) -> None: ...

    def message_ref(self, instance_id: int) -> str | None:
        """The message showing an instance, as `set_message_ref` stored it (None until then)."""
        ...

    def last_seen(
        self, channel_id: int, user_id: int | None, question_ids: Sequence[str]
    ) -> dict[str, datetime]:
        """When each question was last posted in the channel or answered by the user, recently."""
        ...

    def posted_history(self, channel_ids: Sequence[int]) -> dict[int, dict[str, datetime]]:
        """When each question was last posted, per channel, for many channels at once."""
        ...

    def add_answer_counts(self, increments: Mapping[int, int]) -> None: ...


class Answers(Protocol):
    """Answers, and the running totals of users and teams they add up to."""

    def first_answer(self, instance_id: int, user_id: int) -> RecordedAnswer | None: ...

    def states_and_answers(
        self, pairs: Sequence[tuple[int, int]]
    ) -> tuple[dict[int, tuple[bool, int]], dict[tuple[int, int], RecordedAnswer]]:
        """For (instance, user) pairs: whether each instance was revealed and its answer count,
        and the answers already recorded for those pairs."""
        ...

    def user_states(self, user_ids: Sequence[int]) -> dict[int, UserState]: ...

    def previous_daily(self, channel_id: int, daily_date: date, user_id: int) -> RecordedAnswer | None:
        """The user's answer to the channel's daily question before `daily_date`."""
        ...

    def insert(self, rows: Sequence[NewAnswer]) -> int:
        """Insert answers; how many were new (another process may have been first)."""
        ...

    def add_totals(
        self,
        scope: Scope,
        totals: Mapping[tuple[int, str], Sequence[int]],
        workspace_of: Mapping[int, int],
    ) -> None:
        """Add (points, answers, correct) to the totals of users or teams by (owner, period key)."""
        ...

    def user_totals(self, user_id: int, period_keys: Sequence[str]) -> dict[str, Tally]: ...

    def by_question(self, user_id: int) -> list[QuestionTally]: ...

    def named(self, instance_id: int) -> list[NamedAnswer]:
        """Every scored answer of an instance, first first."""
        ...

    def top(self, workspace_id: int, period_key: str, scope: Scope, limit: int) -> list[BoardLine]:
        """The best totals of a period, in leaderboard order."""
        ...


class Repositories(Protocol):
    @property
    def people(self) -> People: ...

    @property
    def teams(self) -> Teams: ...

    @property
    def posts(self) -> Posts: ...

    @property
    def claims(self) -> DailyClaims: ...

    @property
    def answers(self) -> Answers: ...

    @property
    def subscriptions(self) -> Subscriptions: ...

    @property
    def cards(self) -> Cards: ...

    @property
    def learners(self) -> Learners: ...

    @property
    def dashboard(self) -> DashboardTotals: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def exams(self) -> Exams: ...

    @property
    def feedback(self) -> Feedback: ...

    @property
    def decks(self) -> Decks: ...


class UnitOfWork(Protocol):
    """Runs `work(repositories)` as one transaction: committed when it returns, rolled back
    when it raises. `work` is synchronous: it must not wait on anything but the database."""

    async def read(self, work: Callable[[Repositories], T]) -> T: ...

    async def write(self, work: Callable[[Repositories], T]) -> T: ...
