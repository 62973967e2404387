"""The APScheduler side of the question of the day: one cron job per subscription (and one more
for a set reveal time), in the subscription's own time zone. Jobs that fire together (many
channels at 09:00) join one batch, which the daily service claims and sends as a fan-out.

The database is the source of truth. Jobs live in memory only and are rebuilt from the
subscriptions whenever this process becomes the leader, on every change made here, and at
every leadership check (so changes made by another process arrive within `check_every`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.daily.executor import JoiningExecutor
from bot.daily.fanout import interleaved
from bot.daily.jobstore import SortedMemoryJobStore
from bot.daily.leader import Leadership
from bot.daily.service import DailyService
from bot.daily.triggers import TriggerKey, cron, latest_due
from bot.db.schedules import ScheduleRow
from bot.metrics import SCHEDULER_CHECKS, SCHEDULER_LEADER

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 10


POST, REVEAL = "post", "reveal"
JOINING = "joining"
Run = Callable[[Sequence[int], datetime], Awaitable[object]]


def _keys(schedule: ScheduleRow) -> tuple[tuple[str, TriggerKey], ...]:
    """A subscription's jobs: its post time, and its reveal time if set."""
    days, zone = schedule.weekdays, schedule.timezone
    keys: list[tuple[str, TriggerKey]] = [(POST, (schedule.hour, schedule.minute, days, zone))]
    if schedule.reveal_hour is not None and schedule.reveal_minute is not None:
        keys.append((REVEAL, (schedule.reveal_hour, schedule.reveal_minute, days, zone)))
    return tuple(keys)


def _job_id(kind: str, subscription_id: int) -> str:
    return f"{kind}:{subscription_id}"


class _Batches:
    """Gathers the jobs that fire together into one call per (kind, due time): APScheduler
    submits all the jobs due at one moment in one pass, each joins the batch the first one
    opened, and the batch runs once the pass is over. Each job's future is the batch's.

    The batch hands its subscriptions over interleaved by workspace (see `interleaved`)."""

    def __init__(self, run: Mapping[str, Run]) -> None:
        self._run = run
        self._open: dict[tuple[str, datetime], tuple[dict[int, int], asyncio.Future[None]]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def join(self, kind: str, due: datetime, subscription_id: int, workspace_id: int) -> asyncio.Future[None]:
        key = (kind, due)
        if key not in self._open:
            loop = asyncio.get_running_loop()
            self._open[key] = ({}, loop.create_future())
            loop.call_soon(self._close, key)
        members, done = self._open[key]
        members[subscription_id] = workspace_id
        return done

    def _close(self, key: tuple[str, datetime]) -> None:
        members, done = self._open.pop(key)
        ordered = [subscription for subscription, _ in interleaved(sorted(members.items()), _workspace)]
        running = asyncio.create_task(self._send(key, ordered, done))
        self._running.add(running)
        running.add_done_callback(self._running.discard)

    async def _send(self, key: tuple[str, datetime], members: list[int], done: asyncio.Future[None]) -> None:
        kind, due = key
        try:
            await self._run[kind](members, due)
        except Exception as error:
            log.exception("the %s batch due at %s failed", kind, due.isoformat())
            done.set_exception(error)
        else:
            done.set_result(None)


def _workspace(member: tuple[int, int]) -> int:
    return member[1]


class DailyScheduler:
    def __init__(
        self, daily: DailyService, leadership: Leadership, check_every: int = CHECK_EVERY_SECONDS
    ) -> None:
        self.daily = daily
        self.leadership = leadership
        self.check_every = check_every
        self.scheduler = AsyncIOScheduler(timezone=UTC, jobstores={"default": SortedMemoryJobStore()})
        self.scheduler.add_executor(JoiningExecutor(), JOINING)
        self.leading = False
        # Each subscription's jobs, by their trigger, to tell whether a change moved them.
        self._scheduled: dict[int, tuple[tuple[str, TriggerKey], ...]] = {}
        self._batches = _Batches({POST: daily.post_due_many, REVEAL: daily.reveal_due_many})

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
        SCHEDULER_CHECKS.inc()

    async def sync_all(self) -> None:
        schedules = {schedule.id: schedule for schedule in await self.daily.schedules()}
        for subscription_id in set(self._scheduled) - set(schedules):
            self._unschedule(subscription_id)
        for schedule in schedules.values():
            self._schedule(schedule)

    async def sync_one(self, subscription_id: int) -> None:
        if not self.leading:
            return
        schedules = await self.daily.schedules(subscription_id)
        if not schedules:
            self._unschedule(subscription_id)
        for schedule in schedules:
            self._schedule(schedule)

    def jobs_of(self, subscription_id: int) -> dict[str, Job]:
        """A subscription's jobs, by kind ('post', 'reveal')."""
        jobs = {kind: self.scheduler.get_job(_job_id(kind, subscription_id)) for kind in (POST, REVEAL)}
        return {kind: job for kind, job in jobs.items() if job is not None}

    def _schedule(self, subscription: ScheduleRow) -> None:
        if subscription.paused:
            self._unschedule(subscription.id)
            return
        keys = _keys(subscription)
        if self._scheduled.get(subscription.id) == keys:
            return
        self._unschedule(subscription.id)
        for kind, key in keys:
            self.scheduler.add_job(
                self._fire,
                cron(*key),
                args=[kind, key, subscription.id, subscription.workspace_id],
                id=_job_id(kind, subscription.id),
                executor=JOINING,
                misfire_grace_time=int(self.daily.grace.total_seconds()),
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        self._scheduled[subscription.id] = keys

    def _unschedule(self, subscription_id: int) -> None:
        for kind, _ in self._scheduled.pop(subscription_id, ()):
            if self.scheduler.get_job(_job_id(kind, subscription_id)) is not None:
                self.scheduler.remove_job(_job_id(kind, subscription_id))

    def _fire(
        self, kind: str, key: TriggerKey, subscription_id: int, workspace_id: int
    ) -> asyncio.Future[None]:
        """Join the batch of the jobs due at this time (see `JoiningExecutor`)."""
        # Triggers fire on whole minutes: every job of one trigger firing within a minute has the
        # same due time, worked out once (thousands of channels often share 09:00).
        minute = self.daily.clock.now().replace(second=0, microsecond=0)
        due = _due(key, minute)
        if due is None:
            nothing: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            nothing.set_result(None)
            return nothing
        return self._batches.join(kind, due, subscription_id, workspace_id)


@functools.lru_cache(maxsize=1024)
def _due(key: TriggerKey, minute: datetime) -> datetime | None:
    return latest_due(cron(*key), minute)
