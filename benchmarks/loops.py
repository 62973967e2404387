"""Load shapes: closed loop (N clients, each sends when its last answer came back) and open loop
(arrivals on a fixed timetable, latency measured from the scheduled time, so a stalled server
cannot hide its backlog: no coordinated omission)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `samples` (fraction 0.99 for p99)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Closed:
    done: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.done / self.seconds


async def closed_loop(clients: int, seconds: float, call: Callable[[int, int], Awaitable[bool]]) -> Closed:
    """`clients` loops, each awaiting `call(client, n)` for n = 0, 1, ... until `seconds` have
    passed or the call returns False (out of work). Counts completed calls."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def client(number: int) -> None:
        nonlocal done
        n = 0
        while time.perf_counter() < deadline:
            if not await call(number, n):
                return
            done += 1
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return Closed(done, time.perf_counter() - started)


@dataclass(frozen=True)
class Open:
    offered: float
    latencies: list[float]
    seconds: float

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)

    @property
    def achieved(self) -> float:
        return len(self.latencies) / self.seconds


async def open_loop(rate: float, seconds: float, call: Callable[[int], Awaitable[object]]) -> Open:
    """Start `call(n)` at start + n / rate for `seconds`; each latency runs from its slot."""
    total = int(rate * seconds)
    latencies: list[float] = []
    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter() + 0.05

    async def one(n: int, slot: float) -> None:
        await call(n)
        latencies.append(time.perf_counter() - slot)

    for n in range(total):
        slot = start + n / rate
        wait = slot - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(n, slot))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*list(tasks))
    return Open(rate, latencies, time.perf_counter() - start)
