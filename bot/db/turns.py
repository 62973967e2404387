"""The SQLite writer: one thread that takes the process's write transactions one at a time,
those an acknowledgement waits for (`bot.app.urgent`) first, each kind in the order it asked.
So that the other writes (the work already acknowledged) are never starved by two group commits
taking turns, one of them goes after every `URGENT_IN_A_ROW` urgent turns.

The thread picks the next transaction itself the moment one commits. When the turns were taken
on the event loop instead, a transaction's turn lasted until the loop had resumed its writer
and that writer had handed the turn on, and the next writer had been resumed in its turn: on a
busy loop, several waits for the loop per transaction, which an acknowledgement waiting behind
two or three transactions paid for each (4 ms at the median, 70 ms at the 99th percentile, at
500 Slack requests a second).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")

URGENT_IN_A_ROW = 2

_Job = tuple[Callable[[], Any], "Future[Any]"]


class WriterThread:
    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._lock = threading.Lock()
        self._urgent: deque[_Job] = deque()
        self._later: deque[_Job] = deque()
        self._urgent_in_a_row = 0
        self._thread: ThreadPoolExecutor | None = None

    async def transaction(self, work: Callable[[Connection], T], urgent: bool) -> T:
        """`work(connection)` in one transaction, committed when it returns, rolled back when it
        raises, in its turn."""

        def run() -> T:
            with self.engine.begin() as connection:
                return work(connection)

        return await asyncio.wrap_future(self._submit(run, urgent))

    @asynccontextmanager
    async def held(self, urgent: bool) -> AsyncIterator[None]:
        """Keep the thread waiting, in its turn, while the block runs: a write on another
        connection (the async engine's), which must not overlap with the thread's."""
        loop = asyncio.get_running_loop()
        holding: asyncio.Future[None] = loop.create_future()
        released = threading.Event()

        def hold() -> None:
            loop.call_soon_threadsafe(_settle, holding)
            released.wait()

        job = self._submit(hold, urgent)
        try:
            await holding
            yield
        finally:
            released.set()
            job.cancel()  # a hold not yet started never starts

    async def reopen(self) -> None:
        """Close the connection in the thread that uses it; the next transaction opens anew."""
        await asyncio.wrap_future(self._submit(self.engine.dispose, urgent=True))

    async def dispose(self) -> None:
        """Close the connection in its thread, and end the thread."""
        if self._thread is not None:
            await self.reopen()
            self._thread.shutdown()
            self._thread = None

    def _submit(self, call: Callable[[], T], urgent: bool) -> Future[T]:
        job: Future[T] = Future()
        with self._lock:
            (self._urgent if urgent else self._later).append((call, job))
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.name)
        # One run per job: each runs whichever job goes first when the thread gets to it.
        self._thread.submit(self._run_next)
        return job

    def _run_next(self) -> None:
        """In the thread: run the waiting job that goes first; those cancelled while they
        waited are dropped."""
        while True:
            with self._lock:
                picked = self._next()
            if picked is None:
                return
            call, job = picked
            if job.set_running_or_notify_cancel():
                break
        try:
            result = call()
        except BaseException as error:  # handed to the waiting coroutine, as an executor does
            job.set_exception(error)
        else:
            job.set_result(result)

    def _next(self) -> _Job | None:
        urgent = bool(self._urgent) and not (self._later and self._urgent_in_a_row >= URGENT_IN_A_ROW)
        self._urgent_in_a_row = self._urgent_in_a_row + 1 if urgent else 0
        waiting = self._urgent if urgent else self._later
        return waiting.popleft() if waiting else None


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
