"""Slack takes about one message per second per channel: posts to one channel are spaced out.

The question of the day posts once per channel and day, but the reveal of yesterday's question
and today's question go to the same channel back to back. Each channel waits only for its own
previous post; other channels go ahead meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

MIN_SPACING_SECONDS = 1.0

Sleep = Callable[[float], Awaitable[None]]


class ChannelPacer:
    def __init__(
        self,
        spacing: float = MIN_SPACING_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.spacing = spacing
        self.clock = clock
        self.sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Wait until `channel` may take a message, then hold it while the message is sent."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            last = self._last.get(channel)
            if last is not None:
                wait = last + self.spacing - self.clock()
                if wait > 0:
                    await self.sleep(wait)
            try:
                yield
            finally:
                self._last[channel] = self.clock()
