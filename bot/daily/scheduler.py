"""The APScheduler side of the question of the day: one cron job per distinct post time (hour,
minute, weekdays, time zone) and one per distinct reveal time. When a job fires it reads the
live subscriptions of its time and hands them, interleaved by workspace, to the daily service
as one batch, which claims and sends them as a fan-out. Ten thousand channels at 09:00 in one
zone are one job, not ten thousand.

Only APScheduler's public API is used: `AsyncIOScheduler`, `CronTrigger`, `add_job`,
`remove_job`, `get_job`. The database is the source of truth. Jobs live in memory only and are
brought in line with the distinct times whenever this process becomes the leader, on every
change made here, and at every leadership check (so changes made by another process arrive
within `check_every`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app.daily_ports import JobKind, ScheduleKey
from bot.app.ports import UnitOfWork
from bot.daily.fanout import interleaved
from bot.daily.leadership import Leadership
from bot.daily.service import DailyService
from bot.daily.triggers import cron, latest_due_at
from bot.metrics import SCHEDULER_CHECKS, SCHEDULER_LEADER

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 10

Run = Callable[[Sequence[int], datetime], Awaitable[object]]


def job_id(kind: JobKind, key: ScheduleKey) -> str:
    hour, minute, weekdays, timezone = key
    return f"{kind} {hour:02d}:{minute:02d} {weekdays} {timezone}"


class DailyScheduler:
    def __init__(
        self,
        daily: DailyService,
        uow: UnitOfWork,
        leadership: Leadership,
        check_every: int = CHECK_EVERY_SECONDS,
    ) -> None:
        self.daily = daily
        self.uow = uow
        self.leadership = leadership
        self.check_every = check_every
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.leading = False
        self._checked = False
        self._scheduled: set[tuple[JobKind, ScheduleKey]] = set()
        self._run: dict[JobKind, Run] = {"post": daily.post_due_many, "reveal": daily.reveal_due_many}

    async def start(self) -> None:
        self.daily.listeners.append(self._changed)
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
        """Running, and its first leadership check done: this process leads and posts (its jobs
        set, the leader metric saying so), or stands by to take over."""
        return bool(self.scheduler.running) and self._checked

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        if self._changed in self.daily.listeners:
            self.daily.listeners.remove(self._changed)
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
            await self.sync()
            await self.daily.catch_up()
        elif not leading and self.leading:
            log.warning("this process no longer runs the daily scheduler")
            self.leading = False
            for kind, key in list(self._scheduled):
                self._unschedule(kind, key)
        elif leading:
            await self.sync()
        SCHEDULER_LEADER.set(1 if self.leading else 0)
        if self.leading:
            await self.daily.recover()
        self._checked = True
        SCHEDULER_CHECKS.inc()

    async def _changed(self) -> None:
        if self.leading:
            await self.sync()

    async def sync(self) -> None:
        """One job for each distinct time some live subscription posts or reveals at."""
        wanted = await self.uow.read(lambda r: r.subscriptions.schedules())
        for kind, key in self._scheduled - wanted:
            self._unschedule(kind, key)
        for kind, key in wanted - self._scheduled:
            self.scheduler.add_job(
                self.fire,
                cron(*key),
                args=[kind, key],
                id=job_id(kind, key),
                misfire_grace_time=int(self.daily.grace.total_seconds()),
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
            self._scheduled.add((kind, key))

    def _unschedule(self, kind: JobKind, key: ScheduleKey) -> None:
        self._scheduled.discard((kind, key))
        if self.scheduler.get_job(job_id(kind, key)) is not None:
            self.scheduler.remove_job(job_id(kind, key))

    def jobs(self) -> list[Job]:
        """The post and reveal jobs (not the leadership check)."""
        return [job for job in self.scheduler.get_jobs() if job.id != "leadership"]

    async def fire(self, kind: JobKind, key: ScheduleKey) -> None:
        """Post (or reveal) for every live subscription of this time, as one batch."""
        # Triggers fire on whole minutes: the due time is the latest at or before this minute.
        minute = self.daily.clock.now().replace(second=0, microsecond=0)
        due = latest_due_at(key, minute)
        if due is None:
            return
        members = await self.uow.read(lambda r: r.subscriptions.due(kind, key))
        ordered = [subscription for subscription, _ in interleaved(members, _workspace)]
        if ordered:
            await self._run[kind](ordered, due)


def _workspace(member: tuple[int, int]) -> int:
    return member[1]
