"""The turns of a process's SQLite write transactions: one at a time, those an acknowledgement
waits for first (`bot.app.urgent`), each kind in the order it asked."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app.urgent import ACKNOWLEDGING

URGENT, LATER = 0, 1


class WriteTurns:
    def __init__(self) -> None:
        self._taken = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold the write turn while the block runs."""
        if self._taken:
            given: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            rank = URGENT if ACKNOWLEDGING.get() else LATER
            heapq.heappush(self._waiting, (rank, next(self._order), given))
            try:
                await given
            except asyncio.CancelledError:
                if given.done() and not given.cancelled():
                    self._pass_on()  # given the turn, but cancelled before taking it
                raise
        self._taken = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        """Give the turn to the first waiter still waiting (cancelled ones are skipped), or free it."""
        while self._waiting:
            _, _, given = heapq.heappop(self._waiting)
            if not given.done():
                given.set_result(None)
                return
        self._taken = False
