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
from bot.app.ports import Repositories, UnitOfWork
from bot.app.quiz import QuizService
from bot.clock import Clock
from bot.daily.fanout import PART, FanOut, PostedMarks, chunks, interleaved, leases_kept
from bot.daily.models import DailyPoster, PermanentDeliveryError, Reveal, Subscription
from bot.models import Place, QuestionView
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
    """What one channel gets in a fan-out: reveals first, then its question when claimed (the
    view is None when a recovered claim's question is loaded at sending)."""

    subscription: Subscription
    reveals: list[int]
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
    ) -> None:
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
            # Reveal-at-next-post: yesterday's answer goes out before today's question.
            reveals = await self.take_reveals(
                [d.channel_id for d in part if d.subscription.reveal is None], due
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
            async for part in parts:
                unsent.update(d.instance_id for d in part if d.instance_id is not None)
                deliveries += part
                sender.submit(part)
                await sender.left_at_most(2 * PART)
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
            for subscription_id, instance_id, claim in won:
                view = self.quiz.daily_view(instance_id, claim.question_id, claim.daily_date, claim.topic_id)
                claims[subscription_id] = (instance_id, view)
        return claims

    def _claim_part(
        self, part: Sequence[ChannelSubscription], due: datetime, repositories: Repositories
    ) -> list[tuple[int, int, DailyClaim]]:
        """(subscription id, instance id, claim) of the claims this transaction won."""
        now = self.clock.now()
        history = repositories.posts.posted_history([f.channel_id for f in part])
        pools: dict[str | None, list[str]] = {}
        picked = []
        for f in part:
            topic = f.subscription.topic_id
            if topic not in pools:
                pools[topic] = self.quiz.daily_pool(topic)
            claim = DailyClaim(
                channel_id=f.channel_id,
                question_id=pick_question(pools[topic], history.get(f.channel_id, {}), self.rng),
                posted_at=now,
                daily_date=due.astimezone(ZoneInfo(f.subscription.timezone)).date(),
                lease_until=now + self.lease,
                scheduled_for=due,
                topic_id=topic,
            )
            picked.append((f.subscription.id, claim))
        won = repositories.claims.claim([claim for _, claim in picked])
        return [(sid, won[claim.channel_id], claim) for sid, claim in picked if claim.channel_id in won]

    async def _deliver_channel(
        self, delivery: Delivery, marks: PostedMarks, unsent: set[int]
    ) -> PostResult | None:
        await self.send_reveals(delivery.subscription.target, delivery.reveals)
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

    async def take_reveals(self, channel_ids: Sequence[int], due: datetime) -> dict[int, list[int]]:
        now = self.clock.now()

        def take(repositories: Repositories) -> dict[int, list[int]]:
            taken: dict[int, list[int]] = {}
            for part in chunks(channel_ids):
                taken.update(repositories.claims.take_reveals(part, due, now))
            return taken

        return await self.uow.write(take)

    async def send_reveals(self, target: Place, instance_ids: Sequence[int]) -> list[Reveal]:
        poster = self.posters.get(target.platform)
        revealed = []
        for instance_id in instance_ids:
            try:
                reveal = await self.quiz.reveal_stats(instance_id)
                revealed.append(reveal)
                if poster is not None:
                    await poster.post_reveal(target, reveal)
            except Exception:
                log.exception("reveal of daily question %s to %s not sent", instance_id, target)
        return revealed
