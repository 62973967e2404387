"""Checkpoints of SQLite's write-ahead log, taken off the writer's path.

SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages: that
commit copies the log into the database file and syncs it, and the batch of answers waiting on
it takes several milliseconds longer. The batch writer's connection therefore turns automatic
checkpoints off, and after every few commits a PASSIVE checkpoint, which never waits for or
blocks the writer, runs on a connection and a thread of its own.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

log = logging.getLogger(__name__)

COMMITS_PER_CHECKPOINT = 20


class Checkpointer:
    def __init__(self, engine: Engine, every: int = COMMITS_PER_CHECKPOINT) -> None:
        self.engine = engine
        self.every = every
        self._commits = 0
        self._thread: ThreadPoolExecutor | None = None
        self._running: asyncio.Future[None] | None = None

    def committed(self) -> None:
        """Count a commit; start a checkpoint when enough have been made and none is running."""
        self._commits += 1
        if self._commits < self.every or (self._running is not None and not self._running.done()):
            return
        self._commits = 0
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")
        self._running = asyncio.get_running_loop().run_in_executor(self._thread, self._checkpoint)

    def _checkpoint(self) -> None:
        connection = self.engine.raw_connection()
        try:
            connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:
            log.warning("SQLite checkpoint failed; the next one will try again", exc_info=True)
        finally:
            connection.close()

    async def close(self) -> None:
        """Wait for a checkpoint under way, close the connection in its thread, end the thread."""
        if self._thread is None:
            return
        if self._running is not None:
            await self._running
        await asyncio.get_running_loop().run_in_executor(self._thread, self.engine.dispose)
        self._thread.shutdown()
        self._thread = None
