"""The learning repositories (`bot.app.learning_ports`) over plain dicts, for the in-memory unit
of work of `tests.memory`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.app.learning_ports import (
    PRIVATE_MODES,
    CardKey,
    Learner,
    LearnerProfile,
    ReminderFacts,
    Review,
    Unrevealed,
)
from bot.recall import Memory
from bot.reminders import ReminderTime

if TYPE_CHECKING:
    from tests.memory import _State


@dataclass
class LearningState:
    cards: dict[CardKey, Memory] = field(default_factory=dict)
    introduced: dict[CardKey, datetime] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)
    profiles: dict[int, LearnerProfile] = field(default_factory=dict)


class MemoryCards:
    def __init__(self, state: _State) -> None:
        self.s = state.learning

    def memories(self, keys: Sequence[CardKey]) -> dict[CardKey, Memory]:
        return {key: self.s.cards[key] for key in keys if key in self.s.cards}

    def put(self, cards: Mapping[CardKey, Memory], now: datetime) -> None:
        for key, memory in cards.items():
            self.s.introduced.setdefault(key, now)
            self.s.cards[key] = memory

    def log(self, reviews: Sequence[Review]) -> None:
        self.s.reviews.extend(reviews)

    def next_due(self, user_id: int, now: datetime, question_ids: Sequence[str] | None) -> str | None:
        wanted = None if question_ids is None else set(question_ids)
        due = [
            (memory.due, question)
            for (user, question), memory in self.s.cards.items()
            if user == user_id and memory.due <= now and (wanted is None or question in wanted)
        ]
        return min(due)[1] if due else None

    def of_user(self, user_id: int) -> dict[str, Memory]:
        return {question: memory for (user, question), memory in self.s.cards.items() if user == user_id}

    def introduced_since(self, user_id: int, since: datetime) -> int:
        return sum(1 for (user, _), at in self.s.introduced.items() if user == user_id and at >= since)

    def review_count(self, user_id: int) -> int:
        return sum(1 for review in self.s.reviews if review.user_id == user_id)

    def of_users(self, user_ids: Sequence[int]) -> dict[int, dict[str, Memory]]:
        wanted = set(user_ids)
        found: dict[int, dict[str, Memory]] = {}
        for (user, question), memory in self.s.cards.items():
            if user in wanted:
                found.setdefault(user, {})[question] = memory
        return found


class MemoryLearners:
    def __init__(self, state: _State) -> None:
        self.state = state
        self.s = state.learning

    def profile(self, user_id: int) -> LearnerProfile:
        return self.s.profiles.get(user_id, LearnerProfile())

    def set_exam_date(self, user_id: int, exam_date: date | None, now: datetime) -> None:
        self.s.profiles[user_id] = replace(self.profile(user_id), exam_date=exam_date)

    def set_reminder(self, user_id: int, when: ReminderTime | None, now: datetime) -> None:
        profile = self.profile(user_id)
        if when is None:
            self.s.profiles[user_id] = replace(profile, remind_hour=None, remind_minute=None)
            return
        self.s.profiles[user_id] = replace(
            profile,
            remind_hour=when.hour,
            remind_minute=when.minute,
            remind_timezone=when.timezone,
            remind_weekdays=when.weekdays,
            paused_reason=None,
        )

    def set_pause(self, user_id: int, until: date | None, reason: str | None, now: datetime) -> None:
        self.s.profiles[user_id] = replace(self.profile(user_id), paused_until=until, paused_reason=reason)

    def paused_until(self, user_ids: Sequence[int]) -> dict[int, date]:
        found = {user_id: self.profile(user_id).paused_until for user_id in user_ids}
        return {user_id: until for user_id, until in found.items() if until is not None}

    def reminder_facts(self, user_ids: Sequence[int], now: datetime) -> dict[int, ReminderFacts]:
        found = {}
        for user_id in set(user_ids) & set(self.state.users):
            due = sum(1 for (user, _), card in self.s.cards.items() if user == user_id and card.due <= now)
            found[user_id] = ReminderFacts(self.profile(user_id), due, self.state.users[user_id].streak)
        return found

    def roster(
        self, workspace_id: int, user_ids: Sequence[int] | None, today: date, limit: int
    ) -> tuple[int, list[Learner]]:
        people = [
            Learner(user.id, user.display_name, self.profile(user.id).exam_date)
            for user in self.state.users.values()
            if user.workspace_id == workspace_id and (user_ids is None or user.id in user_ids)
        ]

        def order(learner: Learner) -> tuple[bool, date, str, int]:
            day = learner.exam_date
            upcoming = day if day is not None and day >= today else None
            return upcoming is None, upcoming or today, learner.name, learner.user_id

        return len(people), sorted(people, key=order)[:limit]

    def exam_days(self, workspace_id: int, first: date, last: date) -> dict[date, int]:
        found: dict[date, int] = {}
        for user_id, profile in self.s.profiles.items():
            day = profile.exam_date
            if self.state.users[user_id].workspace_id == workspace_id and day and first <= day <= last:
                found[day] = found.get(day, 0) + 1
        return found

    def reveal_private(self, user_id: int, now: datetime) -> list[Unrevealed]:
        answered = {a.instance_id for a in self.state.answers if a.user_id == user_id}
        found = []
        for instance_id, post in sorted(self.state.posts.items()):
            if (
                post.posted_by == user_id
                and post.mode in PRIVATE_MODES
                and post.revealed_at is None
                and instance_id not in answered
            ):
                post.revealed_at = now
                found.append(Unrevealed(instance_id, post.question_id))
        return found
