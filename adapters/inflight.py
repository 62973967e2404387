"""The work an adapter acknowledged and is still doing, so that stopping lets it finish first,
and the deadline every step of stopping keeps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class InFlight:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.closed = False
        """Set when stopping: the adapter answers new work "restarting" instead of starting it."""
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

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
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

    async def drain(self, timeout: float, what: str = "requests", wind_down: float = 0.0) -> int:
        """Wait until the work in flight has finished, at most `timeout` seconds. Work started
        meanwhile by the work in flight is waited for too. What is still running then is
        cancelled (given `wind_down` seconds more to tell its users), logged and counted: the
        number is returned."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks:
            remaining = deadline - loop.time()
            if remaining <= 0:
                left = set(self._tasks)
                log.warning("stopping with %d %s %s unfinished", len(left), self.platform, what)
                for task in left:
                    task.cancel()
                if wind_down > 0:
                    await asyncio.wait(left, timeout=wind_down)
                return len(left)
            await asyncio.wait(set(self._tasks), timeout=remaining)
        return 0


async def within(work: Awaitable[object], deadline: float, what: str) -> bool:
    """Await a step of stopping until `deadline` (the loop's clock), so that stopping is never
    held up by a platform that cannot be reached; False, and a log line, if it had to be cut
    short or failed. A step that fails is logged with its traceback and the next steps still
    run: one that raised out of here once skipped draining the acknowledged work and made
    `studybot serve` exit 1 on SIGTERM (issue 13)."""
    try:
        async with asyncio.timeout_at(deadline):
            await work
    except TimeoutError:
        log.warning("%s did not finish within the stop grace; going on without it", what)
        return False
    except Exception:
        log.exception("%s failed; going on with stopping", what)
        return False
    return True


async def settled_within(work: asyncio.Future[Any], seconds: float) -> bool:
    """Wait for `work` at most `seconds`, without cancelling it: whether it has settled (an
    answer recorded before its click is acknowledged, within the platform's deadline)."""
    done, _ = await asyncio.wait({work}, timeout=seconds)
    return bool(done)


def being_cancelled() -> bool:
    """Whether the running task is being cancelled (stopping cut its work short): its journal
    row is then left for stopping to mark abandoned once its person was told, not marked done."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
