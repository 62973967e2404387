"""Issue 13 point 7: a known database fault is logged once when it starts and once when it ends
(`bot.db.faults`); the request journal, the delivery job and lease renewals that meet it say so
in one warning line naming it, not an ERROR with a traceback each time. Anything unexpected
keeps its traceback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.journal import RequestJournal
from bot.app.outbox import OutboxRunner, RunReport
from bot.app.outbox_job import OutboxJob
from bot.app.ports import Repositories
from bot.bootstrap import Core
from bot.daily.fanout import leases_kept
from bot.daily.scheduler import DailyScheduler
from bot.db.faults import DatabaseFault, Fault
from bot.db.leader import AdvisoryLockLeader
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork
from tests.ports import free_port

T = TypeVar("T")
UNWRITTEN = "request r1 could not be written or marked done"
FULL = "The quiz database cannot save anything: the disk is full. Nothing was saved."


class Breakable(MemoryUnitOfWork):
    """The in-memory unit of work, whose writes raise `failure` while it is set."""

    def __init__(self) -> None:
        super().__init__()
        self.failure: Exception | None = None

    async def write(self, work: Callable[[Repositories], T]) -> T:
        if self.failure is not None:
            raise self.failure
        return await super().write(work)


def lines(caplog: pytest.LogCaptureFixture, name: str) -> list[tuple[str, str, bool]]:
    return [(r.levelname, r.getMessage(), r.exc_info is not None) for r in caplog.records if r.name == name]


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.01)  # polling an observable condition, bounded above


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (DatabaseFault(Fault.FULL), ("WARNING", f"{UNWRITTEN} ({FULL})", False)),
        (RuntimeError("a bug"), ("ERROR", UNWRITTEN, True)),
    ],
)
async def test_a_journal_row_refused_by_a_fault_is_one_warning_a_bug_keeps_its_traceback(
    clock: FrozenClock, caplog: pytest.LogCaptureFixture, failure: Exception, expected: tuple[str, str, bool]
) -> None:
    uow = Breakable()
    uow.failure = failure
    journal = RequestJournal(OutboxRunner(uow, clock, platforms={"slack"}))
    with caplog.at_level(logging.WARNING):
        journal.begin("slack_command", "r1", "slack", {"text": "ecs"})
        await journal.end("r1")
    journal.close()
    level, message, traceback = lines(caplog, "bot.app.journal")[0]
    assert (level, message.replace("the journal row of ", ""), traceback) == expected


async def test_lease_renewals_that_meet_a_fault_are_one_warning_each(
    clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    uow = Breakable()
    journal = RequestJournal(OutboxRunner(uow, clock, platforms={"slack"}), lease=timedelta(seconds=0.06))
    with caplog.at_level(logging.WARNING):
        assert await journal.begin("slack_command", "r1", "slack", {"text": "ecs"}) is not None
        uow.failure = DatabaseFault(Fault.BUSY)
        await until(lambda: len(lines(caplog, "bot.app.journal")) >= 2)
        unsent = {1, 2}
        async with leases_kept(uow, clock, timedelta(seconds=0.06), unsent):
            await until(lambda: len(lines(caplog, "bot.daily.fanout")) >= 2)
    journal.close()
    busy = "The quiz database is busy right now, so nothing was saved. Try again in a moment."
    assert (
        lines(caplog, "bot.app.journal")[:2]
        == [("WARNING", f"renewing the leases of 1 journaled requests failed ({busy})", False)] * 2
    )
    assert (
        lines(caplog, "bot.daily.fanout")[:2]
        == [("WARNING", f"renewing the leases of 2 queued deliveries failed ({busy})", False)] * 2
    )


class FailingRunner:
    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    async def run_due(self) -> RunReport:
        raise self.failure

    def stop_claiming(self) -> None:
        """Nothing to stop."""


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (DatabaseFault(Fault.FULL), ("WARNING", f"delivery run failed ({FULL}); trying again in 5 s", False)),
        (RuntimeError("a bug"), ("ERROR", "delivery run failed; trying again in 5 s", True)),
    ],
)
async def test_a_delivery_run_that_meets_a_fault_is_one_warning_a_bug_keeps_its_traceback(
    caplog: pytest.LogCaptureFixture, failure: Exception, expected: tuple[str, str, bool]
) -> None:
    job = OutboxJob(FailingRunner(failure), 5)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        await job.tick()
    assert lines(caplog, "bot.app.outbox_job") == [expected]


class Unreachable:
    """A scheduler lock whose database cannot be reached."""

    async def acquire(self) -> bool:
        raise DatabaseFault(Fault.UNREACHABLE)

    async def release(self) -> None:
        return None


async def test_a_leadership_check_the_database_refused_is_one_warning_line(
    caplog: pytest.LogCaptureFixture, core: Core
) -> None:
    scheduler = DailyScheduler(core.daily, core.uow, Unreachable(), platform="slack")

    with caplog.at_level(logging.WARNING, logger="bot.daily.scheduler"):
        await scheduler.check()

    assert not scheduler.leading
    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "leadership check failed" in record.getMessage()


async def test_the_scheduler_lock_on_an_unreachable_postgresql_is_the_unreachable_fault() -> None:
    # A port nothing listens on: the connection is refused.
    engine = create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/studybot")
    try:
        with pytest.raises(DatabaseFault) as raised:
            await AdvisoryLockLeader(engine).acquire()
    finally:
        await engine.dispose()
    assert raised.value.fault is Fault.UNREACHABLE
