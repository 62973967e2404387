"""The work an adapter acknowledged and is still doing, so that stopping lets it finish first."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
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

    def spawn(self, work: Coroutine[Any, Any, object]) -> asyncio.Task[object]:
        """Run `work` in a task of its own, in flight (and strongly referenced) until it ends.
        An exception it raises is logged here, since nobody awaits the task."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("%s work failed", self.platform, exc_info=error)

    async def drain(self, timeout: float) -> None:
        """Wait until the work in flight has finished, at most `timeout` seconds. Work started
        meanwhile by the work in flight is waited for too."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks:
            remaining = deadline - loop.time()
            if remaining <= 0:
                log.warning("stopping with %d %s requests unfinished", len(self._tasks), self.platform)
                return
            await asyncio.wait(set(self._tasks), timeout=remaining)
