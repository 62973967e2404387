"""Posted questions and the question of the day's claims in memory (`bot.app.ports.Posts`,
`bot.app.daily_ports.DailyClaims`), for `tests.memory`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.app.daily_ports import (
    DailyClaim,
    StaleClaim,
)
from bot.app.ports import (
    PostedQuestion,
)
from tests.memory_base import OnState


@dataclass
class _Post:
    channel_id: int
    question_id: str
    mode: str
    posted_at: datetime
    posted_by: int | None
    daily_date: date | None = None
    topic_id: str | None = None
    revealed_at: datetime | None = None
    answer_count: int = 0
    post_state: str | None = None
    lease_until: datetime | None = None
    scheduled_for: datetime | None = None
    message_ref: str | None = None


class MemoryPosts(OnState):
    def add(
        self,
        channel_id: int,
        question_id: str,
        mode: str,
        now: datetime,
        posted_by: int | None,
        topic_id: str | None = None,
    ) -> int:
        instance_id = self._id()
        self.s.posts[instance_id] = _Post(channel_id, question_id, mode, now, posted_by, topic_id=topic_id)
        return instance_id

    def get(self, instance_id: int) -> PostedQuestion | None:
        post = self.s.posts.get(instance_id)
        if post is None:
            return None
        workspace = self.s.workspaces[self.s.channels[post.channel_id][0]]
        return PostedQuestion(
            instance_id,
            post.channel_id,
            post.question_id,
            post.mode,
            workspace.id,
            workspace.platform,
            workspace.external_id,
            post.revealed_at,
            post.answer_count,
            post.daily_date,
            post.topic_id,
        )

    def set_message_ref(self, instance_id: int, ref: str) -> None:
        self.s.posts[instance_id].message_ref = ref

    def message_ref(self, instance_id: int) -> str | None:
        post = self.s.posts.get(instance_id)
        return None if post is None else post.message_ref

    def last_seen(
        self, channel_id: int, user_id: int | None, question_ids: Sequence[str]
    ) -> dict[str, datetime]:
        seen: dict[str, datetime] = {}
        moments = [(p.question_id, p.posted_at) for p in self.s.posts.values() if p.channel_id == channel_id]
        moments += [
            (self.s.posts[a.instance_id].question_id, a.answered_at)
            for a in self.s.answers
            if a.user_id == user_id
        ]
        for question_id, when in moments:
            if question_id in question_ids:
                seen[question_id] = max(seen.get(question_id, when), when)
        return seen

    def posted_history(self, channel_ids: Sequence[int]) -> dict[int, dict[str, datetime]]:
        seen: dict[int, dict[str, datetime]] = {}
        for post in self.s.posts.values():
            if post.channel_id in channel_ids:
                history = seen.setdefault(post.channel_id, {})
                history[post.question_id] = max(history.get(post.question_id, post.posted_at), post.posted_at)
        return seen

    def add_answer_counts(self, increments: Mapping[int, int]) -> None:
        for instance_id, added in increments.items():
            self.s.posts[instance_id].answer_count += added


class MemoryClaims(OnState):
    def claim(self, claims: Sequence[DailyClaim]) -> dict[int, int]:
        taken = {(p.channel_id, p.daily_date) for p in self.s.posts.values() if p.daily_date is not None}
        won = {}
        for c in claims:
            if (c.channel_id, c.daily_date) not in taken:
                instance_id = MemoryPosts(self.s).add(
                    c.channel_id, c.question_id, "daily", c.posted_at, None, c.topic_id
                )
                post = self.s.posts[instance_id]
                post.daily_date, post.post_state = c.daily_date, "pending"
                post.lease_until, post.scheduled_for = c.lease_until, c.scheduled_for
                won[c.channel_id] = instance_id
        return won

    def finish(self, instance_id: int, state: str) -> None:
        post = self.s.posts[instance_id]
        post.post_state, post.lease_until = state, None

    def mark_posted(self, posted: Sequence[tuple[int, str]], now: datetime) -> None:
        for instance_id, ref in posted:
            post = self.s.posts[instance_id]
            post.post_state, post.lease_until, post.message_ref, post.posted_at = "posted", None, ref, now

    def stale(self, now: datetime) -> list[StaleClaim]:
        return [
            StaleClaim(i, p.channel_id, p.scheduled_for)
            for i, p in self.s.posts.items()
            if p.post_state == "pending"
            and p.lease_until is not None
            and p.lease_until < now
            and p.scheduled_for is not None
        ]

    def take_leases(self, instance_ids: Sequence[int], now: datetime, lease_until: datetime) -> list[int]:
        taken = [c.id for c in self.stale(now) if c.id in instance_ids]
        for instance_id in taken:
            self.s.posts[instance_id].lease_until = lease_until
        return sorted(taken)

    def extend_leases(self, instance_ids: Sequence[int], lease_until: datetime) -> None:
        for instance_id in instance_ids:
            if self.s.posts[instance_id].post_state == "pending":
                self.s.posts[instance_id].lease_until = lease_until

    def unrevealed(self, channel_ids: Sequence[int], before: datetime) -> dict[int, list[int]]:
        found: dict[int, list[tuple[date, int]]] = {}
        for instance_id, p in self.s.posts.items():
            due = p.scheduled_for is not None and p.scheduled_for < before
            if p.channel_id in channel_ids and p.post_state == "posted" and p.revealed_at is None and due:
                assert p.daily_date is not None
                found.setdefault(p.channel_id, []).append((p.daily_date, instance_id))
        return {channel: [i for _, i in sorted(rows)] for channel, rows in found.items()}

    def mark_revealed(self, instance_id: int, now: datetime) -> bool:
        post = self.s.posts[instance_id]
        if post.revealed_at is not None:
            return False
        post.revealed_at = now
        return True
