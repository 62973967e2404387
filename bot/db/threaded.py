"""A synchronous SQLite engine whose transactions run whole in a thread of its own (or one of a
few, for readers).

aiosqlite sends every step of every statement (cursor, execute, fetch, close) to its thread and
back, and each return waits for its turn on the event loop: on a busy loop a transaction of a
few statements then takes several milliseconds of waiting. Here a transaction is written as one
synchronous function and crosses to the thread once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")


class ThreadedEngine:
    def __init__(self, engine: Engine, name: str, threads: int = 1) -> None:
        self.engine = engine
        self.name = name
        self.threads = threads
        self._thread: ThreadPoolExecutor | None = None

    async def transaction(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one transaction, committed when it returns, rolled back when it
        raises."""

        def run() -> T:
            with self.engine.begin() as connection:
                return work(connection)

        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix=self.name)
        return await asyncio.get_running_loop().run_in_executor(self._thread, run)

    async def reopen(self) -> None:
        """Close the connections in the thread that uses them; the next transaction opens anew."""
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self.engine.dispose)

    async def dispose(self) -> None:
        """Close the connection in the thread that uses it, and end the thread."""
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self.engine.dispose)
            self._thread.shutdown()
            self._thread = None
