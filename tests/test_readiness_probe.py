"""Issue 13 point 7: /readyz answers promptly whatever the database does. The write probe is
bounded in time and one at a time (`bot.db.probe`), and a write that does not finish (a
stalled PostgreSQL, a locked SQLite file) is the busy fault, logged once each way."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

import pytest

from bot.db.database import Database
from bot.db.faults import FAULT_QUIET_SECONDS, Fault, FaultLog
from bot.db.migrate import upgrade
from bot.db.probe import PROBE_TIMEOUT_SECONDS, WriteProbe
from bot.errors import StorageUnavailable
from tests.test_database_faults import Ticking, fault_lines

POLLS = 20


class HeldWrite:
    """A write that does not finish until the test lets it, counting how many were started."""

    def __init__(self) -> None:
        self.started = 0
        self.release = asyncio.Event()

    async def __call__(self) -> None:
        self.started += 1
        await self.release.wait()


async def until(condition: object, what: str, within: float = 5.0) -> None:
    """Poll `condition()` (bounded): the probe works on in the background."""
    assert callable(condition)
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.01)  # polling an observable condition, bounded above


async def test_polls_during_a_held_write_answer_within_the_timeout_and_share_one_probe() -> None:
    write = HeldWrite()
    probe = WriteProbe(write, FaultLog(clock=Ticking()), timeout_seconds=0.2, stall_seconds=60)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(5):
        results = await asyncio.gather(*(probe.check() for _ in range(POLLS)), return_exceptions=True)
    assert all(isinstance(result, StorageUnavailable) for result in results), results
    assert loop.time() - started < 1.0
    # Later polls wait for the probe under way too, instead of starting another.
    with pytest.raises(StorageUnavailable, match="busy right now"):
        await probe.check()
    assert write.started == 1
    write.release.set()
    await probe.check()  # the probe under way finished: its result
    await probe.check()  # and a new one
    assert write.started == 2
    await probe.close()


async def test_a_write_that_does_not_finish_is_the_busy_fault_logged_once_each_way(
    caplog: pytest.LogCaptureFixture,
) -> None:
    write, clock = HeldWrite(), Ticking()
    faults = FaultLog(clock=clock)
    probe = WriteProbe(write, faults, timeout_seconds=0.05, stall_seconds=0.1)
    with caplog.at_level(logging.WARNING, logger="bot.db.faults"):
        with pytest.raises(StorageUnavailable):
            async with asyncio.timeout(5):
                await probe.check()
        await until(lambda: faults.current is Fault.BUSY, "the held write to count as busy")
        write.release.set()
        with pytest.raises(StorageUnavailable, match="busy right now"):
            await probe.check()  # it finished, within the quiet period after the fault
        clock.advance(FAULT_QUIET_SECONDS)
        await probe.check()
    await probe.close()
    assert fault_lines(caplog) == ["database fault started: busy", "database fault ended: busy"]
    assert "a write has not finished after 0.1 s" in caplog.records[0].getMessage()


async def test_readiness_on_a_locked_sqlite_file_answers_within_the_timeout(tmp_path: Path) -> None:
    """The writer waits up to SQLite's busy timeout (5 s) for the lock; readiness does not."""
    path = tmp_path / "locked.db"
    database = Database(f"sqlite:///{path}")
    await upgrade(database)
    await database.probe_write()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:

        async def timed_poll() -> float:
            started = time.monotonic()
            with pytest.raises(StorageUnavailable):
                await database.probe_write()
            return time.monotonic() - started

        took = await asyncio.gather(*(timed_poll() for _ in range(5)))
        took.append(await timed_poll())
        assert max(took) < PROBE_TIMEOUT_SECONDS + 0.5, took
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await database.dispose()
