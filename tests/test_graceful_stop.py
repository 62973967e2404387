"""Stopping lets the scheduled runs under way finish, and nothing in it ends the process badly.

Once, on SIGTERM, a `studybot serve` exited 1: APScheduler's shutdown cancelled the leadership
check in the middle of its query on the scheduler lock's connection, the unlock that followed
failed on that broken connection, and its exception ended `serve` before the platforms had
drained their acknowledged work (issue 13). Each link of that chain is held here, its timing
injected: a check, a post batch and a delivery held under way while stopping begins, a lock
connection that broke; tests/slack/test_slack_stop.py adds a step of stopping that fails, and
tests/test_sigterm_mid_check.py the whole chain on a real process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from sqlalchemy import text

from adapters.inflight import within
from bot.app.outbox import Due, OutboxRunner, Outcome, Scheduled
from bot.app.outbox_job import JOB_ID, OutboxJob
from bot.bootstrap import Core
from bot.daily.leadership import SoleLeader
from bot.daily.scheduler import DailyScheduler
from bot.daily.service import DailyService, PostResult
from bot.db.database import Database
from bot.db.leader import AdvisoryLockLeader
from bot.models import Place, QuestionView
from tests.conftest import FrozenClock, yield_until
from tests.memory import MemoryUnitOfWork
from tests.test_daily import RecordingPoster, subscribe

pytestmark = pytest.mark.timeout(60)

LOCK_KEY = (7_160_099 << 32) | 13


def run_now(scheduler: AsyncIOScheduler, job_id: str) -> None:
    """Have APScheduler itself run a job now, in a task of its executor (whose shutdown
    cancels the runs under way), as its trigger would."""
    job = scheduler.get_job(job_id)
    assert job is not None
    job.modify(next_run_time=datetime.now(UTC))
    scheduler.wakeup()


def begun(scheduler: AsyncIOScheduler) -> bool:
    """Stopping has begun: the scheduler takes no new runs (paused, or shut down)."""
    return bool(scheduler.state != STATE_RUNNING)


class HeldChecks(SoleLeader):
    """Leadership whose checks wait while `let_through` is clear, and which notes what happens
    when."""

    def __init__(self) -> None:
        self.let_through = asyncio.Event()
        self.let_through.set()
        self.events: list[str] = []

    async def acquire(self) -> bool:
        self.events.append("check begins")
        await self.let_through.wait()
        self.events.append("check ends")
        return True

    async def release(self) -> None:
        self.events.append("released")


async def test_stopping_the_scheduler_lets_the_check_under_way_end_before_it_gives_up_the_lead(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    leadership = HeldChecks()
    scheduler = DailyScheduler(core.daily, core.uow, leadership)
    await scheduler.start()
    leadership.let_through.clear()
    run_now(scheduler.scheduler, "leadership")
    await yield_until(lambda: leadership.events[-1] == "check begins", "the check to begin")

    stopping = asyncio.ensure_future(scheduler.stop())
    await yield_until(lambda: begun(scheduler.scheduler), "stopping to begin")
    assert "released" not in leadership.events
    leadership.let_through.set()
    await asyncio.wait_for(stopping, 10)

    assert leadership.events[-3:] == ["check begins", "check ends", "released"]
    await yield_until(lambda: not scheduler.scheduler.running, "the scheduler to shut down")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_check_that_never_ends_is_cancelled_when_the_stop_deadline_passes(core: Core) -> None:
    """The database stopped answering mid-check: stopping gives up on it at its deadline, shuts
    the scheduler down (cancelling the check) and leaves the lead to go with the connection."""
    leadership = HeldChecks()
    scheduler = DailyScheduler(core.daily, core.uow, leadership)
    await scheduler.start()
    leadership.let_through.clear()
    run_now(scheduler.scheduler, "leadership")
    await yield_until(lambda: leadership.events[-1] == "check begins", "the check to begin")

    loop = asyncio.get_running_loop()
    assert not await within(scheduler.stop(), loop.time(), "stopping the scheduler")

    # APScheduler shuts down at the loop's next turn, and cancels the check then.
    await yield_until(lambda: not scheduler.scheduler.running, "the scheduler to shut down")
    await yield_until(lambda: scheduler.runs.under_way == 0, "the check to be cancelled")
    assert leadership.events[-1] == "check begins"  # cancelled, never ended, never released


class HeldPoster(RecordingPoster):
    def __init__(self) -> None:
        super().__init__()
        self.let_through = asyncio.Event()

    async def post_question(self, target: Place, question: QuestionView) -> str:
        await self.let_through.wait()
        return await super().post_question(target, question)


async def test_a_post_batch_under_way_when_stopping_begins_is_sent_and_recorded(
    core: Core, clock: FrozenClock
) -> None:
    poster = HeldPoster()
    daily: DailyService = core.daily
    daily.posters["slack"] = poster
    clock.moment = datetime(2026, 11, 18, 7, 0, 30, tzinfo=UTC)
    subscription = await subscribe(daily, "daily on at 08:00 UTC")
    results: list[dict[int, PostResult]] = []
    post_due_many = daily.post_due_many

    async def recorded(ids: Sequence[int], due: datetime) -> dict[int, PostResult]:
        results.append(await post_due_many(ids, due))
        return results[-1]

    daily.post_due_many = recorded  # type: ignore[method-assign]
    scheduler = DailyScheduler(daily, core.uow, SoleLeader())
    await scheduler.start()
    clock.moment = datetime(2026, 11, 18, 8, 0, 30, tzinfo=UTC)
    (job,) = scheduler.jobs()
    run_now(scheduler.scheduler, job.id)
    await yield_until(lambda: len(results) == 0 and scheduler.runs.under_way == 1, "the batch to begin")

    stopping = asyncio.ensure_future(scheduler.stop())
    await yield_until(lambda: begun(scheduler.scheduler), "stopping to begin")
    poster.let_through.set()
    await asyncio.wait_for(stopping, 10)

    assert results == [{subscription: PostResult.POSTED}]
    assert len(poster.questions) == 1


class HeldDeliveries:
    kind = "reveal"

    def __init__(self) -> None:
        self.let_through = asyncio.Event()
        self.seen: list[str] = []

    async def deliver(self, due: Due) -> Outcome:
        self.seen.append(due.item.key)
        await self.let_through.wait()
        return Outcome.SENT


async def test_a_delivery_under_way_when_stopping_begins_is_recorded_and_nothing_more_is_claimed(
    clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    uow = MemoryUnitOfWork()
    due = clock.now() - timedelta(minutes=1)
    await uow.write(
        lambda r: [r.outbox.schedule(Scheduled("reveal", key, "slack", due, {})) for key in ("k1", "k2")]
    )
    handler = HeldDeliveries()
    # One row a batch, one unsent at a time: the run claims k2 only once k1 is recorded.
    runner = OutboxRunner(uow, clock, [handler], platforms={"slack"}, batch=1, in_flight=1)
    job = OutboxJob(runner, every_seconds=3600)
    job.start()
    run_now(job.scheduler, JOB_ID)
    await yield_until(lambda: handler.seen == ["k1"], "k1 to be under way")

    stopping = asyncio.ensure_future(job.stop())
    await yield_until(lambda: not runner.claiming, "stopping to begin")
    assert not stopping.done()  # it waits for k1 to be sent and recorded
    handler.let_through.set()
    await asyncio.wait_for(stopping, 10)

    assert handler.seen == ["k1"]
    assert [p.key for p in await uow.read(lambda r: r.outbox.pending("reveal", ""))] == ["k2"]
    other = HeldDeliveries()
    other.let_through.set()
    successor = OutboxRunner(uow, clock, [other], platforms={"slack"})
    assert len((await successor.run_due()).sent) == 1  # not held by a lease of ours
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def _lock_holder(database: Database, key: int) -> int | None:
    """The PostgreSQL backend holding the session advisory lock `key`, if any."""
    query = text(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = :high "
        "AND objid = :low AND objsubid = 1 AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    high, low = key >> 32, key & 0xFFFFFFFF
    return await database.read(lambda c: c.execute(query, {"high": high, "low": low}).scalar_one_or_none())


@pytest.mark.postgres
async def test_the_lead_is_given_up_without_an_error_when_its_connection_broke(
    postgres_run_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = Database(postgres_run_url)
    try:
        leader = AdvisoryLockLeader(database.engine, LOCK_KEY)
        assert await leader.acquire()
        pid = await _lock_holder(database, LOCK_KEY)
        assert pid is not None
        await database.read(lambda c: c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}))

        await leader.release()

        assert "could not unlock the scheduler lock" in caplog.text
        successor = AdvisoryLockLeader(database.engine, LOCK_KEY)
        assert await successor.acquire()
        await successor.release()
        assert await _lock_holder(database, LOCK_KEY) is None
    finally:
        await database.dispose()
