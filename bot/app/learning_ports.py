"""The seam between the learning use cases (spaced repetition, private practice, readiness,
exam dates) and storage: their records and repository protocols.

Kept apart from `bot.app.ports` so that the memory of each learner is one module's job; the
`Repositories` protocol there exposes these as `cards` and `learners`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.recall import Grade, Memory
from bot.reminders import ReminderTime

CardKey = tuple[int, str]
"""(user id, question id): one card per person and question."""

PRIVATE_MODES = ("private", "review")
"""The modes of questions asked to one person only (`Mode.PRIVATE`, `Mode.REVIEW`)."""


@dataclass(frozen=True, slots=True)
class Review:
    """One rating of one card: the review log that the optimizer can later be fitted on."""

    user_id: int
    question_id: str
    grade: Grade
    reviewed_at: datetime
    mode: str


@dataclass(frozen=True)
class LearnerProfile:
    """A learner's own settings: the exam date and the reminder."""

    exam_date: date | None = None
    remind_hour: int | None = None
    remind_minute: int | None = None
    remind_timezone: str | None = None
    remind_weekdays: str | None = None
    paused_until: date | None = None
    paused_reason: str | None = None


@dataclass(frozen=True)
class ReminderFacts:
    """What a person's study reminder is made of: their settings, their cards due and streak."""

    profile: LearnerProfile
    cards_due: int
    streak: int


@dataclass(frozen=True)
class Learner:
    """A person as the readiness page lists them: who, and their exam date if they set one."""

    user_id: int
    name: str
    exam_date: date | None


@dataclass(frozen=True)
class Unrevealed:
    """A private question the learner was asked and did not answer."""

    instance_id: int
    question_id: str


class Cards(Protocol):
    """Each person's FSRS cards and the log of their reviews."""

    def memories(self, keys: Sequence[CardKey]) -> dict[CardKey, Memory]:
        """The stored cards among `keys` (missing ones were never answered)."""
        ...

    def put(self, cards: Mapping[CardKey, Memory], now: datetime) -> None:
        """Insert or replace cards; a card inserted now is introduced at `now`."""
        ...

    def log(self, reviews: Sequence[Review]) -> None: ...

    def next_due(self, user_id: int, now: datetime, question_ids: Sequence[str] | None) -> str | None:
        """The question of the person's card due longest ago (due at or before `now`), among
        `question_ids` when given."""
        ...

    def of_user(self, user_id: int) -> dict[str, Memory]:
        """Every card of a person by question id."""
        ...

    def introduced_since(self, user_id: int, since: datetime) -> int:
        """How many of the person's cards were first answered at or after `since`."""
        ...

    def review_count(self, user_id: int) -> int: ...

    def of_users(self, user_ids: Sequence[int]) -> dict[int, dict[str, Memory]]:
        """Every card of these people, by person and question id (people without cards left out)."""
        ...


class Learners(Protocol):
    """Learners' settings, and the private questions they leave unanswered."""

    def profile(self, user_id: int) -> LearnerProfile: ...

    def set_exam_date(self, user_id: int, exam_date: date | None, now: datetime) -> None: ...

    def set_reminder(self, user_id: int, when: ReminderTime | None, now: datetime) -> None:
        """Turn the reminder on at `when` (clearing a pause for closed DMs), or off (None)."""
        ...

    def set_pause(self, user_id: int, until: date | None, reason: str | None, now: datetime) -> None:
        """Hold reminders through `until` (a vacation), or for `reason` until turned on again."""
        ...

    def paused_until(self, user_ids: Sequence[int]) -> dict[int, date]:
        """The last day of each person's vacation (`pause N days`), for those who set one."""
        ...

    def reminder_facts(self, user_ids: Sequence[int], now: datetime) -> dict[int, ReminderFacts]:
        """For each of these people who exist: their settings, how many of their cards are due
        at `now` and their streak (the reminders due at one moment read in one query)."""
        ...

    def roster(
        self, workspace_id: int, user_ids: Sequence[int] | None, today: date, limit: int
    ) -> tuple[int, list[Learner]]:
        """(how many people, the first `limit` of them): those whose exam date is `today` or
        later first, the nearest first, then the others by name; `user_ids` narrows to those."""
        ...

    def exam_days(self, workspace_id: int, first: date, last: date) -> dict[date, int]:
        """How many of the workspace's people have their exam on each day from `first` to `last`."""
        ...

    def reveal_private(self, user_id: int, now: datetime) -> list[Unrevealed]:
        """Mark revealed (so later answers are late) the person's unanswered private questions."""
        ...
