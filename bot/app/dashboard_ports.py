"""The dashboard's records and repository protocols (issue 19).

`DashboardTotals` is what the answer path adds to, in the same transaction as the answers
(`Repositories.dashboard`); `DashboardReader` is what the pages read, a few hundred
pre-aggregated rows per page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.app.ports import BoardLine
from bot.models import Scope


@dataclass
class DashboardIncrements:
    """What one batch of answers adds to the aggregates (keys as in the tables)."""

    days: dict[tuple[int, date], list[int]]  # (workspace, day) -> [answers, correct, new active people]
    weeks: dict[tuple[int, str], int]  # (workspace, iso week) -> new active people
    last_days: dict[int, tuple[int, date]]  # user -> (workspace, last day)
    # (workspace, owner kind, owner, topic) -> [answers, correct]
    topics: dict[tuple[int, str, int, str], list[int]]
    choices: dict[tuple[int, str, int], int]  # (workspace, question, choice index) -> picks
    # (instance, team or 0) -> (workspace, [answers, correct])
    daily: dict[tuple[int, int], tuple[int, list[int]]]


class DashboardTotals(Protocol):
    def last_days(self, user_ids: Sequence[int]) -> dict[int, date]:
        """Each user's last day with an answer (users with none are left out)."""
        ...

    def add(self, increments: DashboardIncrements) -> None: ...


@dataclass(frozen=True)
class WorkspaceRef:
    id: int
    name: str
    timezone: str


@dataclass(frozen=True)
class PersonRef:
    id: int
    external_id: str
    name: str
    team_id: int | None
    team_name: str | None


@dataclass(frozen=True)
class DayRow:
    day: date
    answers: int
    correct: int
    active_people: int


@dataclass(frozen=True)
class TopicCell:
    owner_id: int
    topic: str
    answers: int
    correct: int


@dataclass(frozen=True)
class PersonRow:
    id: int
    external_id: str
    name: str
    team_name: str | None
    points: int
    answers: int
    correct: int
    streak: int
    best_streak: int
    daily_streak: int
    last_day: date | None


@dataclass(frozen=True)
class QuestionRow:
    question_id: str
    answers: int
    correct: int
    picks: Mapping[int, int]


@dataclass(frozen=True)
class Improvement:
    """A person's or team's points in a week and the week before (the weekly digest)."""

    name: str
    points: int
    previous_points: int
    answers: int
    correct: int


@dataclass(frozen=True)
class DailyRow:
    instance_id: int
    day: date
    question_id: str
    by_team: Mapping[int, tuple[int, int]]  # team id (0: no team) -> (answers, correct)


class DashboardReader(Protocol):
    def workspace(self, platform: str, external_id: str) -> WorkspaceRef | None: ...

    def person(self, workspace_id: int, external_id: str) -> PersonRef | None: ...

    def teams(self, workspace_id: int) -> dict[int, str]: ...

    def days(self, workspace_id: int, since: date) -> list[DayRow]: ...

    def weeks(self, workspace_id: int, since: str) -> dict[str, int]: ...

    def topics(self, workspace_id: int, kind: str, owners: Sequence[int] | None) -> list[TopicCell]:
        """Cells of the workspace ('w'), teams ('t') or people ('u'); `owners` None: all of that kind."""
        ...

    def people(
        self, workspace_id: int, user_ids: Sequence[int] | None, offset: int, limit: int
    ) -> tuple[int, list[PersonRow]]:
        """(how many people, one page of them by name); `user_ids` narrows to those people."""
        ...

    def streaks(self, workspace_id: int, limit: int) -> list[PersonRow]: ...

    def board(self, workspace_id: int, period_key: str, scope: Scope, limit: int) -> list[BoardLine]: ...

    def choice_picks(self, workspace_id: int) -> dict[str, dict[int, int]]:
        """How often each choice of each question was picked (question -> choice index -> picks)."""
        ...

    def improved(
        self, workspace_id: int, scope: Scope, week_key: str, previous_key: str, limit: int
    ) -> list[Improvement]:
        """The greatest gains in points from `previous_key`'s week to `week_key`'s."""
        ...

    def daily_history(self, workspace_id: int, limit: int) -> list[DailyRow]: ...

    def inactive(self, workspace_id: int, before: date, limit: int) -> tuple[int, list[PersonRow]]:
        """People whose last answer is before `before`, or who never answered: (how many, the
        first `limit` by name)."""
        ...
