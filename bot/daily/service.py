"""The question of the day: subscribing channels, posting exactly once per local date, revealing.

Exactly once: a post is claimed in the database before it is sent (the unique channel and local
date of `question_instances` decides between racing processes), then sent, then marked posted.
A claim carries a lease; a claimer that dies before the platform took the post leaves a claim
whose lease runs out, and `recover` (at start and every minute) sends it within the grace
window. What remains is the narrow window between the platform accepting a message and the
database recording it: a crash exactly there posts that question twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.daily.models import (
    DailyPoster,
    DailyStatusReport,
    PermanentDeliveryError,
    Reveal,
    Subscription,
)
from bot.daily.triggers import cron, latest_due
from bot.db import store
from bot.errors import QuizError
from bot.grammar import DailyOn
from bot.metrics import DAILY_POSTS
from bot.models import Actor, Place
from bot.service import QuizService

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=2)
DEFAULT_LEASE = timedelta(minutes=2)
ADMINS_ONLY = "Only workspace admins can change the question of the day."

Listener = Callable[[int], Awaitable[None]]


class PostResult(StrEnum):
    POSTED = "posted"
    ALREADY_CLAIMED = "already claimed"
    TOO_LATE = "too late"
    PAUSED = "paused"
    FAILED = "failed"
    RETRY_LATER = "retry later"


def _subscription(row: Any) -> Subscription:
    reveal = (row.reveal_hour, row.reveal_minute) if row.reveal_hour is not None else None
    return Subscription(
        id=row.id,
        target=Place(row.platform, row.workspace_external_id, row.channel_external_id),
        topic_id=row.topic_id,
        hour=row.hour,
        minute=row.minute,
        timezone=row.timezone,
        weekdays=row.weekdays,
        reveal=reveal,
        paused_reason=row.paused_reason,
    )


class DailyService:
    def __init__(
        self,
        quiz: QuizService,
        posters: Mapping[str, DailyPoster],
        grace: timedelta = DEFAULT_GRACE,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.quiz = quiz
        self.posters = dict(posters)
        self.grace = grace
        self.lease = lease
        self.listeners: list[Listener] = []

    @property
    def clock(self) -> Any:
        return self.quiz.clock

    async def _changed(self, subscription_id: int) -> None:
        for listener in self.listeners:
            await listener(subscription_id)

    # -- subscribing ----------------------------------------------------------------------

    def _topic_id(self, query: str | None) -> str | None:
        if query is None:
            return None
        topic = self.quiz.topic_index.resolve(query)
        if topic is not None:
            return topic.id
        near = self.quiz.topic_index.suggest(query)
        hint = f"Did you mean {' or '.join(near)}?" if near else "See /quiz topics."
        raise QuizError(f"No topic '{query}'. {hint}")

    async def subscribe(self, actor: Actor, channel: str, command: DailyOn) -> DailyStatusReport:
        if not actor.is_admin:
            raise QuizError(ADMINS_ONLY)
        topic_id = self._topic_id(command.topic)
        now = self.clock.now()
        async with self.quiz.database.write() as connection:
            workspace, user = await self.quiz.identify(connection, actor)
            channel_row = await store.channel(connection, workspace.id, channel)
            reveal_hour, reveal_minute = command.reveal or (None, None)
            await store.upsert_subscription(
                connection,
                channel_row.id,
                {
                    "topic_id": topic_id,
                    "hour": command.hour,
                    "minute": command.minute,
                    "timezone": command.timezone or workspace.timezone,
                    "weekdays": command.weekdays,
                    "reveal_hour": reveal_hour,
                    "reveal_minute": reveal_minute,
                    "created_by": user.id,
                    "updated_at": now,
                    "paused_reason": None,
                    "paused_at": None,
                },
            )
            row = await store.subscription_of_channel(connection, channel_row.id)
        subscription = _subscription(row)
        await self._changed(subscription.id)
        return self._report(subscription)

    async def unsubscribe(self, actor: Actor, channel: str) -> Subscription:
        if not actor.is_admin:
            raise QuizError(ADMINS_ONLY)
        async with self.quiz.database.write() as connection:
            workspace, _ = await self.quiz.identify(connection, actor)
            channel_row = await store.channel(connection, workspace.id, channel)
            row = await store.subscription_of_channel(connection, channel_row.id)
            if row is None:
                raise QuizError("This channel has no question of the day.")
            await store.delete_subscription(connection, channel_row.id)
        subscription = _subscription(row)
        await self._changed(subscription.id)
        return subscription

    def _report(self, subscription: Subscription | None) -> DailyStatusReport:
        if subscription is None or subscription.paused_reason:
            return DailyStatusReport(subscription, None)
        trigger = cron(subscription.hour, subscription.minute, subscription.weekdays, subscription.timezone)
        return DailyStatusReport(subscription, trigger.get_next_fire_time(None, self.clock.now()))

    async def status(self, place: Place) -> DailyStatusReport:
        async with self.quiz.database.read() as connection:
            channel_id = await store.find_channel(connection, place.platform, place.workspace, place.channel)
            row = await store.subscription_of_channel(connection, channel_id) if channel_id else None
        return self._report(_subscription(row) if row else None)

    async def subscriptions(self) -> list[Subscription]:
        async with self.quiz.database.read() as connection:
            return [_subscription(r) for r in await store.subscription_rows(connection)]

    async def subscription(self, subscription_id: int) -> Subscription | None:
        async with self.quiz.database.read() as connection:
            rows = await store.subscription_rows(connection, subscription_id)
        return _subscription(rows[0]) if rows else None

    # -- posting --------------------------------------------------------------------------

    async def post_due(self, subscription_id: int, due: datetime) -> PostResult:
        """Post the daily question that fell due at `due`, unless it was posted already."""
        result = await self._post_due(subscription_id, due)
        DAILY_POSTS.labels(outcome=result.value).inc()
        return result

    async def _post_due(self, subscription_id: int, due: datetime) -> PostResult:
        subscription = await self.subscription(subscription_id)
        if subscription is None:
            return PostResult.FAILED
        if subscription.paused_reason:
            return PostResult.PAUSED
        if self.clock.now() - due > self.grace:
            log.warning(
                "daily question for %s due at %s skipped: more than %s late",
                subscription.target,
                due.isoformat(),
                self.grace,
            )
            return PostResult.TOO_LATE
        if subscription.reveal is None:
            await self.reveal_due(subscription_id, due)
        local_date = due.astimezone(ZoneInfo(subscription.timezone)).date()
        instance_id = await self.quiz.claim_daily(
            subscription.target, subscription.topic_id, local_date, due, self.lease
        )
        if instance_id is None:
            return PostResult.ALREADY_CLAIMED
        return await self._deliver(subscription, instance_id)

    async def _deliver(self, subscription: Subscription, instance_id: int) -> PostResult:
        poster = self.posters.get(subscription.target.platform)
        if poster is None:
            log.error(
                "no adapter for %s: daily question %s not sent", subscription.target.platform, instance_id
            )
            return PostResult.RETRY_LATER
        view = await self.quiz.question_view(instance_id)
        try:
            ref = await poster.post_question(subscription.target, view)
        except PermanentDeliveryError as error:
            log.error("daily question to %s failed for good, pausing: %s", subscription.target, error)
            async with self.quiz.database.write() as connection:
                await store.finish_post(connection, instance_id, "failed", self.clock.now())
                await store.pause_subscription(connection, subscription.id, str(error), self.clock.now())
            await self._changed(subscription.id)
            return PostResult.FAILED
        except Exception:
            log.exception(
                "daily question %s to %s not sent; retrying later", instance_id, subscription.target
            )
            return PostResult.RETRY_LATER
        async with self.quiz.database.write() as connection:
            await store.finish_post(connection, instance_id, "posted", self.clock.now(), ref)
        return PostResult.POSTED

    async def catch_up(self) -> dict[int, PostResult]:
        """At start: post what fell due while the bot was down (within the grace window)."""
        results = {}
        now = self.clock.now()
        for subscription in await self.subscriptions():
            if subscription.paused_reason:
                continue
            trigger = cron(
                subscription.hour, subscription.minute, subscription.weekdays, subscription.timezone
            )
            due = latest_due(trigger, now)
            if due is not None:
                results[subscription.id] = await self.post_due(subscription.id, due)
        return results

    async def recover(self) -> int:
        """Send claims whose claimer died before the platform took them; returns how many."""
        now = self.clock.now()
        async with self.quiz.database.read() as connection:
            stale = await store.stale_claims(connection, now)
            by_channel = {r.channel_id: _subscription(r) for r in await store.subscription_rows(connection)}
        sent = 0
        for claim in stale:
            subscription = by_channel.get(claim.channel_id)
            async with self.quiz.database.write() as connection:
                if subscription is None or now - claim.scheduled_for > self.grace:
                    log.warning("daily claim %s abandoned: past the grace window or unsubscribed", claim.id)
                    await store.finish_post(connection, claim.id, "skipped", now)
                    continue
                if not await store.take_lease(connection, claim.id, now, now + self.lease):
                    continue
            sent += await self._deliver(subscription, claim.id) is PostResult.POSTED
        return sent

    # -- revealing ------------------------------------------------------------------------

    async def reveal_due(self, subscription_id: int, due: datetime) -> list[Reveal]:
        """Reveal the channel's posted daily questions that came before `due`, each once."""
        subscription = await self.subscription(subscription_id)
        if subscription is None:
            return []
        poster = self.posters.get(subscription.target.platform)
        target = subscription.target
        async with self.quiz.database.read() as connection:
            channel_id = await store.find_channel(
                connection, target.platform, target.workspace, target.channel
            )
            pending = await store.unrevealed_before(connection, channel_id, due) if channel_id else []
        revealed = []
        for instance_id in pending:
            async with self.quiz.database.write() as connection:
                if not await store.mark_revealed(connection, instance_id, self.clock.now()):
                    continue
            reveal = await self.quiz.reveal_stats(instance_id)
            revealed.append(reveal)
            if poster is not None:
                try:
                    await poster.post_reveal(subscription.target, reveal)
                except Exception:
                    log.exception(
                        "reveal of daily question %s to %s not sent", instance_id, subscription.target
                    )
        return revealed
