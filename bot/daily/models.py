"""What the question of the day hands to the platforms, and what they may answer back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.models import Place, QuestionView, share


@dataclass(frozen=True)
class Subscription:
    id: int
    target: Place
    topic_id: str | None
    hour: int
    minute: int
    timezone: str
    weekdays: str
    reveal: tuple[int, int] | None
    paused_reason: str | None
    since: datetime | None = None
    """When this schedule took effect (last set or resumed): nothing due before it is owed."""


@dataclass(frozen=True)
class TeamResult:
    name: str
    answered: int
    correct: int


@dataclass(frozen=True)
class Reveal:
    """The answer of a daily question and how the channel did."""

    instance_id: int
    daily_date: date
    prompt: str
    answer: str
    explanation: str
    source: str
    answered: int
    correct: int
    first_correct: tuple[str, ...]
    teams: tuple[TeamResult, ...]

    @property
    def share_correct(self) -> float:
        return share(self.correct, self.answered)


@dataclass(frozen=True)
class DailyStatusReport:
    subscription: Subscription | None
    next_post: datetime | None


class PermanentDeliveryError(Exception):
    """The platform will never take this post (channel archived or deleted, bot removed,
    missing permission): the subscription is paused with this reason."""


class TransientDeliveryError(Exception):
    """The platform failed for now, after the adapter's own retries (rate limits, 5xx)."""


class DailyPoster(Protocol):
    """What a chat adapter provides so the scheduler can post through it."""

    async def post_question(self, target: Place, question: QuestionView) -> str:
        """Post and return the platform's message reference."""
        ...

    async def post_reveal(self, target: Place, reveal: Reveal) -> None: ...
