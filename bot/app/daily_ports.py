"""The question of the day's storage ports: channel subscriptions and the daily claims that
make each post happen once (`bot.app.ports.Repositories` holds them beside the others)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from bot.daily.models import Subscription

# When a subscription posts (or reveals): hour, minute, weekdays, time zone.
ScheduleKey = tuple[int, int, str, str]
JobKind = Literal["post", "reveal"]


@dataclass(frozen=True)
class ChannelSubscription:
    subscription: Subscription
    channel_id: int


@dataclass(frozen=True)
class SubscriptionSettings:
    """What `daily on` sets for a channel."""

    topic_id: str | None
    hour: int
    minute: int
    timezone: str
    weekdays: str
    reveal: tuple[int, int] | None
    created_by: int
    updated_at: datetime


@dataclass(frozen=True)
class DailyClaim:
    channel_id: int
    question_id: str
    posted_at: datetime
    daily_date: date
    lease_until: datetime
    scheduled_for: datetime
    topic_id: str | None = None
    """The subscription's topic, which heads the question."""


@dataclass(frozen=True)
class StaleClaim:
    id: int
    channel_id: int
    scheduled_for: datetime


class DailyClaims(Protocol):
    """The delivery state of questions of the day: claims, leases, posts and reveals."""

    def claim(self, claims: Sequence[DailyClaim]) -> dict[int, int]:
        """{channel id: instance id} of the claims won; another process's claim wins over ours."""
        ...

    def finish(self, instance_id: int, state: str) -> None: ...

    def mark_posted(self, posted: Sequence[tuple[int, str]], now: datetime) -> None:
        """Mark claims posted, each with its platform message reference."""
        ...

    def stale(self, now: datetime) -> list[StaleClaim]:
        """Claims whose claimer died or gave up before the platform took the post."""
        ...

    def take_leases(self, instance_ids: Sequence[int], now: datetime, lease_until: datetime) -> list[int]: ...

    def extend_leases(self, instance_ids: Sequence[int], lease_until: datetime) -> None: ...

    def take_reveals(
        self, channel_ids: Sequence[int], before: datetime, now: datetime
    ) -> dict[int, list[int]]:
        """Mark revealed the posted daily questions before `before`: {channel: instance ids}."""
        ...


class Subscriptions(Protocol):
    """Channels' questions of the day."""

    def put(self, channel_id: int, settings: SubscriptionSettings) -> None:
        """Subscribe the channel, or change its settings (and unpause it)."""
        ...

    def of_channel(self, channel_id: int) -> ChannelSubscription | None: ...

    def every(self) -> list[ChannelSubscription]: ...

    def many(self, subscription_ids: Sequence[int]) -> list[ChannelSubscription]: ...

    def due(self, kind: JobKind, when: ScheduleKey) -> list[tuple[int, int]]:
        """(subscription id, workspace id) of the live subscriptions that post (or reveal) then."""
        ...

    def delete(self, channel_id: int) -> None: ...

    def pause(self, subscription_id: int, reason: str, now: datetime) -> None: ...

    def schedules(self) -> set[tuple[JobKind, ScheduleKey]]:
        """Every distinct time at which some live subscription posts or reveals."""
        ...
