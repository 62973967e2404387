"""Engines, connection set-up and transactions, for SQLite (aiosqlite) and PostgreSQL (asyncpg).

SQLite takes one writer at a time. Writes therefore go through a separate one-connection engine
whose transactions start with BEGIN IMMEDIATE: a writer waits for the lock up front (within the
busy timeout) instead of failing half-way when a read transaction tries to become a write one.

A transaction written as one synchronous function (`write_sync`, which batches of answers use,
and `read_sync`) runs on SQLite in a thread of its own on a plain `sqlite3` connection
(`bot.db.threaded`): one hop from the event loop for the whole transaction. The process takes
its SQLite write transactions one at a time (`_write_lock`), so its two writer connections
never wait on each other's file lock. The write-ahead log is copied back into the database
file by a checkpoint thread (`bot.db.checkpoint`), not inside these commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bot.db.checkpoint import Checkpointer
from bot.db.threaded import ThreadedEngine
from bot.errors import StorageUnavailable

SQLITE_BUSY_TIMEOUT_MS = 5000

T = TypeVar("T")


def async_url(url: str) -> str:
    """Map plain `sqlite:///PATH` and `postgresql://...` URLs onto the async drivers."""
    parsed = make_url(url)
    driver = {
        "sqlite": "sqlite+aiosqlite",
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
    }.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _prepare_sqlite(engine: Engine, *, immediate: bool, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "synchronous=NORMAL",
            f"busy_timeout={busy_timeout_ms}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sync_sqlite(url: URL, *, immediate: bool, busy_timeout_ms: int) -> Engine:
    """A one-connection `sqlite3` engine for a `ThreadedEngine` or the `Checkpointer`."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    _prepare_sqlite(engine, immediate=immediate, busy_timeout_ms=busy_timeout_ms)
    return engine


def _no_automatic_checkpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


class Database:
    def __init__(self, url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
        self.url = async_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.reader = create_async_engine(self.url, pool_size=4, max_overflow=4, pool_timeout=60)
            self.writer = create_async_engine(self.url, pool_size=1, max_overflow=0, pool_timeout=60)
            _prepare_sqlite(self.reader.sync_engine, immediate=False, busy_timeout_ms=busy_timeout_ms)
            _prepare_sqlite(self.writer.sync_engine, immediate=True, busy_timeout_ms=busy_timeout_ms)
            sync_url = parsed.set(drivername="sqlite")
            reader, writer, checkpointer = (
                _sync_sqlite(sync_url, immediate=immediate, busy_timeout_ms=busy_timeout_ms)
                for immediate in (False, True, False)
            )
            event.listen(writer, "connect", _no_automatic_checkpoint)
            self._sync_reader: ThreadedEngine | None = ThreadedEngine(reader, "sqlite-reader")
            self._sync_writer: ThreadedEngine | None = ThreadedEngine(writer, "sqlite-writer")
            self.checkpointer: Checkpointer | None = Checkpointer(checkpointer)
            self._write_lock: AbstractAsyncContextManager[Any] = asyncio.Lock()
        else:
            self.reader = self.writer = create_async_engine(
                self.url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            self._sync_reader = self._sync_writer = None
            self.checkpointer = None
            self._write_lock = nullcontext()

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with _translated(), self.reader.begin() as connection:
            yield connection

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction that commits when the block ends and rolls back on any error."""
        async with self._write_lock, _translated(), self.writer.begin() as connection:
            yield connection

    async def read_sync(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one read transaction: on SQLite in the reader thread, on
        PostgreSQL through `run_sync`."""
        if self._sync_reader is None:
            async with self.read() as connection:
                return await connection.run_sync(work)
        async with _translated():
            return await self._sync_reader.transaction(work)

    async def write_sync(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one write transaction, committed when it returns and rolled back
        when it raises: on SQLite in the writer thread, on PostgreSQL through `run_sync`."""
        if self._sync_writer is None or self.checkpointer is None:
            async with self.write() as connection:
                return await connection.run_sync(work)
        async with self._write_lock, _translated():
            result = await self._sync_writer.transaction(work)
        self.checkpointer.committed()
        return result

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
        for threaded in (self._sync_reader, self._sync_writer):
            if threaded is not None:
                await threaded.dispose()
        if self.checkpointer is not None:
            await self.checkpointer.close()


def describe(error: DBAPIError) -> str:
    text = str(error.orig).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "The quiz database is read-only right now, so nothing was saved."
    if "locked" in text or "busy" in text:
        return "The quiz database is busy right now, so nothing was saved. Try again in a moment."
    return "The quiz database cannot be reached right now, so nothing was saved."


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    try:
        yield
    except OperationalError as error:
        raise StorageUnavailable(describe(error)) from error
    except OSError as error:
        raise StorageUnavailable("The quiz database cannot be reached right now.") from error
