"""Engines, connection set-up and transactions, for SQLite (aiosqlite) and PostgreSQL (asyncpg).

SQLite takes one writer at a time. Writes therefore go through a separate one-connection engine
whose transactions start with BEGIN IMMEDIATE: a writer waits for the lock up front (within the
busy timeout) instead of failing half-way when a read transaction tries to become a write one.

Every transaction is written as one synchronous function (`Database.read`, `Database.write`)
and runs on SQLite in a thread of its own on a plain `sqlite3` connection (`bot.db.threaded`):
one hop from the event loop for the whole transaction. The write-ahead log is copied back into the database
file by a checkpoint thread (`bot.db.checkpoint`), not inside these commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bot.db.checkpoint import Checkpointer
from bot.db.faults import DatabaseFault, Fault, FaultLog, translated
from bot.db.probe import PROBE_TIMEOUT_SECONDS, WriteProbe
from bot.db.tables_outbox import write_probe
from bot.db.threaded import ThreadedEngine
from bot.db.turns import WriteTurns

SQLITE_BUSY_TIMEOUT_MS = 5000
# Read transactions that run at once on SQLite (write-ahead log: they never wait for the writer).
SQLITE_READERS = 2

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


def _sync_sqlite(url: URL, *, immediate: bool, busy_timeout_ms: int, size: int = 1) -> Engine:
    """A `sqlite3` engine of `size` connections for a `ThreadedEngine` or the `Checkpointer`."""
    engine = create_engine(url, pool_size=size, max_overflow=0)
    _prepare_sqlite(engine, immediate=immediate, busy_timeout_ms=busy_timeout_ms)
    return engine


def _no_automatic_checkpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


class Database:
    """The engines of one database, and its one way to run a transaction: `read(work)` or
    `write(work)`, where `work` is a synchronous function of a connection.

    On SQLite the function runs whole on a plain `sqlite3` connection in a thread of the
    database's own (`bot.db.threaded`): one hop from the event loop per transaction. aiosqlite
    would take three or four hops per statement, each waiting its turn on a busy loop. On
    PostgreSQL it runs on an asyncpg connection through SQLAlchemy's `run_sync`.

    `engine` is an async engine (aiosqlite or asyncpg) for the code that needs one: Slack's
    installation store (slack_sdk's stores take an `AsyncEngine`), the scheduler's advisory
    lock on PostgreSQL and `studybot db export|import`; on SQLite their writes go through
    `engine_for_writes`, whose transactions start with BEGIN IMMEDIATE. Pools open connections
    only when they are used.
    """

    def __init__(
        self,
        url: str,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        readers: int = SQLITE_READERS,
        faults: FaultLog | None = None,
        probe_timeout_seconds: float = PROBE_TIMEOUT_SECONDS,
    ) -> None:
        self.url = async_url(url)
        self.faults = FaultLog() if faults is None else faults
        self._readiness = WriteProbe(
            lambda: self.write(_probe), self.faults, probe_timeout_seconds, busy_timeout_ms / 1000
        )
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(self.url, pool_size=2, max_overflow=2, pool_timeout=60)
            self.engine_for_writes = create_async_engine(
                self.url, pool_size=1, max_overflow=0, pool_timeout=60
            )
            _prepare_sqlite(self.engine.sync_engine, immediate=False, busy_timeout_ms=busy_timeout_ms)
            _prepare_sqlite(
                self.engine_for_writes.sync_engine, immediate=True, busy_timeout_ms=busy_timeout_ms
            )
            sync_url = parsed.set(drivername="sqlite")
            reader = _sync_sqlite(sync_url, immediate=False, busy_timeout_ms=busy_timeout_ms, size=readers)
            writer, checkpointer = (
                _sync_sqlite(sync_url, immediate=immediate, busy_timeout_ms=busy_timeout_ms)
                for immediate in (True, False)
            )
            event.listen(writer, "connect", _no_automatic_checkpoint)
            self._reader: ThreadedEngine | None = ThreadedEngine(reader, "sqlite-reader", readers)
            self._writer: ThreadedEngine | None = ThreadedEngine(writer, "sqlite-writer")
            self.checkpointer: Checkpointer | None = Checkpointer(checkpointer)
            self._turns: WriteTurns | None = WriteTurns()
        else:
            self.engine = self.engine_for_writes = create_async_engine(
                self.url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            self._reader = self._writer = None
            self.checkpointer = None
            self._turns = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def read(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one read transaction."""
        if self._reader is None:
            async with translated(), self.engine.begin() as connection:
                return await connection.run_sync(work)
        async with translated():
            return await self._reader.transaction(work)

    async def write(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one write transaction, committed when it returns and rolled back
        when it raises. On SQLite the process takes its write transactions one at a time.

        A fault is logged once when it starts and once it is over (`bot.db.faults`). A write
        refused as read-only is tried once more on connections opened anew: one opened while the
        database was read-only stays read-only after it is writable again (SQLite's fallback
        open, PostgreSQL's `default_transaction_read_only`)."""
        try:
            try:
                result = await self._write(work)
            except DatabaseFault as fault:
                if fault.fault is not Fault.READ_ONLY:
                    raise
                # Perhaps only this connection is read-only: once more on a new one.
                await self._reopen_for_writes()
                result = await self._write(work)
        except DatabaseFault as fault:
            self.faults.failed(fault.fault, fault.__cause__ or fault)
            raise
        self.faults.succeeded()
        return result

    async def probe_write(self) -> None:
        """Raise StorageUnavailable unless a write would succeed now and no fault is under way
        (readiness): one row written and committed within a short timeout, one probe at a time
        (`bot.db.probe`)."""
        await self._readiness.check()

    async def _reopen_for_writes(self) -> None:
        if self._writer is not None:
            await self._writer.reopen()
            await self.engine_for_writes.dispose()
        else:
            await self.engine.dispose()

    async def _write(self, work: Callable[[Connection], T]) -> T:
        if self._writer is None or self.checkpointer is None:
            async with translated(), self.engine.begin() as connection:
                return await connection.run_sync(work)
        async with self._write_turn(), translated():
            result = await self._writer.transaction(work)
        self.checkpointer.committed()
        return result

    def _write_turn(self) -> AbstractAsyncContextManager[None]:
        """SQLite: the process's write transactions one at a time (`bot.db.turns`)."""
        return nullcontext() if self._turns is None else self._turns.turn()

    async def ping(self) -> None:
        """Raise StorageUnavailable unless the database answers."""
        await self.read(_select_one)

    @asynccontextmanager
    async def async_transaction(self, *, write: bool) -> AsyncIterator[AsyncConnection]:
        """A transaction on the async engine, for whole-database tools: migrations and
        `studybot db export|import` (which streams rows); use cases use `read`/`write`."""
        engine = self.engine_for_writes if write else self.engine
        turn = self._write_turn() if write else nullcontext()
        async with turn, translated(), engine.begin() as connection:
            yield connection

    async def dispose(self) -> None:
        await self._readiness.close()
        await self.engine.dispose()
        if self.engine_for_writes is not self.engine:
            await self.engine_for_writes.dispose()
        for threaded in (self._reader, self._writer):
            if threaded is not None:
                await threaded.dispose()
        if self.checkpointer is not None:
            await self.checkpointer.close()


def _select_one(connection: Connection) -> None:
    connection.execute(text("SELECT 1"))


def _probe(connection: Connection) -> None:
    """A row written and removed in one committed transaction: the table stays empty (exports
    and imports never see it), and the commit still needs a writable database with room."""
    probe_id = connection.execute(
        insert(write_probe).values(probed=1).returning(write_probe.c.id)
    ).scalar_one()
    connection.execute(delete(write_probe).where(write_probe.c.id == probe_id))
