"""The turns of a process's SQLite write transactions: one at a time, those an acknowledgement
waits for first (`bot.app.urgent`), each kind in the order it asked. So that the other writes
(the work already acknowledged) are never starved by two group commits taking turns, one of them
goes after every `URGENT_IN_A_ROW` urgent turns."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app.urgent import ACKNOWLEDGING

URGENT_IN_A_ROW = 2


class WriteTurns:
    def __init__(self) -> None:
        self._taken = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._later: deque[asyncio.Future[None]] = deque()
        self._urgent_in_a_row = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold the write turn while the block runs."""
        if self._taken:
            given: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            (self._urgent if ACKNOWLEDGING.get() else self._later).append(given)
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
        for waiting in (self._urgent, self._later):
            while waiting and waiting[0].done():
                waiting.popleft()
        urgent = bool(self._urgent) and not (self._later and self._urgent_in_a_row >= URGENT_IN_A_ROW)
        self._urgent_in_a_row = self._urgent_in_a_row + 1 if urgent else 0
        waiting = self._urgent if urgent else self._later
        if waiting:
            waiting.popleft().set_result(None)
        else:
            self._taken = False
