"""The machinery that sends thousands of daily posts at once: jobs joining one batch through
APScheduler, shared cron triggers, the per-workspace worker pool."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.daily.executor import JoiningExecutor
from bot.daily.fanout import FanOut, interleaved
from bot.daily.triggers import cron
from tests.conftest import yield_until


class Batch:
    """Jobs join this one future: the batch they would all be sent in."""

    def __init__(self) -> None:
        self.members: list[int] = []
        self.done: asyncio.Future[None] | None = None

    def join(self, member: int) -> asyncio.Future[None]:
        if self.done is None:
            self.done = asyncio.get_running_loop().create_future()
        self.members.append(member)
        return self.done


async def run_due(
    scheduler: AsyncIOScheduler, events: list[JobExecutionEvent], count: int, when: datetime
) -> None:
    """Make every job due at `when`, let APScheduler run them, and wait for `count` outcomes."""
    reported = asyncio.Event()

    def listen(event: JobExecutionEvent) -> None:
        events.append(event)
        if len(events) == count:
            reported.set()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    scheduler.pause()
    for job in scheduler.get_jobs():
        job.modify(next_run_time=when)
    scheduler.resume()
    await reported.wait()


async def until_joined(batch: Batch, count: int) -> asyncio.Future[None]:
    """Yield to the event loop until `count` jobs joined the batch; its future."""
    await yield_until(lambda: batch.done is not None and len(batch.members) >= count, f"{count} jobs")
    assert batch.done is not None
    return batch.done


def scheduler_with_jobs(func: Callable[[int], asyncio.Future[None]], count: int) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_executor(JoiningExecutor(), "joining")
    for member in range(count):
        scheduler.add_job(
            func,
            cron(9, 0, "mon-sun", "Europe/Berlin"),
            args=[member],
            id=f"post:{member}",
            executor="joining",
            misfire_grace_time=60,
            coalesce=True,
        )
    return scheduler


@asynccontextmanager
async def started(batch: Batch, count: int) -> AsyncIterator[AsyncIOScheduler]:
    """A running scheduler with `count` jobs that join `batch`; shut down after the block."""
    scheduler = scheduler_with_jobs(batch.join, count)
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


async def test_jobs_due_together_join_one_batch_and_each_reports_when_it_is_done() -> None:
    batch = Batch()
    events: list[JobExecutionEvent] = []
    async with started(batch, 50) as scheduler:
        running = asyncio.create_task(run_due(scheduler, events, 50, datetime.now(UTC)))
        done = await until_joined(batch, 50)
        # Every job joined before the batch was done; none has reported yet.
        assert sorted(batch.members) == list(range(50)) and events == []
        done.set_result(None)
        await running
    assert Counter(event.code for event in events) == {EVENT_JOB_EXECUTED: 50}
    assert {event.job_id for event in events} == {f"post:{n}" for n in range(50)}


async def test_a_failed_batch_is_reported_for_each_of_its_jobs() -> None:
    batch = Batch()
    events: list[JobExecutionEvent] = []
    async with started(batch, 3) as scheduler:
        running = asyncio.create_task(run_due(scheduler, events, 3, datetime.now(UTC)))
        (await until_joined(batch, 3)).set_exception(RuntimeError("database gone"))
        await running
    assert [event.code for event in events] == [EVENT_JOB_ERROR] * 3
    assert all(isinstance(event.exception, RuntimeError) for event in events)


async def test_a_run_later_than_its_grace_is_missed_and_joins_nothing() -> None:
    batch = Batch()
    events: list[JobExecutionEvent] = []
    async with started(batch, 2) as scheduler:
        await run_due(scheduler, events, 2, datetime.now(UTC) - timedelta(minutes=5))
    assert [event.code for event in events] == [EVENT_JOB_MISSED] * 2
    assert batch.members == []


def test_triggers_of_the_same_time_share_their_fields_and_fire_as_apschedulers_own() -> None:
    first, second = cron(9, 0, "mon-fri", "Europe/Berlin"), cron(9, 0, "mon-fri", "Europe/Berlin")
    assert first is not second and first.fields is second.fields
    own = CronTrigger(hour=9, minute=0, day_of_week="mon-fri", timezone="Europe/Berlin")
    # Across the end of daylight-saving time (25 October 2026) and a weekend.
    now = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
    ours, theirs = None, None
    for _ in range(5):
        ours, theirs = first.get_next_fire_time(ours, now), own.get_next_fire_time(theirs, now)
        assert ours == theirs
        assert ours is not None
        now = ours + timedelta(seconds=1)


async def test_a_workspace_has_at_most_its_share_of_sends_at_once_and_results_keep_their_order() -> None:
    in_flight: Counter[str] = Counter()
    most: Counter[str] = Counter()
    release = asyncio.Event()

    async def send(item: tuple[str, int]) -> int:
        workspace, number = item
        in_flight[workspace] += 1
        most[workspace] = max(most[workspace], in_flight[workspace])
        await release.wait()
        in_flight[workspace] -= 1
        return number

    sender: FanOut[tuple[str, int], int] = FanOut(lambda item: item[0], send, per_workspace=3)
    items = [("T1", n) for n in range(10)] + [("T2", n) for n in range(10, 12)]
    sender.submit(items[:6])
    sender.submit(items[6:])
    await yield_until(lambda: sum(in_flight.values()) >= 5, "five sends in flight")
    assert in_flight == {"T1": 3, "T2": 2}
    release.set()
    assert await sender.results() == list(range(12))
    assert most == {"T1": 3, "T2": 2}


async def test_waiting_for_the_sends_left_to_drop() -> None:
    sent: list[int] = []
    gates = {n: asyncio.Event() for n in range(4)}

    async def send(item: int) -> int:
        await gates[item].wait()
        sent.append(item)
        return item

    sender: FanOut[int, int] = FanOut(lambda item: f"T{item}", send)
    sender.submit(range(4))
    waiting = asyncio.create_task(sender.left_at_most(2))
    gates[0].set()
    await yield_until(lambda: sent, "the first send")
    assert not waiting.done()
    gates[3].set()
    await waiting
    assert sent == [0, 3]
    for gate in gates.values():
        gate.set()
    assert await sender.results() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([("A", 1), ("A", 2), ("A", 3), ("B", 4), ("C", 5), ("C", 6)], [1, 4, 5, 2, 6, 3]),
        ([], []),
    ],
)
def test_interleaved_takes_one_item_of_each_workspace_in_turn(
    items: list[tuple[str, int]], expected: list[int]
) -> None:
    assert [number for _, number in interleaved(items, lambda item: item[0])] == expected
