"""The question of the day: subscribing channels, posting exactly once per local date, revealing.

Exactly once: a post is claimed in the database before it is sent (the unique channel and local
date of `question_instances` decides between racing processes), then sent, then marked posted.
Claims for many channels due at once are made a few hundred per statement, and the posts then
go out concurrently (`bot.daily.delivery`). A claim carries a lease, renewed while the post
waits for its turn; a claimer that dies before the platform took the post leaves a claim whose
lease runs out, and `recover` (at start and every minute) sends it within the grace window.
What remains is the narrow window between the platform accepting a message and the database
recording it: a crash exactly there posts that question twice.

Reveals are deliveries of the one delivery table (`bot.daily.reveals`): claimed, leased,
retried and recovered there, and marked revealed only after the platform took them.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial

from bot.app.daily_ports import ChannelSubscription, SubscriptionSettings
from bot.app.identity import identify
from bot.app.outbox import OutboxRunner, RunReport
from bot.app.ports import Repositories, UnitOfWork
from bot.app.quiz import QuizService
from bot.clock import Clock
from bot.daily.delivery import Deliveries, Delivery, PostResult, workspace_key
from bot.daily.fanout import PART, chunks, fan_out
from bot.daily.models import DailyPoster, DailyStatusReport, Subscription
from bot.daily.reveals import REVEAL
from bot.daily.triggers import cron, latest_due
from bot.errors import QuizError
from bot.grammar import DailyOn
from bot.metrics import DAILY_POSTS
from bot.models import Actor, Place

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=2)
DEFAULT_LEASE = timedelta(minutes=2)

Listener = Callable[[], Awaitable[None]]

__all__ = ["DailyService", "PostResult"]


class DailyService:
    def __init__(
        self,
        uow: UnitOfWork,
        quiz: QuizService,
        clock: Clock,
        posters: Mapping[str, DailyPoster],
        default_timezone: str = "UTC",
        grace: timedelta = DEFAULT_GRACE,
        lease: timedelta = DEFAULT_LEASE,
        rng: random.Random | None = None,
        outbox: OutboxRunner | None = None,
    ) -> None:
        self.uow = uow
        self.quiz = quiz
        self.clock = clock
        self.posters = dict(posters)
        self.default_timezone = default_timezone
        self.grace = grace
        self.lease = lease
        self.outbox = outbox or OutboxRunner(uow, clock)
        self.deliveries = Deliveries(
            uow, quiz, clock, self.posters, lease, rng or random.Random(), self.outbox
        )
        self.listeners: list[Listener] = []
        """Called after a subscription was added, changed or removed here."""

    async def _changed(self) -> None:
        for listener in self.listeners:
            await listener()

    # -- subscribing ----------------------------------------------------------------------

    async def subscribe(self, actor: Actor, channel: str, command: DailyOn) -> DailyStatusReport:
        """Turn the question of the day on in a channel, or change it. Who may is decided by the
        command model (`bot.app.commands`)."""
        topic_id = await self.quiz.topic_id(actor, command.topic)
        now = self.clock.now()

        def subscribe(repositories: Repositories) -> ChannelSubscription | None:
            workspace, user_id, channel_id = identify(
                repositories, actor, channel, self.default_timezone, now
            )
            settings = SubscriptionSettings(
                topic_id=topic_id,
                hour=command.hour,
                minute=command.minute,
                timezone=command.timezone or workspace.timezone,
                weekdays=command.weekdays,
                reveal=command.reveal,
                created_by=user_id,
                updated_at=now,
            )
            repositories.subscriptions.put(channel_id, settings)
            return repositories.subscriptions.of_channel(channel_id)

        found = await self.uow.write(subscribe)
        assert found is not None
        await self._changed()
        return self._report(found.subscription)

    async def unsubscribe(self, actor: Actor, channel: str) -> Subscription:
        def unsubscribe(repositories: Repositories) -> Subscription:
            _, _, channel_id = identify(repositories, actor, channel, self.default_timezone, self.clock.now())
            found = repositories.subscriptions.of_channel(channel_id)
            if found is None:
                raise QuizError("This channel has no question of the day.")
            repositories.subscriptions.delete(channel_id)
            return found.subscription

        subscription = await self.uow.write(unsubscribe)
        await self._changed()
        return subscription

    def _report(self, subscription: Subscription | None) -> DailyStatusReport:
        if subscription is None or subscription.paused_reason:
            return DailyStatusReport(subscription, None)
        trigger = cron(subscription.hour, subscription.minute, subscription.weekdays, subscription.timezone)
        return DailyStatusReport(subscription, trigger.get_next_fire_time(None, self.clock.now()))

    async def status(self, place: Place) -> DailyStatusReport:
        def find(repositories: Repositories) -> ChannelSubscription | None:
            channel_id = repositories.people.find_channel(place.platform, place.workspace, place.channel)
            return repositories.subscriptions.of_channel(channel_id) if channel_id else None

        found = await self.uow.read(find)
        return self._report(found.subscription if found else None)

    async def subscriptions(self, platform: str | None = None) -> list[Subscription]:
        return [
            found.subscription for found in await self.uow.read(lambda r: r.subscriptions.every(platform))
        ]

    # -- posting ------------------------------------------------------------------------------

    async def post_due(self, subscription_id: int, due: datetime) -> PostResult:
        """Post the daily question that fell due at `due`, unless it was posted already."""
        return (await self.post_due_many([subscription_id], due))[subscription_id]

    async def post_due_many(self, subscription_ids: Sequence[int], due: datetime) -> dict[int, PostResult]:
        """Post the daily questions of many subscriptions that fell due at `due`, each unless
        it was posted already: claimed in a few multi-row statements, then sent concurrently."""
        results = dict.fromkeys(subscription_ids, PostResult.FAILED)

        async def live() -> AsyncIterator[list[ChannelSubscription]]:
            async for part in self._parts(subscription_ids):
                sendable = []
                for found in part:
                    subscription = found.subscription
                    if subscription.paused_reason:
                        results[subscription.id] = PostResult.PAUSED
                    elif self.clock.now() - due > self.grace:
                        log.warning(
                            "daily question for %s channel %s due at %s skipped: more than %d minutes late",
                            subscription.target.platform,
                            subscription.target.channel,
                            f"{due:%Y-%m-%d %H:%M %Z}",
                            self.grace.total_seconds() // 60,
                        )
                        results[subscription.id] = PostResult.TOO_LATE
                    else:
                        sendable.append(found)
                if sendable:
                    yield sendable

        sent = await self.deliveries.send(self.deliveries.claimed(live(), due))
        for delivery, outcome in sent:
            results[delivery.subscription.id] = outcome or PostResult.ALREADY_CLAIMED
        for result, count in Counter(results.values()).items():
            DAILY_POSTS.labels(outcome=result.value).inc(count)
        return results

    async def _parts(self, subscription_ids: Sequence[int]) -> AsyncIterator[list[ChannelSubscription]]:
        """The subscriptions, a chunk at a time, in the order given: the scheduler gives them
        interleaved by workspace, so that the first chunk, sent while the next ones are read,
        already holds channels of every workspace."""
        for part in chunks(list(dict.fromkeys(subscription_ids)), PART):
            yield await self.uow.read(partial(_many, part))

    async def catch_up(self, platform: str | None = None) -> dict[int, PostResult]:
        """At start: post (and reveal) what fell due while the bot was down (within the grace
        window), on one platform's channels when `platform` is given."""
        now = self.clock.now()
        latest: dict[tuple[int, int, str, str], datetime | None] = {}
        by_due: dict[datetime, list[int]] = {}
        subscriptions = await self.subscriptions(platform)
        for subscription in subscriptions:
            if subscription.paused_reason:
                continue
            key = (subscription.hour, subscription.minute, subscription.weekdays, subscription.timezone)
            if key not in latest:
                latest[key] = latest_due(cron(*key), now)
            due = latest[key]
            # A due time before the schedule was set is not a missed post: the subscription
            # made at 10:00 for 09:00 owes nothing for today's 09:00, nor for yesterday's.
            if due is not None and (subscription.since is None or due >= subscription.since):
                by_due.setdefault(due, []).append(subscription.id)
        results = {}
        for due, subscription_ids in sorted(by_due.items()):
            results.update(await self.post_due_many(subscription_ids, due))
        await self._catch_up_reveals(subscriptions, now)
        return results

    async def _catch_up_reveals(self, subscriptions: Sequence[Subscription], now: datetime) -> None:
        """Reveals whose time passed while nobody led, within the grace window (scheduling a
        reveal twice makes one delivery)."""
        by_due: dict[datetime, list[int]] = {}
        for subscription in subscriptions:
            if subscription.paused_reason or subscription.reveal is None:
                continue
            due = latest_due(cron(*subscription.reveal, subscription.weekdays, subscription.timezone), now)
            if due is not None and now - due <= self.grace:
                by_due.setdefault(due, []).append(subscription.id)
        for due, subscription_ids in sorted(by_due.items()):
            await self.reveal_due_many(subscription_ids, due)

    async def recover(self, platform: str | None = None) -> int:
        """Send claims whose claimer died before the platform took them (of one platform's
        channels when `platform` is given: only a process that can post there may); how many."""
        now = self.clock.now()
        lease_until = now + self.lease

        def take(repositories: Repositories) -> list[Delivery]:
            stale = repositories.claims.stale(now)
            if not stale:
                return []
            by_channel = {
                found.channel_id: found.subscription for found in repositories.subscriptions.every()
            }
            stale = [
                c
                for c in stale
                if platform is None
                or c.channel_id not in by_channel
                or by_channel[c.channel_id].target.platform == platform
            ]
            abandoned = {
                c.id for c in stale if c.channel_id not in by_channel or now - c.scheduled_for > self.grace
            }
            for claim_id in sorted(abandoned):
                log.warning("daily claim %s abandoned: past the grace window or unsubscribed", claim_id)
                repositories.claims.finish(claim_id, "skipped")
            taken: set[int] = set()
            for part in chunks([c.id for c in stale if c.id not in abandoned]):
                taken.update(repositories.claims.take_leases(part, now, lease_until))
            return [Delivery(by_channel[c.channel_id], [], c.id, None) for c in stale if c.id in taken]

        # Nearly always there is nothing to recover: find that out without taking the writer.
        if not await self.uow.read(lambda r: r.claims.stale(now)):
            return 0
        recovered = await self.uow.write(take)
        if not recovered:
            return 0

        async def parts() -> AsyncIterator[list[Delivery]]:
            yield recovered

        return sum(outcome is PostResult.POSTED for _, outcome in await self.deliveries.send(parts()))

    # -- revealing ----------------------------------------------------------------------------

    async def reveal_due(self, subscription_id: int, due: datetime) -> RunReport:
        """Reveal the channel's posted daily questions that came before `due`, each once."""
        return (await self.reveal_due_many([subscription_id], due)).get(subscription_id, RunReport())

    async def reveal_due_many(self, subscription_ids: Sequence[int], due: datetime) -> dict[int, RunReport]:
        """`reveal_due` for many subscriptions: scheduled on the delivery table in a few
        statements, then delivered at once, concurrently (what fails is retried from there)."""
        found = [subscription async for part in self._parts(subscription_ids) for subscription in part]
        keys = await self.deliveries.schedule_reveals(found, due, due)
        pending = [f for f in found if f.channel_id in keys]
        revealed = await fan_out(
            pending, workspace_key, lambda f: self.outbox.deliver_now(REVEAL, keys[f.channel_id])
        )
        return {f.subscription.id: report for f, report in zip(pending, revealed, strict=True)}


def _many(subscription_ids: Sequence[int], repositories: Repositories) -> list[ChannelSubscription]:
    return repositories.subscriptions.many(subscription_ids)
