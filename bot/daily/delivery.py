"""Delivering questions of the day: claiming channels' posts a part at a time, sending each part
while the next is claimed, recording what was posted, pausing what can never be posted, and
sending reveals."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from zoneinfo import ZoneInfo

from bot.app.daily_ports import ChannelSubscription, DailyClaim
from bot.app.outbox import OutboxRunner
from bot.app.ports import Repositories, UnitOfWork
from bot.app.quiz import QuizService
from bot.bank import QuestionBank
from bot.clock import Clock
from bot.daily.fanout import PART, FanOut, PostedMarks, chunks, interleaved, leases_kept
from bot.daily.models import DailyPoster, PermanentDeliveryError, Subscription
from bot.daily.reveals import REVEAL, schedule_reveals
from bot.models import QuestionView
from bot.picking import pick_question

log = logging.getLogger(__name__)


class PostResult(StrEnum):
    POSTED = "posted"
    ALREADY_CLAIMED = "already claimed"
    TOO_LATE = "too late"
    PAUSED = "paused"
    FAILED = "failed"
    RETRY_LATER = "retry later"


@dataclass(frozen=True)
class Delivery:
    """What one channel gets in a fan-out: reveals first (the delivery table's keys), then its
    question when claimed (the view is None when a recovered claim's question is loaded at
    sending)."""

    subscription: Subscription
    reveals: list[str]
    instance_id: int | None
    view: QuestionView | None


def workspace_key(item: ChannelSubscription | Delivery) -> str:
    """Fan-outs take turns per workspace: its rate limits are the platform's."""
    target = item.subscription.target
    return f"{target.platform}/{target.workspace}"


class Deliveries:
    def __init__(
        self,
        uow: UnitOfWork,
        quiz: QuizService,
        clock: Clock,
        posters: Mapping[str, DailyPoster],
        lease: timedelta,
        rng: random.Random,
        outbox: OutboxRunner,
    ) -> None:
        self.outbox = outbox
        self.uow = uow
        self.quiz = quiz
        self.clock = clock
        self.posters = posters
        self.lease = lease
        self.rng = rng

    async def claimed(
        self, parts: AsyncIterable[list[ChannelSubscription]], due: datetime
    ) -> AsyncIterator[list[Delivery]]:
        """Deliveries, a chunk of channels at a time: each chunk is sent while the next is
        claimed, and each holds channels of every workspace, so no workspace waits for the rest."""
        async for live in parts:
            part = interleaved(live, workspace_key)
            # Reveal-at-next-post: yesterday's answer goes out before today's question. The rows
            # fall due a lease later: until then only this fan-out takes them, in that order.
            reveals = await self.schedule_reveals(
                [d for d in part if d.subscription.reveal is None], due, due + self.lease
            )
            claims = await self._claim(part, due)
            yield [
                Delivery(
                    d.subscription,
                    reveals.get(d.channel_id, []),
                    *claims.get(d.subscription.id, (None, None)),
                )
                for d in part
            ]

    async def send(self, parts: AsyncIterable[list[Delivery]]) -> list[tuple[Delivery, PostResult | None]]:
        """Send each part as it comes, concurrently (None for a channel that had only reveals);
        the leases of claims still waiting their turn are kept alive meanwhile. The next part is
        taken (read and claimed) once no more than two parts' worth are left to send: claiming
        all of them at once would hold up the first posts, and claims made ahead of need are
        only more to recover after a crash."""
        marks = PostedMarks(self.uow, self.clock)
        unsent: set[int] = set()
        sender: FanOut[Delivery, PostResult | None] = FanOut(
            workspace_key, lambda d: self._deliver_channel(d, marks, unsent)
        )
        deliveries: list[Delivery] = []
        async with leases_kept(self.uow, self.clock, self.lease, unsent):
            try:
                async for part in parts:
                    unsent.update(d.instance_id for d in part if d.instance_id is not None)
                    deliveries += part
                    sender.submit(part)
                    await sender.left_at_most(2 * PART)
            finally:
                # Claiming a later part failed: what was claimed is still sent before it raises.
                outcomes = await sender.results()
        return list(zip(deliveries, outcomes, strict=True))

    async def _claim(
        self, found: Sequence[ChannelSubscription], due: datetime
    ) -> dict[int, tuple[int, QuestionView]]:
        """Pick each channel's question (by the usual rules) and claim its local date, a chunk of
        channels per transaction; the claims won, by subscription."""
        claims = {}
        for part in chunks(found):
            won = await self.uow.write(partial(self._claim_part, part, due))
            for subscription_id, instance_id, claim, bank in won:
                view = self.quiz.daily_view(
                    bank, instance_id, claim.question_id, claim.daily_date, claim.topic_id
                )
                claims[subscription_id] = (instance_id, view)
        return claims

    def _claim_part(
        self, part: Sequence[ChannelSubscription], due: datetime, repositories: Repositories
    ) -> list[tuple[int, int, DailyClaim, QuestionBank]]:
        """(subscription id, instance id, claim, the workspace's bank) of the claims this
        transaction won. Each channel's question comes from its own workspace's questions."""
        now = self.clock.now()
        history = repositories.posts.posted_history([f.channel_id for f in part])
        banks: dict[tuple[str, str], QuestionBank] = {}
        pools: dict[tuple[str, str, str | None], list[str]] = {}
        picked = []
        for f in part:
            topic, target = f.subscription.topic_id, f.subscription.target
            where = (target.platform, target.workspace)
            if where not in banks:
                banks[where] = self.quiz.library.within(repositories, *where)
            if (*where, topic) not in pools:
                pools[(*where, topic)] = self.quiz.daily_pool(banks[where], topic)
            if not pools[(*where, topic)]:
                continue  # the workspace turned the shipped bank off and has no deck
            claim = DailyClaim(
                channel_id=f.channel_id,
                question_id=pick_question(pools[(*where, topic)], history.get(f.channel_id, {}), self.rng),
                posted_at=now,
                daily_date=due.astimezone(ZoneInfo(f.subscription.timezone)).date(),
                lease_until=now + self.lease,
                scheduled_for=due,
                topic_id=topic,
            )
            picked.append((f.subscription.id, claim, banks[where]))
        won = repositories.claims.claim([claim for _, claim, _ in picked])
        return [
            (sid, won[claim.channel_id], claim, bank)
            for sid, claim, bank in picked
            if claim.channel_id in won
        ]

    async def _deliver_channel(
        self, delivery: Delivery, marks: PostedMarks, unsent: set[int]
    ) -> PostResult | None:
        try:
            await self.outbox.deliver_now(REVEAL, delivery.reveals)
        except Exception:
            # The question still goes out; the delivery table's job sends the reveal later.
            log.exception("reveals %s before the next question not sent", delivery.reveals)
        if delivery.instance_id is None:
            return None
        try:
            return await self._deliver(delivery.subscription, delivery.instance_id, delivery.view, marks)
        finally:
            unsent.discard(delivery.instance_id)

    async def _deliver(
        self, subscription: Subscription, instance_id: int, view: QuestionView | None, marks: PostedMarks
    ) -> PostResult:
        poster = self.posters.get(subscription.target.platform)
        if poster is None:
            log.error(
                "no adapter for %s: daily question %s not sent", subscription.target.platform, instance_id
            )
            return PostResult.RETRY_LATER
        try:
            ref = await poster.post_question(
                subscription.target, view or await self.quiz.question_view(instance_id)
            )
        except PermanentDeliveryError as error:
            log.error("daily question to %s failed for good, pausing: %s", subscription.target, error)
            reason = str(error)
            await self.uow.write(lambda r: self._pause(r, subscription.id, instance_id, reason))
            return PostResult.FAILED
        except Exception:
            log.exception(
                "daily question %s to %s not sent; retrying later", instance_id, subscription.target
            )
            return PostResult.RETRY_LATER
        try:
            await marks.mark(instance_id, ref)
        except Exception:
            log.exception(
                "daily question %s was posted to %s but not recorded", instance_id, subscription.target
            )
            return PostResult.RETRY_LATER
        return PostResult.POSTED

    def _pause(self, repositories: Repositories, subscription_id: int, instance_id: int, reason: str) -> None:
        repositories.claims.finish(instance_id, "failed")
        repositories.subscriptions.pause(subscription_id, reason, self.clock.now())

    async def schedule_reveals(
        self, found: Sequence[ChannelSubscription], before: datetime, due_at: datetime
    ) -> dict[int, list[str]]:
        """Schedule the reveals these channels owe (see `bot.daily.reveals`); keys by channel."""

        def schedule(repositories: Repositories) -> dict[int, list[str]]:
            keys: dict[int, list[str]] = {}
            for part in chunks(found):
                keys.update(schedule_reveals(repositories, part, before, due_at))
            return keys

        return await self.uow.write(schedule) if found else {}
