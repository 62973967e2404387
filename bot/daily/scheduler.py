"""The APScheduler side of the question of the day: one cron job per distinct trigger (hour,
minute, weekdays, time zone), which posts (or reveals) for all its subscriptions as one batch.

The database is the source of truth. Jobs live in memory only and are rebuilt from the
subscriptions whenever this process becomes the leader, on every change made here, and at
every leadership check (so changes made by another process arrive within `check_every`).
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.daily.leader import Leadership
from bot.daily.models import Subscription
from bot.daily.service import DailyService
from bot.daily.triggers import cron, latest_due
from bot.metrics import SCHEDULER_LEADER

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 30


POST, REVEAL = "post", "reveal"
# When a job fires: hour, minute, weekdays, time zone.
TriggerKey = tuple[int, int, str, str]


def _keys(subscription: Subscription) -> tuple[tuple[str, TriggerKey], ...]:
    """The triggers a subscription belongs to: its post time, and its reveal time if set."""
    days, zone = subscription.weekdays, subscription.timezone
    keys: list[tuple[str, TriggerKey]] = [(POST, (subscription.hour, subscription.minute, days, zone))]
    if subscription.reveal is not None:
        keys.append((REVEAL, (*subscription.reveal, days, zone)))
    return tuple(keys)


def _job_id(kind: str, key: TriggerKey) -> str:
    hour, minute, days, zone = key
    return f"{kind}:{hour:02d}:{minute:02d}:{days}:{zone}"


class DailyScheduler:
    def __init__(
        self, daily: DailyService, leadership: Leadership, check_every: int = CHECK_EVERY_SECONDS
    ) -> None:
        self.daily = daily
        self.leadership = leadership
        self.check_every = check_every
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.leading = False
        # Each subscription's triggers, and each trigger's subscriptions.
        self._scheduled: dict[int, tuple[tuple[str, TriggerKey], ...]] = {}
        self._members: dict[tuple[str, TriggerKey], set[int]] = {}

    async def start(self) -> None:
        self.daily.listeners.append(self.sync_one)
        self.scheduler.start()
        await self.check()
        self.scheduler.add_job(
            self.check,
            IntervalTrigger(seconds=self.check_every),
            id="leadership",
            coalesce=True,
            max_instances=1,
        )

    def ready(self) -> bool:
        """Running: this process leads and posts, or stands by to take over."""
        return bool(self.scheduler.running)

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        if self.daily.listeners.count(self.sync_one):
            self.daily.listeners.remove(self.sync_one)
        await self.leadership.release()
        self.leading = False

    async def check(self) -> None:
        """Take or confirm leadership; the leader syncs jobs and sends abandoned claims."""
        try:
            leading = await self.leadership.acquire()
        except Exception:
            log.exception("scheduler leadership check failed")
            leading = False
        if leading and not self.leading:
            log.info("this process now runs the daily scheduler")
            self.leading = True
            await self.sync_all()
            await self.daily.catch_up()
        elif not leading and self.leading:
            log.warning("this process no longer runs the daily scheduler")
            self.leading = False
            for subscription_id in list(self._scheduled):
                self._unschedule(subscription_id)
        elif leading:
            await self.sync_all()
        SCHEDULER_LEADER.set(1 if self.leading else 0)
        if self.leading:
            await self.daily.recover()

    async def sync_all(self) -> None:
        subscriptions = {s.id: s for s in await self.daily.subscriptions()}
        for subscription_id in set(self._scheduled) - set(subscriptions):
            self._unschedule(subscription_id)
        for subscription in subscriptions.values():
            self._schedule(subscription)

    async def sync_one(self, subscription_id: int) -> None:
        if not self.leading:
            return
        subscription = await self.daily.subscription(subscription_id)
        if subscription is None:
            self._unschedule(subscription_id)
        else:
            self._schedule(subscription)

    def jobs_of(self, subscription_id: int) -> dict[str, Job]:
        """The jobs a subscription is part of, by kind ('post', 'reveal')."""
        keys = self._scheduled.get(subscription_id, ())
        jobs = {kind: self.scheduler.get_job(_job_id(kind, key)) for kind, key in keys}
        return {kind: job for kind, job in jobs.items() if job is not None}

    def _schedule(self, subscription: Subscription) -> None:
        if subscription.paused_reason:
            self._unschedule(subscription.id)
            return
        keys = _keys(subscription)
        if self._scheduled.get(subscription.id) == keys:
            return
        self._unschedule(subscription.id)
        for kind, key in keys:
            self._join(kind, key, subscription.id)
        self._scheduled[subscription.id] = keys

    def _unschedule(self, subscription_id: int) -> None:
        for kind, key in self._scheduled.pop(subscription_id, ()):
            self._leave(kind, key, subscription_id)

    def _join(self, kind: str, key: TriggerKey, subscription_id: int) -> None:
        members = self._members.setdefault((kind, key), set())
        if not members:
            self.scheduler.add_job(
                self._fire,
                cron(*key),
                args=[kind, key],
                id=_job_id(kind, key),
                misfire_grace_time=int(self.daily.grace.total_seconds()),
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        members.add(subscription_id)

    def _leave(self, kind: str, key: TriggerKey, subscription_id: int) -> None:
        members = self._members.get((kind, key), set())
        members.discard(subscription_id)
        if not members:
            self._members.pop((kind, key), None)
            if self.scheduler.get_job(_job_id(kind, key)) is not None:
                self.scheduler.remove_job(_job_id(kind, key))

    async def _fire(self, kind: str, key: TriggerKey) -> None:
        """Everything this trigger covers, as one batch."""
        subscription_ids = sorted(self._members.get((kind, key), ()))
        due = latest_due(cron(*key), self.daily.clock.now())
        if due is None or not subscription_ids:
            return
        if kind == REVEAL:
            await self.daily.reveal_due_many(subscription_ids, due)
        else:
            await self.daily.post_due_many(subscription_ids, due)
