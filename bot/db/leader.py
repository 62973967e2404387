"""Which process runs the daily scheduler on PostgreSQL: at most one at a time.

The leader holds a session-level advisory lock on a connection of its own. The lock goes away
with that connection, so when the leading process dies another one takes over at its next try.
"""

from __future__ import annotations

import logging
import zlib

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.faults import translated

log = logging.getLogger(__name__)

SCHEDULER_LOCK = 7_160_002


def platform_lock(platform: str) -> int:
    """The advisory lock of one platform's scheduler: each platform has a leader of its own,
    among the processes that can post to it."""
    return (SCHEDULER_LOCK << 32) | zlib.crc32(platform.encode())


class AdvisoryLockLeader:
    def __init__(self, engine: AsyncEngine, key: int = SCHEDULER_LOCK) -> None:
        self.engine = engine
        self.key = key
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                log.warning("lost the scheduler lock's connection; trying to lead again")
                await self._drop()
        async with translated():  # the database unreachable is a fault, not a bug
            connection = await (await self.engine.connect()).execution_options(isolation_level="AUTOCOMMIT")
            try:
                won = (
                    await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
                ).scalar()
            except DBAPIError:
                await connection.close()
                raise
        if won:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except DBAPIError:
                log.debug("closing a broken lock connection failed", exc_info=True)

    async def release(self) -> None:
        """Give the lead up. Should the unlock fail (the connection broken, the database gone:
        this runs while stopping), the connection is closed for good instead of going back to
        the pool, and the lock goes with its session; stopping carries on."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except DBAPIError as error:
            log.warning("could not unlock the scheduler lock (%s); closing its connection", error.orig)
            await _discard(connection)
            return
        await connection.close()


async def _discard(connection: AsyncConnection) -> None:
    """Close a connection for good (not back to the pool), ending its session and its locks."""
    try:
        await connection.invalidate()
        await connection.close()
    except DBAPIError:
        log.debug("closing a broken lock connection failed", exc_info=True)
