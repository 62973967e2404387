"""Channels' question-of-the-day subscriptions in memory (`bot.app.daily_ports.Subscriptions`), for
`tests.memory`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.app.daily_ports import (
    ChannelSubscription,
    JobKind,
    ScheduleKey,
    SubscriptionSettings,
)
from bot.daily.models import Subscription
from bot.models import Place
from tests.memory_base import OnState


class MemorySubscriptions(OnState):
    def put(self, channel_id: int, settings: SubscriptionSettings) -> None:
        found = self.of_channel(channel_id)
        subscription_id = found.subscription.id if found else self._id()
        self.s.subscriptions[subscription_id] = (channel_id, settings, None)

    def _found(self, subscription_id: int) -> ChannelSubscription:
        channel_id, settings, paused = self.s.subscriptions[subscription_id]
        workspace_id, channel = self.s.channels[channel_id]
        workspace = self.s.workspaces[workspace_id]
        subscription = Subscription(
            subscription_id,
            Place(workspace.platform, workspace.external_id, channel),
            settings.topic_id,
            settings.hour,
            settings.minute,
            settings.timezone,
            settings.weekdays,
            settings.reveal,
            paused,
            since=settings.updated_at,
        )
        return ChannelSubscription(subscription, channel_id)

    def of_channel(self, channel_id: int) -> ChannelSubscription | None:
        return next((f for f in self.every() if f.channel_id == channel_id), None)

    def every(self, platform: str | None = None) -> list[ChannelSubscription]:
        found = [self._found(i) for i in sorted(self.s.subscriptions)]
        return [f for f in found if platform in (None, f.subscription.target.platform)]

    def many(self, subscription_ids: Sequence[int]) -> list[ChannelSubscription]:
        return [f for f in self.every() if f.subscription.id in subscription_ids]

    def due(self, kind: JobKind, when: ScheduleKey, platform: str | None = None) -> list[tuple[int, int]]:
        return [
            (f.subscription.id, self.s.channels[f.channel_id][0])
            for f in self.every(platform)
            if not f.subscription.paused_reason and (kind, when) in _times(f.subscription)
        ]

    def delete(self, channel_id: int) -> None:
        found = self.of_channel(channel_id)
        if found is not None:
            del self.s.subscriptions[found.subscription.id]

    def pause(self, subscription_id: int, reason: str, now: datetime) -> None:
        channel_id, settings, _ = self.s.subscriptions[subscription_id]
        self.s.subscriptions[subscription_id] = (channel_id, settings, reason[:500])

    def schedules(self, platform: str | None = None) -> set[tuple[JobKind, ScheduleKey]]:
        return {
            time
            for f in self.every(platform)
            if not f.subscription.paused_reason
            for time in _times(f.subscription)
        }


def _times(subscription: Subscription) -> set[tuple[JobKind, ScheduleKey]]:
    days, zone = subscription.weekdays, subscription.timezone
    times: set[tuple[JobKind, ScheduleKey]] = {("post", (subscription.hour, subscription.minute, days, zone))}
    if subscription.reveal is not None:
        times.add(("reveal", (*subscription.reveal, days, zone)))
    return times
