"""At most one send per key per interval, the latest value last: for updates Slack rate-limits.

The first value for a key is sent at once. Values submitted while it is being sent, or within
`interval` of it, wait; once the interval has passed only the latest of them is sent, and so on
until a whole interval passes with nothing new. So a burst of clicks on one message costs one
`chat.update` a second, and the last one always shows the final state.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.errors import StorageUnavailable

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")

Sleep = Callable[[float], Awaitable[None]]
Spawn = Callable[[Coroutine[Any, Any, None]], object]


@dataclass(slots=True)
class _Slot(Generic[V]):
    value: V
    fresh: bool = True
    """A value was submitted since the last send."""


class Debouncer(Generic[K, V]):
    def __init__(
        self,
        send: Callable[[K, V], Awaitable[None]],
        spawn: Spawn,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`spawn` runs the sender of a key as a task (InFlight.spawn, so stopping waits for it)."""
        self._send = send
        self._spawn = spawn
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._slots: dict[K, _Slot[V]] = {}
        self._flushing = asyncio.Event()

    def submit(self, key: K, value: V) -> None:
        slot = self._slots.get(key)
        if slot is not None:
            slot.value, slot.fresh = value, True
            return
        slot = self._slots[key] = _Slot(value)
        self._spawn(self._sender(key, slot))

    def flush(self) -> None:
        """Stop waiting out intervals: what is pending is sent now (for stopping)."""
        self._flushing.set()

    async def _sender(self, key: K, slot: _Slot[V]) -> None:
        try:
            while slot.fresh:
                slot.fresh = False
                sent_at = self._clock()
                try:
                    await self._send(key, slot.value)
                except StorageUnavailable as error:  # the database's fault, logged where it began
                    log.warning("sending the update for %s failed (%s)", key, error)
                except Exception:
                    log.exception("sending the update for %s failed", key)
                await self._pause(sent_at + self.interval - self._clock())
        finally:
            del self._slots[key]

    async def _pause(self, seconds: float) -> None:
        if seconds <= 0 or self._flushing.is_set():
            return
        pause = asyncio.ensure_future(self._sleep(seconds))
        flushed = asyncio.ensure_future(self._flushing.wait())
        await asyncio.wait({pause, flushed}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (pause, flushed):
            waiter.cancel()
