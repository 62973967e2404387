"""The question of the day: subscribing channels, posting exactly once per local date, revealing.

Exactly once: a post is claimed in the database before it is sent (the unique channel and local
date of `question_instances` decides between racing processes), then sent, then marked posted.
Claims for many channels due at once are made a few hundred per statement, and the posts then
go out concurrently (`bot.daily.fanout`). A claim carries a lease, renewed while the post waits
for its turn; a claimer that dies before the platform took the post leaves a claim
whose lease runs out, and `recover` (at start and every minute) sends it within the grace
window. What remains is the narrow window between the platform accepting a message and the
database recording it: a crash exactly there posts that question twice.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.daily.fanout import PART, FanOut, PostedMarks, chunks, fan_out, interleaved, leases_kept
from bot.daily.models import (
    DailyPoster,
    DailyStatusReport,
    PermanentDeliveryError,
    Reveal,
    Subscription,
)
from bot.daily.triggers import cron, latest_due
from bot.db import store
from bot.db.schedules import ScheduleRow, schedule_rows
from bot.errors import Command, QuizError
from bot.grammar import DailyOn
from bot.metrics import DAILY_POSTS
from bot.models import Actor, Mode, Place, QuestionView
from bot.picking import pick_question
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
        since=row.updated_at,
    )


@dataclass(frozen=True)
class _Due:
    subscription: Subscription
    channel_id: int


@dataclass(frozen=True)
class _Delivery:
    """What one channel gets in a fan-out: reveals first, then its question when claimed (the
    view is None when a recovered claim's question is loaded at sending)."""

    subscription: Subscription
    reveals: list[int]
    instance_id: int | None
    view: QuestionView | None


def _workspace_key(item: _Due | _Delivery) -> str:
    """Fan-outs take turns per workspace: its rate limits are the platform's."""
    target = item.subscription.target
    return f"{target.platform}/{target.workspace}"


class DailyService:
    def __init__(
        self,
        quiz: QuizService,
        posters: Mapping[str, DailyPoster],
        grace: timedelta = DEFAULT_GRACE,
        lease: timedelta = DEFAULT_LEASE,
        rng: random.Random | None = None,
    ) -> None:
        self.quiz = quiz
        self.rng = rng or random.Random()
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
        if near:
            raise QuizError(f"No topic '{query}'. Did you mean {' or '.join(near)}?")
        raise QuizError(f"No topic '{query}'. See ", Command.TOPICS, ".")

    async def subscribe(self, actor: Actor, channel: str, command: DailyOn) -> DailyStatusReport:
        if not actor.is_admin:
            raise QuizError(ADMINS_ONLY)
        topic_id = self._topic_id(command.topic)
        now = self.clock.now()
        async with self.quiz.database.write() as connection:
            workspace, user = await connection.run_sync(self.quiz.identify, actor)
            channel_row = await connection.run_sync(store.channel, workspace.id, channel)
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
            workspace, _ = await connection.run_sync(self.quiz.identify, actor)
            channel_row = await connection.run_sync(store.channel, workspace.id, channel)
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

    async def schedules(self, subscription_id: int | None = None) -> list[ScheduleRow]:
        """When each subscription's jobs fire (or one subscription's): all the scheduler needs."""
        async with self.quiz.database.read() as connection:
            return await schedule_rows(connection, subscription_id)

    # -- posting ------------------------------------------------------------------------------

    async def post_due(self, subscription_id: int, due: datetime) -> PostResult:
        """Post the daily question that fell due at `due`, unless it was posted already."""
        return (await self.post_due_many([subscription_id], due))[subscription_id]

    async def post_due_many(self, subscription_ids: Sequence[int], due: datetime) -> dict[int, PostResult]:
        """Post the daily questions of many subscriptions that fell due at `due`, each unless
        it was posted already: claimed in a few multi-row statements, then sent concurrently."""
        results = await self._post_due_many(subscription_ids, due)
        for result, count in Counter(results.values()).items():
            DAILY_POSTS.labels(outcome=result.value).inc(count)
        return results

    async def _due_parts(self, subscription_ids: Sequence[int]) -> AsyncIterator[list[_Due]]:
        """The subscriptions, a chunk at a time, in the order given: the scheduler gives them
        interleaved by workspace, so that the first chunk, sent while the next ones are read,
        already holds channels of every workspace."""
        for part in chunks(list(dict.fromkeys(subscription_ids)), PART):
            async with self.quiz.database.read() as connection:
                rows = await store.subscription_rows_in(connection, part)
            yield [_Due(_subscription(row), row.channel_id) for row in rows]

    async def _dues(self, subscription_ids: Sequence[int]) -> list[_Due]:
        return [due async for part in self._due_parts(subscription_ids) for due in part]

    async def _post_due_many(self, subscription_ids: Sequence[int], due: datetime) -> dict[int, PostResult]:
        results = dict.fromkeys(subscription_ids, PostResult.FAILED)

        async def live() -> AsyncIterator[list[_Due]]:
            async for part in self._due_parts(subscription_ids):
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

        for delivery, outcome in await self._send(self._claimed(live(), due)):
            results[delivery.subscription.id] = outcome or PostResult.ALREADY_CLAIMED
        return results

    async def _claimed(
        self, parts: AsyncIterable[list[_Due]], due: datetime
    ) -> AsyncIterator[list[_Delivery]]:
        """Deliveries, a chunk of channels at a time: each chunk is sent while the next is
        claimed, and each holds channels of every workspace, so no workspace waits for the rest."""
        async for live in parts:
            part = interleaved(live, _workspace_key)
            # Reveal-at-next-post: yesterday's answer goes out before today's question.
            reveals = await self._take_reveals(
                [d.channel_id for d in part if d.subscription.reveal is None], due
            )
            claims = await self._claim(part, due)
            yield [
                _Delivery(
                    d.subscription,
                    reveals.get(d.channel_id, []),
                    *claims.get(d.subscription.id, (None, None)),
                )
                for d in part
            ]

    async def _send(self, parts: AsyncIterable[list[_Delivery]]) -> list[tuple[_Delivery, PostResult | None]]:
        """Send each part as it comes, concurrently (None for a channel that had only reveals);
        the leases of claims still waiting their turn are kept alive meanwhile. The next part is
        taken (read and claimed) once no more than two parts' worth are left to send: claiming
        all of them at once would hold up the first posts, and claims made ahead of need are
        only more to recover after a crash."""
        marks = PostedMarks(self.quiz.database, self.clock)
        unsent: set[int] = set()
        sender: FanOut[_Delivery, PostResult | None] = FanOut(
            _workspace_key, lambda d: self._deliver_channel(d, marks, unsent)
        )
        deliveries: list[_Delivery] = []
        async with leases_kept(self.quiz.database, self.clock, self.lease, unsent):
            async for part in parts:
                unsent.update(d.instance_id for d in part if d.instance_id is not None)
                deliveries += part
                sender.submit(part)
                await sender.left_at_most(2 * PART)
            outcomes = await sender.results()
        return list(zip(deliveries, outcomes, strict=True))

    async def _claim(self, dues: Sequence[_Due], due: datetime) -> dict[int, tuple[int, QuestionView]]:
        """Pick each channel's question (by the usual rules) and claim its local date, a chunk of
        channels per transaction; the claims won, by subscription."""
        now = self.clock.now()
        pools: dict[str | None, list[str]] = {}
        claims = {}
        for part in chunks(dues):
            picked = []
            async with self.quiz.database.write() as connection:
                history = await store.posted_history(connection, [d.channel_id for d in part])
                for d in part:
                    topic = d.subscription.topic_id
                    if topic not in pools:
                        pools[topic] = [q.id for q in self.quiz.pool(topic) or self.quiz.bank.questions]
                    question_id = pick_question(pools[topic], history.get(d.channel_id, {}), self.rng)
                    local_date = due.astimezone(ZoneInfo(d.subscription.timezone)).date()
                    picked.append((d, question_id, local_date))
                won = await store.claim_dailies(
                    connection,
                    [
                        {
                            "channel_id": d.channel_id,
                            "question_id": question_id,
                            "topic_id": d.subscription.topic_id,
                            "posted_at": now,
                            "daily_date": local_date,
                            "lease_until": now + self.lease,
                            "scheduled_for": due,
                        }
                        for d, question_id, local_date in picked
                    ],
                )
            for d, question_id, local_date in picked:
                if d.channel_id in won:
                    instance_id = won[d.channel_id]
                    question = self.quiz.bank.by_id[question_id]
                    view = self.quiz.view(
                        instance_id, question, Mode.DAILY, 0, local_date, d.subscription.topic_id
                    )
                    claims[d.subscription.id] = (instance_id, view)
        return claims

    async def _deliver_channel(
        self, delivery: _Delivery, marks: PostedMarks, unsent: set[int]
    ) -> PostResult | None:
        await self._send_reveals(delivery.subscription.target, delivery.reveals)
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
        try:
            await marks.mark(instance_id, ref)
        except Exception:
            log.exception(
                "daily question %s was posted to %s but not recorded", instance_id, subscription.target
            )
            return PostResult.RETRY_LATER
        return PostResult.POSTED

    async def catch_up(self) -> dict[int, PostResult]:
        """At start: post what fell due while the bot was down (within the grace window)."""
        now = self.clock.now()
        latest: dict[tuple[int, int, str, str], datetime | None] = {}
        by_due: dict[datetime, list[int]] = {}
        for subscription in await self.subscriptions():
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
        return results

    async def recover(self) -> int:
        """Send claims whose claimer died before the platform took them; returns how many."""
        now = self.clock.now()
        async with self.quiz.database.read() as connection:
            stale = await store.stale_claims(connection, now)
            if not stale:
                return 0
            by_channel = {r.channel_id: _subscription(r) for r in await store.subscription_rows(connection)}
        abandoned = [
            c.id for c in stale if c.channel_id not in by_channel or now - c.scheduled_for > self.grace
        ]
        taken: set[int] = set()
        async with self.quiz.database.write() as connection:
            for claim_id in abandoned:
                log.warning("daily claim %s abandoned: past the grace window or unsubscribed", claim_id)
                await store.finish_post(connection, claim_id, "skipped", now)
            for part in chunks([c.id for c in stale if c.id not in set(abandoned)]):
                taken.update(await store.take_leases(connection, part, now, now + self.lease))

        async def recovered() -> AsyncIterator[list[_Delivery]]:
            yield [_Delivery(by_channel[c.channel_id], [], c.id, None) for c in stale if c.id in taken]

        return sum(outcome is PostResult.POSTED for _, outcome in await self._send(recovered()))

    # -- revealing ----------------------------------------------------------------------------

    async def reveal_due(self, subscription_id: int, due: datetime) -> list[Reveal]:
        """Reveal the channel's posted daily questions that came before `due`, each once."""
        return (await self.reveal_due_many([subscription_id], due)).get(subscription_id, [])

    async def reveal_due_many(
        self, subscription_ids: Sequence[int], due: datetime
    ) -> dict[int, list[Reveal]]:
        """`reveal_due` for many subscriptions: marked in one statement, sent concurrently."""
        dues = await self._dues(subscription_ids)
        taken = await self._take_reveals([d.channel_id for d in dues], due)
        pending = [d for d in dues if d.channel_id in taken]
        revealed = await fan_out(
            pending,
            _workspace_key,
            lambda d: self._send_reveals(d.subscription.target, taken[d.channel_id]),
        )
        return {d.subscription.id: reveals for d, reveals in zip(pending, revealed, strict=True)}

    async def _take_reveals(self, channel_ids: Sequence[int], due: datetime) -> dict[int, list[int]]:
        taken: dict[int, list[int]] = {}
        async with self.quiz.database.write() as connection:
            for part in chunks(channel_ids):
                taken.update(await store.take_reveals(connection, part, due, self.clock.now()))
        return taken

    async def _send_reveals(self, target: Place, instance_ids: Sequence[int]) -> list[Reveal]:
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
