"""The readiness write probe: bounded in time, one at a time.

/readyz answers within `timeout_seconds` whatever the database does: a probe that has not
finished by then makes it 503, and the probe goes on in the background. Polls that come while
a probe is under way wait for that one (each at most `timeout_seconds`) instead of starting
their own, so a locked or stalled database never gathers a pile of probes. A probe that has not
finished after `stall_seconds` (SQLite's busy timeout: after it a waiting write is refused as
busy) counts as the busy fault, logged once when it starts and once when writes succeed again:
a stalled PostgreSQL connection refuses nothing, it just does not answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress

from bot.db.faults import DatabaseFault, Fault, FaultLog

# Within Kubernetes' default probe timeout (1 s): past it the kubelet counts a failure anyway.
PROBE_TIMEOUT_SECONDS = 0.9
# SQLite's busy timeout (`bot.db.database.SQLITE_BUSY_TIMEOUT_MS`).
STALL_SECONDS = 5.0


class WriteProbe:
    def __init__(
        self,
        write: Callable[[], Awaitable[None]],
        faults: FaultLog,
        timeout_seconds: float = PROBE_TIMEOUT_SECONDS,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self._write = write
        self._faults = faults
        self.timeout_seconds = timeout_seconds
        self.stall_seconds = stall_seconds
        self._under_way: asyncio.Task[None] | None = None

    async def check(self) -> None:
        """Raise StorageUnavailable unless a write succeeded now (within the timeout) and no
        fault is under way (the quiet period after one included)."""
        if self._under_way is None or self._under_way.done():
            self._under_way = asyncio.create_task(self._probe(), name="database-write-probe")
            # Its failure is every waiting poll's answer; none may be waiting any more.
            self._under_way.add_done_callback(_retrieved)
        probe = self._under_way
        done, _ = await asyncio.wait({probe}, timeout=self.timeout_seconds)
        if not done:
            raise DatabaseFault(self._faults.current or Fault.BUSY)
        probe.result()
        if self._faults.current is not None:
            raise DatabaseFault(self._faults.current)

    async def _probe(self) -> None:
        write = asyncio.ensure_future(self._write())
        waited = 0.0
        try:
            while True:
                done, _ = await asyncio.wait({write}, timeout=self.stall_seconds)
                if done:
                    write.result()
                    self._faults.succeeded()
                    return
                waited += self.stall_seconds
                self._faults.failed(Fault.BUSY, f"a write has not finished after {waited:.1f} s")
        finally:
            write.cancel()

    async def close(self) -> None:
        if self._under_way is not None:
            self._under_way.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self._under_way


def _retrieved(probe: asyncio.Task[None]) -> None:
    if not probe.cancelled():
        probe.exception()
