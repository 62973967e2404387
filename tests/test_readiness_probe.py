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
from tests.conftest import reset_postgres
from tests.pg_proxy import PostgresProxy
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


@pytest.mark.postgres
async def test_a_stalled_postgresql_answers_readiness_within_the_timeout_and_is_the_busy_fault(
    caplog: pytest.LogCaptureFixture, postgres_run_url: str
) -> None:
    """PostgreSQL's answers held back (a proxy, a network that drops packets): nothing is
    refused, so only the time a write takes tells. Before, readiness waited as long as the stall."""
    await reset_postgres(postgres_run_url)
    proxy = PostgresProxy(postgres_run_url)
    clock = Ticking()
    async with proxy.running() as url:
        # The stall threshold is SQLite's busy timeout; shortened here.
        database = Database(url, busy_timeout_ms=300, faults=FaultLog(clock=clock))
        try:
            await upgrade(database)
            await database.probe_write()
            with caplog.at_level(logging.WARNING, logger="bot.db.faults"):
                for connection in proxy.connections:
                    connection.hold()
                started = time.monotonic()
                async with asyncio.timeout(5):
                    results = await asyncio.gather(
                        *(database.probe_write() for _ in range(3)), return_exceptions=True
                    )
                assert all(isinstance(result, StorageUnavailable) for result in results), results
                assert time.monotonic() - started < PROBE_TIMEOUT_SECONDS + 0.5
                await until(lambda: database.faults.current is Fault.BUSY, "the stalled write: busy")
                for connection in proxy.connections:
                    connection.flowing.set()
                clock.advance(FAULT_QUIET_SECONDS)
                async with asyncio.timeout(5):
                    while True:
                        try:
                            await database.probe_write()
                            break
                        except StorageUnavailable:
                            clock.advance(FAULT_QUIET_SECONDS)  # the held probe finished meanwhile
        finally:
            await database.dispose()
    assert fault_lines(caplog) == ["database fault started: busy", "database fault ended: busy"]
