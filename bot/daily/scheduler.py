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
from bot.errors import StorageUnavailable
from bot.metrics import SCHEDULER_CHECKS, SCHEDULER_LEADER
from bot.scheduled_runs import ScheduledRuns

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
        platform: str | None = None,
    ) -> None:
        self.daily = daily
        self.uow = uow
        self.leadership = leadership
        self.platform = platform
        """Schedule only this platform's subscriptions (None: every platform's)."""
        self.check_every = check_every
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.runs = ScheduledRuns(self.scheduler)
        self.leading = False
        self._checked = False
        self._scheduled: set[tuple[JobKind, ScheduleKey]] = set()
        self._caught_up = False
        # Batches that failed as a whole (the database unavailable at the due minute): retried
        # at every check while within the grace window.
        self.outstanding: dict[tuple[JobKind, ScheduleKey], datetime] = {}
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

    @property
    def _of(self) -> str:
        return "" if self.platform is None else f" of {self.platform}"

    def ready(self) -> bool:
        """Running, and its first leadership check done: this process leads and posts (its jobs
        set, the leader metric saying so), or stands by to take over."""
        return bool(self.scheduler.running) and self._checked

    async def stop(self) -> None:
        """Start no new check or batch, let the one under way finish (a batch sent is recorded,
        not cut off between the platform's answer and its row), then give up the lead. Cut short
        by the caller's deadline, the run under way is cancelled and the lead is left to go with
        the process's connection."""
        if self._changed in self.daily.listeners:
            self.daily.listeners.remove(self._changed)
        await self.runs.stop()
        await self.leadership.release()
        self.leading = False

    async def check(self) -> None:
        """Take or confirm leadership; the leader syncs jobs, catches up on what fell due while
        nobody led, retries the batches that failed and sends abandoned claims. A step that
        fails (the database down) is logged and tried again at the next check."""
        async with self.runs.one():
            await self._check()

    async def _check(self) -> None:
        try:
            leading = await self.leadership.acquire()
        except StorageUnavailable as error:  # the database's fault, logged where it began
            log.warning("scheduler leadership check failed (%s)", error)
            leading = False
        except Exception:
            log.exception("scheduler leadership check failed")
            leading = False
        if leading and not self.leading:
            log.info("this process now runs the daily scheduler%s", self._of)
            self.leading, self._caught_up = True, False
        elif not leading and self.leading:
            log.warning("this process no longer runs the daily scheduler%s", self._of)
            self.leading = False
            self.outstanding.clear()
            for kind, key in list(self._scheduled):
                self._unschedule(kind, key)
        SCHEDULER_LEADER.labels(platform=self.platform or "all").set(1 if self.leading else 0)
        if self.leading:
            await self._lead()
        self._checked = True
        SCHEDULER_CHECKS.inc()

    async def _lead(self) -> None:
        try:
            await self.sync()
            if not self._caught_up:
                await self.daily.catch_up(self.platform)
                self._caught_up = True
            await self._retry_outstanding()
            await self.daily.recover(self.platform)
        except Exception:
            log.exception("daily scheduler check%s failed; trying again at the next check", self._of)

    async def _retry_outstanding(self) -> None:
        now = self.daily.clock.now()
        for (kind, key), due in sorted(self.outstanding.items(), key=lambda pair: pair[1]):
            if now - due > self.daily.grace:
                log.error(
                    "daily %s batch %s due at %s given up: past the grace window",
                    kind,
                    job_id(kind, key),
                    due,
                )
                self.outstanding.pop((kind, key), None)
            else:
                log.info("retrying the daily %s batch %s due at %s", kind, job_id(kind, key), due)
                await self._run_batch(kind, key, due)

    async def _changed(self) -> None:
        if self.leading:
            await self.sync()

    async def sync(self) -> None:
        """One job for each distinct time some live subscription posts or reveals at."""
        wanted = await self.uow.read(lambda r: r.subscriptions.schedules(self.platform))
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
        if due is not None:
            async with self.runs.one():
                await self._run_batch(kind, key, due)

    async def _run_batch(self, kind: JobKind, key: ScheduleKey, due: datetime) -> None:
        """Post or reveal a time's batch; claims (and the delivery table's keys) make a second
        run of the same batch send only what the first did not."""
        try:
            members = await self.uow.read(lambda r: r.subscriptions.due(kind, key, self.platform))
            ordered = [subscription for subscription, _ in interleaved(members, _workspace)]
            if ordered:
                await self._run[kind](ordered, due)
        except Exception:
            log.exception(
                "daily %s batch %s due at %s failed; retrying at the next check", kind, job_id(kind, key), due
            )
            if self.outstanding.get((kind, key), due) <= due:
                self.outstanding[(kind, key)] = due
        else:
            if self.outstanding.get((kind, key)) == due:
                del self.outstanding[(kind, key)]


def _workspace(member: tuple[int, int]) -> int:
    return member[1]
