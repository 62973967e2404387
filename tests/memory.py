"""An in-memory unit of work: every repository of `bot.app.ports` over plain dicts, so that the
quiz's rules can be tested without a database. A transaction works on a copy of the state and
puts it in place when the work returns; when the work raises, nothing changes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any, TypeVar

from bot.app.daily_ports import SubscriptionSettings
from bot.app.ports import NewAnswer, Repositories, Team, User, Workspace
from bot.models import Scope
from tests.memory_answers import MemoryAnswers
from tests.memory_dashboard import DashboardState, MemoryDashboard
from tests.memory_decks import DeckState, MemoryDecks
from tests.memory_exam import ExamState, MemoryExams
from tests.memory_feedback import FeedbackState, MemoryFeedback
from tests.memory_learning import LearningState, MemoryCards, MemoryLearners
from tests.memory_outbox import MemoryOutbox, OutboxState
from tests.memory_people import MemoryPeople
from tests.memory_posts import MemoryClaims, MemoryPosts, _Post
from tests.memory_subscriptions import MemorySubscriptions
from tests.memory_teams import MemoryTeams

T = TypeVar("T")


@dataclass
class _State:
    workspaces: dict[int, Workspace] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    channels: dict[int, tuple[int, str]] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)
    posts: dict[int, _Post] = field(default_factory=dict)
    answers: list[NewAnswer] = field(default_factory=list)
    totals: dict[tuple[Scope, int, str], list[int]] = field(default_factory=dict)
    subscriptions: dict[int, tuple[int, SubscriptionSettings, str | None]] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: count(1))
    learning: LearningState = field(default_factory=LearningState)
    dashboard: DashboardState = field(default_factory=DashboardState)
    outbox: OutboxState = field(default_factory=OutboxState)
    exams: ExamState = field(default_factory=ExamState)
    feedback: FeedbackState = field(default_factory=FeedbackState)
    decks: DeckState = field(default_factory=DeckState)


class MemoryRepositories:
    """Every repository, on one state (the transaction's copy); each in its own module
    (`tests/memory_*.py`)."""

    def __init__(self, state: _State) -> None:
        self.s = state

    @property
    def people(self) -> MemoryPeople:
        return MemoryPeople(self.s)

    @property
    def teams(self) -> MemoryTeams:
        return MemoryTeams(self.s)

    @property
    def posts(self) -> MemoryPosts:
        return MemoryPosts(self.s)

    @property
    def claims(self) -> MemoryClaims:
        return MemoryClaims(self.s)

    @property
    def answers(self) -> MemoryAnswers:
        return MemoryAnswers(self.s)

    @property
    def subscriptions(self) -> MemorySubscriptions:
        return MemorySubscriptions(self.s)

    @property
    def cards(self) -> MemoryCards:
        return MemoryCards(self.s)

    @property
    def learners(self) -> MemoryLearners:
        return MemoryLearners(self.s)

    @property
    def dashboard(self) -> MemoryDashboard:
        return MemoryDashboard(self.s.dashboard)

    @property
    def outbox(self) -> MemoryOutbox:
        return MemoryOutbox(self.s.outbox)

    @property
    def exams(self) -> MemoryExams:
        return MemoryExams(self.s.exams, self._answered_by, self._person)

    def _person(self, user_id: int) -> tuple[str, str]:
        user = self.s.users[user_id]
        return user.external_id, user.display_name

    def _answered_by(self, user_id: int) -> list[str]:
        return [self.s.posts[a.instance_id].question_id for a in self.s.answers if a.user_id == user_id]

    @property
    def feedback(self) -> MemoryFeedback:
        return MemoryFeedback(self.s)

    @property
    def decks(self) -> MemoryDecks:
        return MemoryDecks(self.s)


class MemoryUnitOfWork:
    def __init__(self) -> None:
        self.state = _State()
        self.transactions = 0

    def _run(self, work: Callable[[Repositories], T]) -> T:
        working = copy.deepcopy(self.state)
        result = work(MemoryRepositories(working))
        self.state = working
        self.transactions += 1
        return result

    async def read(self, work: Callable[[Repositories], T]) -> T:
        return self._run(work)

    async def write(self, work: Callable[[Repositories], T]) -> T:
        return self._run(work)
