"""Channels' questions of the day, and when they post: what the daily scheduler reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from bot.app.daily_ports import ChannelSubscription, JobKind, ScheduleKey, SubscriptionSettings
from bot.daily.models import Subscription
from bot.db.statements import insert
from bot.db.tables import channels, subscriptions, workspaces
from bot.models import Place

_WITH_PLACE = select(
    subscriptions,
    workspaces.c.platform,
    workspaces.c.external_id.label("workspace_external_id"),
    channels.c.external_id.label("channel_external_id"),
).select_from(
    subscriptions.join(channels, channels.c.id == subscriptions.c.channel_id).join(
        workspaces, workspaces.c.id == channels.c.workspace_id
    )
)


def _subscription(row: Row[Any]) -> ChannelSubscription:
    reveal = (row.reveal_hour, row.reveal_minute) if row.reveal_hour is not None else None
    subscription = Subscription(
        id=row.id,
        target=Place(row.platform, row.workspace_external_id, row.channel_external_id),
        topic_id=row.topic_id,
        hour=row.hour,
        minute=row.minute,
        timezone=row.timezone,
        weekdays=row.weekdays,
        reveal=reveal,
        paused_reason=row.paused_reason,
        since=row.updated_at,
    )
    return ChannelSubscription(subscription, row.channel_id)


def _times(kind: JobKind) -> tuple[Any, Any]:
    if kind == "post":
        return subscriptions.c.hour, subscriptions.c.minute
    return subscriptions.c.reveal_hour, subscriptions.c.reveal_minute


class SqlSubscriptions:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def put(self, channel_id: int, settings: SubscriptionSettings) -> None:
        reveal_hour, reveal_minute = settings.reveal or (None, None)
        values = {
            "topic_id": settings.topic_id,
            "hour": settings.hour,
            "minute": settings.minute,
            "timezone": settings.timezone,
            "weekdays": settings.weekdays,
            "reveal_hour": reveal_hour,
            "reveal_minute": reveal_minute,
            "created_by": settings.created_by,
            "updated_at": settings.updated_at,
            "paused_reason": None,
            "paused_at": None,
        }
        statement = insert(self.connection, subscriptions).values({"channel_id": channel_id, **values})
        self.connection.execute(statement.on_conflict_do_update(index_elements=["channel_id"], set_=values))

    def of_channel(self, channel_id: int) -> ChannelSubscription | None:
        row = self.connection.execute(_WITH_PLACE.where(subscriptions.c.channel_id == channel_id)).first()
        return None if row is None else _subscription(row)

    def every(self) -> list[ChannelSubscription]:
        return [
            _subscription(row) for row in self.connection.execute(_WITH_PLACE.order_by(subscriptions.c.id))
        ]

    def many(self, subscription_ids: Sequence[int]) -> list[ChannelSubscription]:
        query = _WITH_PLACE.where(subscriptions.c.id.in_(subscription_ids)).order_by(subscriptions.c.id)
        return [_subscription(row) for row in self.connection.execute(query)]

    def due(self, kind: JobKind, when: ScheduleKey) -> list[tuple[int, int]]:
        hour, minute, weekdays, timezone = when
        hour_column, minute_column = _times(kind)
        query = (
            select(subscriptions.c.id, channels.c.workspace_id)
            .join_from(subscriptions, channels, channels.c.id == subscriptions.c.channel_id)
            .where(
                hour_column == hour,
                minute_column == minute,
                subscriptions.c.weekdays == weekdays,
                subscriptions.c.timezone == timezone,
                subscriptions.c.paused_reason.is_(None),
            )
            .order_by(subscriptions.c.id)
        )
        return [
            (subscription_id, workspace_id)
            for subscription_id, workspace_id in self.connection.execute(query)
        ]

    def delete(self, channel_id: int) -> None:
        self.connection.execute(subscriptions.delete().where(subscriptions.c.channel_id == channel_id))

    def pause(self, subscription_id: int, reason: str, now: datetime) -> None:
        self.connection.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription_id)
            .values(paused_reason=reason[:500], paused_at=now)
        )

    def schedules(self) -> set[tuple[JobKind, ScheduleKey]]:
        found: set[tuple[JobKind, ScheduleKey]] = set()
        kinds: tuple[JobKind, ...] = ("post", "reveal")
        for kind in kinds:
            hour, minute = _times(kind)
            query = (
                select(hour, minute, subscriptions.c.weekdays, subscriptions.c.timezone)
                .where(subscriptions.c.paused_reason.is_(None), hour.is_not(None))
                .distinct()
            )
            found.update((kind, (h, m, days, zone)) for h, m, days, zone in self.connection.execute(query))
        return found
