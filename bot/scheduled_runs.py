"""The runs of an APScheduler's coroutine jobs under way, so that stopping lets them finish.

`AsyncIOScheduler.shutdown` cancels the coroutine jobs running at that moment, wherever they
are: a question of the day sent and not yet recorded, a delivery between the platform's answer
and its row, a query on the scheduler lock's own connection. That last one broke the connection
under the unlock that followed, and `studybot serve` exited 1 on SIGTERM (issue 13). `stop`
pauses the scheduler, waits for the runs under way, and only then shuts it down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler


class ScheduledRuns:
    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.scheduler = scheduler
        self._under_way: set[asyncio.Task[Any]] = set()

    @property
    def under_way(self) -> int:
        return len(self._under_way)

    @asynccontextmanager
    async def one(self) -> AsyncIterator[None]:
        """Count the current task as a run under way while the block runs."""
        task = asyncio.current_task()
        assert task is not None, "scheduled runs are tasks"
        self._under_way.add(task)
        try:
            yield
        finally:
            self._under_way.discard(task)

    async def stop(self) -> None:
        """Start no new run, let those under way finish, then shut the scheduler down. Cut
        short (cancelled: the caller's deadline passed), it shuts down at once, which cancels
        the runs still under way."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        try:
            while self._under_way:
                await asyncio.wait(set(self._under_way))
        finally:
            self.scheduler.shutdown(wait=False)
