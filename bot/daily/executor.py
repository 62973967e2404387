"""An APScheduler executor for jobs that only join a batch.

APScheduler's `AsyncIOExecutor` starts a task for every due job. When thousands of
subscriptions fall due at 09:00, each job only adds its subscription to the batch that posts them
all and then waits for it: thousands of tasks that do nothing but wait, started one by one before
the batch can begin. Here a job's function is called as the job is submitted and returns at once
with the batch's future; the job's outcome reaches the scheduler's listeners when that is done.
"""

from __future__ import annotations

import asyncio
import traceback
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.base import BaseExecutor
from apscheduler.job import Job


class JoiningExecutor(BaseExecutor):  # type: ignore[misc]  # APScheduler ships no type hints
    """Runs jobs whose function returns an awaitable future instead of being a coroutine.

    Jobs must coalesce missed runs (`coalesce=True`): only the latest run time is run. Missed
    runs and failures are reported as APScheduler's own executors report them, as events; a
    failing batch is logged once by whoever runs it, not once per job here.
    """

    def start(self, scheduler: Any, alias: str) -> None:
        super().start(scheduler, alias)
        self._loop: asyncio.AbstractEventLoop = scheduler._eventloop

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        # Called while the scheduler counts the job's instances: outcomes are reported after it.
        run_time = run_times[-1]
        late = datetime.now(UTC) - run_time
        if job.misfire_grace_time is not None and late > timedelta(seconds=job.misfire_grace_time):
            self._logger.warning('Run time of job "%s" was missed by %s', job, late)
            missed = JobExecutionEvent(EVENT_JOB_MISSED, job.id, job._jobstore_alias, run_time)
            self._loop.call_soon(self._run_job_success, job.id, [missed])
            return
        try:
            outcome: asyncio.Future[Any] = job.func(*job.args, **job.kwargs)
        except Exception as error:
            self._loop.call_soon(self._run_job_error, job.id, error, error.__traceback__)
            return
        outcome.add_done_callback(lambda done: self._report(job, run_time, done))

    def _report(self, job: Job, run_time: datetime, done: asyncio.Future[Any]) -> None:
        if done.cancelled():
            self._run_job_error(job.id, asyncio.CancelledError())
            return
        error = done.exception()
        if error is None:
            event = JobExecutionEvent(
                EVENT_JOB_EXECUTED, job.id, job._jobstore_alias, run_time, retval=done.result()
            )
        else:
            event = JobExecutionEvent(
                EVENT_JOB_ERROR,
                job.id,
                job._jobstore_alias,
                run_time,
                exception=error,
                traceback="".join(traceback.format_tb(error.__traceback__)),
            )
        self._run_job_success(job.id, [event])
