"""The work an adapter acknowledged and is still doing, so that stopping lets it finish first."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)


class InFlight:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self._tasks: set[asyncio.Task[Any]] = set()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        """Count the current task as in flight while the block runs."""
        task = asyncio.current_task()
        assert task is not None, "adapter work runs in tasks"
        self._tasks.add(task)
        try:
            yield
        finally:
            self._tasks.discard(task)

    async def drain(self, timeout: float) -> None:
        """Wait until the work in flight has finished, at most `timeout` seconds."""
        pending = set(self._tasks)
        if not pending:
            return
        _, unfinished = await asyncio.wait(pending, timeout=timeout)
        if unfinished:
            log.warning("stopping with %d %s requests unfinished", len(unfinished), self.platform)
