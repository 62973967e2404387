"""The interactions being worked on, so that a shutdown lets them finish their replies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class InFlight:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            yield
        finally:
            self._tasks.discard(task)

    async def drain(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for the work under way to end."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
