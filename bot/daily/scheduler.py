"""The APScheduler side of the question of the day: one cron job per subscription.

The database is the source of truth. Jobs live in memory only and are rebuilt from the
subscriptions whenever this process becomes the leader, on every change made here, and at
every leadership check (so changes made by another process arrive within `check_every`).
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.daily.leader import Leadership
from bot.daily.models import Subscription
from bot.daily.service import DailyService
from bot.daily.triggers import cron, latest_due
from bot.metrics import SCHEDULER_LEADER

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 30


def _signature(subscription: Subscription) -> tuple[object, ...]:
    return (
        subscription.hour,
        subscription.minute,
        subscription.weekdays,
        subscription.timezone,
        subscription.reveal,
    )


class DailyScheduler:
    def __init__(
        self, daily: DailyService, leadership: Leadership, check_every: int = CHECK_EVERY_SECONDS
    ) -> None:
        self.daily = daily
        self.leadership = leadership
        self.check_every = check_every
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.leading = False
        self._scheduled: dict[int, tuple[object, ...]] = {}

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

    def _schedule(self, subscription: Subscription) -> None:
        if subscription.paused_reason:
            self._unschedule(subscription.id)
            return
        if self._scheduled.get(subscription.id) == _signature(subscription):
            return
        self._unschedule(subscription.id)
        grace = int(self.daily.grace.total_seconds())
        options = {
            "misfire_grace_time": grace,
            "coalesce": True,
            "max_instances": 1,
            "replace_existing": True,
        }
        self.scheduler.add_job(
            self._post,
            cron(subscription.hour, subscription.minute, subscription.weekdays, subscription.timezone),
            args=[subscription.id],
            id=f"post:{subscription.id}",
            **options,
        )
        if subscription.reveal is not None:
            hour, minute = subscription.reveal
            self.scheduler.add_job(
                self._reveal,
                cron(hour, minute, subscription.weekdays, subscription.timezone),
                args=[subscription.id],
                id=f"reveal:{subscription.id}",
                **options,
            )
        self._scheduled[subscription.id] = _signature(subscription)

    def _unschedule(self, subscription_id: int) -> None:
        for prefix in ("post", "reveal"):
            if self.scheduler.get_job(f"{prefix}:{subscription_id}") is not None:
                self.scheduler.remove_job(f"{prefix}:{subscription_id}")
        self._scheduled.pop(subscription_id, None)

    async def _due(self, subscription_id: int, reveal: bool) -> None:
        subscription = await self.daily.subscription(subscription_id)
        if subscription is None:
            return
        hour, minute = (
            subscription.reveal
            if reveal and subscription.reveal
            else (subscription.hour, subscription.minute)
        )
        due = latest_due(
            cron(hour, minute, subscription.weekdays, subscription.timezone), self.daily.clock.now()
        )
        if due is None:
            return
        if reveal:
            await self.daily.reveal_due(subscription_id, due)
        else:
            await self.daily.post_due(subscription_id, due)

    async def _post(self, subscription_id: int) -> None:
        await self._due(subscription_id, reveal=False)

    async def _reveal(self, subscription_id: int) -> None:
        await self._due(subscription_id, reveal=True)
