"""Spacing for the bot's own posts, to stay under Discord's global limit of 50 requests a second.

discord.py keeps the per-route buckets (one per channel for channel messages) and, after a
global 429, holds every request until Discord's `retry_after`; it does not count requests to stay
under the global limit beforehand. The question of the day can fall due in many channels in the
same second, so its posts take turns here first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

POSTS_PER_SECOND = 40.0
"""Leaves room under 50 for the answer counts the bot edits meanwhile."""


class Pace:
    def __init__(
        self,
        per_second: float = POSTS_PER_SECOND,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def turn(self) -> None:
        """Wait for the next free slot; slots are `interval` apart, taken in call order."""
        now = self._now()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)
