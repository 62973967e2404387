"""Issue 13 point 7: a read-only, locked or full database recovers without a restart, readiness
says whether a write would succeed, each fault is logged once when it starts and once when it
ends, and users are told in plain words."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from bot.bank import QuestionBank
from bot.bootstrap import compose
from bot.db.database import Database
from bot.db.faults import FAULT_QUIET_SECONDS, Fault, FaultLog
from bot.db.migrate import upgrade
from bot.errors import StorageUnavailable
from bot.models import Actor, Posted
from tests.conftest import FrozenClock, reset_postgres

ALICE = Actor("terminal", "local", "alice", "Alice")


def fault_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage().split(" (")[0].split(";")[0] for r in caplog.records if r.name == "bot.db.faults"]


class Ticking:
    """A monotonic clock a test moves by hand (the fault log's quiet period)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


async def test_a_locked_database_is_busy_then_recovers_logged_once_each_way(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "locked.db"
    clock = Ticking()
    database = Database(f"sqlite:///{path}", busy_timeout_ms=50, faults=FaultLog(clock=clock))
    await upgrade(database)
    await database.probe_write()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.db.faults"):
            for _ in range(3):
                with pytest.raises(StorageUnavailable, match="busy right now"):
                    await database.probe_write()
                clock.advance(1.0)
            holder.execute("ROLLBACK")
            # The write succeeds, but readiness waits out the quiet period after the fault.
            with pytest.raises(StorageUnavailable, match="busy right now"):
                await database.probe_write()
            clock.advance(FAULT_QUIET_SECONDS)
            await database.probe_write()
            await database.probe_write()
    finally:
        holder.close()
        await database.dispose()
    assert fault_lines(caplog) == ["database fault started: busy", "database fault ended: busy"]


async def test_a_full_database_says_so_and_takes_writes_again_once_there_is_room(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Some writes still fit in free pages while others are refused: the fault is logged once
    each way, and readiness stays not ready, until no write was refused for the quiet period."""
    clock = Ticking()
    database = Database(f"sqlite:///{tmp_path / 'full.db'}", faults=FaultLog(clock=clock))
    await upgrade(database)

    def limit(pages: int | None) -> object:
        def run(connection: Connection) -> None:
            count = connection.exec_driver_sql("PRAGMA page_count").scalar()
            connection.exec_driver_sql(f"PRAGMA max_page_count = {pages or count}")

        return run

    def fill(connection: Connection) -> None:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS filler (body TEXT)")
        connection.exec_driver_sql("INSERT INTO filler VALUES (?)", [("x" * 4000,)] * 50)

    await database.write(fill)
    await database.write(limit(None))  # the writer's connection may not grow the file any more
    try:
        with caplog.at_level(logging.WARNING, logger="bot.db.faults"):
            for _ in range(3):
                with pytest.raises(StorageUnavailable, match="the disk is full"):
                    await database.write(fill)
                clock.advance(0.1)
                await database.write(_small)  # fits in a free page
                clock.advance(0.1)
                with pytest.raises(StorageUnavailable, match="the disk is full"):
                    await database.probe_write()
            await database.write(limit(1_000_000))
            await database.write(fill)
            clock.advance(FAULT_QUIET_SECONDS - 0.5)
            await database.write(fill)
            with pytest.raises(StorageUnavailable, match="the disk is full"):
                await database.probe_write()
            clock.advance(0.5)
            await database.write(fill)
            await database.probe_write()
    finally:
        await database.dispose()
    assert fault_lines(caplog) == ["database fault started: disk full", "database fault ended: disk full"]


def _small(connection: Connection) -> None:
    connection.exec_driver_sql("UPDATE filler SET body = 'y' WHERE rowid = 1")


@pytest.mark.postgres
async def test_a_read_only_postgresql_database_takes_writes_again_without_a_restart(
    bank: QuestionBank, clock: FrozenClock, caplog: pytest.LogCaptureFixture, postgres_run_url: str
) -> None:
    """Sessions opened while the database was read-only stay read-only after it is writable
    again; the pool's connections are opened anew after a read-only fault."""
    url = postgres_run_url
    await reset_postgres(url)
    ticking = Ticking()
    database = Database(url, faults=FaultLog(clock=ticking))
    await upgrade(database)
    core = compose(database, bank, clock)
    admin = await asyncpg.connect(url)
    name = url.rsplit("/", 1)[1]
    try:
        await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        await database.engine.dispose()  # every connection from now on is opened read-only
        with caplog.at_level(logging.WARNING, logger="bot.db.faults"):
            with pytest.raises(StorageUnavailable, match="read-only"):
                await database.probe_write()
            with pytest.raises(StorageUnavailable, match="the database is read-only|read-only right now"):
                await core.quiz.ask(ALICE, "terminal", "ecs")
            # Reads still work; the pool now holds connections opened read-only.
            assert await database.read(lambda c: c.execute(text("SELECT 1")).scalar()) == 1
            await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
            ticking.advance(FAULT_QUIET_SECONDS)
            await database.probe_write()
            assert isinstance(await core.quiz.ask(ALICE, "terminal", "ecs"), Posted)
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        await admin.close()
        await database.dispose()
    assert fault_lines(caplog) == ["database fault started: read-only", "database fault ended: read-only"]


def test_two_faults_that_alternate_are_each_logged_once_each_way(caplog: pytest.LogCaptureFixture) -> None:
    """A full disk refuses some writes as full and others with an I/O error (unreachable):
    each fault is logged when it starts and when it has been quiet, not at every change."""
    clock = Ticking()
    faults = FaultLog(clock=clock)
    with caplog.at_level(logging.WARNING, logger="bot.db.faults"):
        for _ in range(5):
            faults.failed(Fault.FULL, "database or disk is full")
            clock.advance(0.1)
            faults.failed(Fault.UNREACHABLE, "disk I/O error")
            clock.advance(0.1)
            faults.succeeded()
        assert faults.current is Fault.UNREACHABLE
        clock.advance(FAULT_QUIET_SECONDS - 0.15)
        faults.succeeded()  # the full disk was last seen a quiet period ago, the I/O error not
        assert faults.current is Fault.UNREACHABLE
        clock.advance(0.1)
        faults.succeeded()
        assert faults.current is None
    assert fault_lines(caplog) == [
        "database fault started: disk full",
        "database fault started: unreachable",
        "database fault ended: disk full",
        "database fault ended: unreachable",
    ]


def test_a_fault_starts_with_one_line_in_the_driver_s_own_words(caplog: pytest.LogCaptureFixture) -> None:
    error = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    caplog.set_level(logging.WARNING, logger="bot.db.faults")

    FaultLog(clock=Ticking()).failed(Fault.BUSY, error)

    [started] = [r.getMessage() for r in caplog.records]
    assert started == "database fault started: busy (database is locked)"
