"""The one APScheduler job that drives the delivery table: `OutboxRunner.run_due` at an
interval, through APScheduler's public API (`AsyncIOScheduler`, `IntervalTrigger`, `add_job`).
Stopping lets the run under way finish its sends and record them (`bot.scheduled_runs`)."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app.outbox import OutboxRunner
from bot.errors import StorageUnavailable
from bot.scheduled_runs import ScheduledRuns

log = logging.getLogger(__name__)

JOB_ID = "outbox"


class OutboxJob:
    def __init__(self, runner: OutboxRunner, every_seconds: float) -> None:
        self.runner = runner
        self.every_seconds = every_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.runs = ScheduledRuns(self.scheduler)

    def start(self) -> None:
        self.scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.every_seconds),
            id=JOB_ID,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        self.scheduler.start()

    async def tick(self) -> None:
        """One run; a failure is logged and the next tick tries again: a database fault (logged
        where it starts and ends) in one line, anything else with its traceback."""
        try:
            async with self.runs.one():
                await self.runner.run_due()
        except StorageUnavailable as error:
            log.warning("delivery run failed (%s); trying again in %s s", error, self.every_seconds)
        except Exception:
            log.exception("delivery run failed; trying again in %s s", self.every_seconds)

    def ready(self) -> bool:
        return bool(self.scheduler.running)

    async def stop(self) -> None:
        """Claim nothing more, and let the run under way send and record what it claimed. Cut
        short by the caller's deadline, the run is cancelled: its rows' leases run out and they
        are delivered later, by this process's successor or another."""
        self.runner.stop_claiming()
        await self.runs.stop()
