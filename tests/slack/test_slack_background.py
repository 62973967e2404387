"""The work after the ack: the cap on work running at once, and the tracker that stopping drains."""

from __future__ import annotations

import asyncio
import logging
from typing import NamedTuple

import aiohttp
import pytest

from adapters.inflight import InFlight
from adapters.slack.background import Background, Outcome, Replies

# A broken cap makes a test fail after this long instead of hanging.
DEADLINE = 5.0


class Piece(NamedTuple):
    n: int
    response_url: None = None


class Gated:
    """Pieces of work that each wait for the test to let them finish, counting how many run."""

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0
        self.entered: asyncio.Queue[int] = asyncio.Queue()
        self.gates = [asyncio.Event() for _ in range(5)]

    async def work(self, piece: Piece) -> Outcome:
        self.running += 1
        self.peak = max(self.peak, self.running)
        await self.entered.put(piece.n)
        await self.gates[piece.n].wait()
        self.running -= 1
        return "ok"

    async def next_entered(self) -> int:
        return await asyncio.wait_for(self.entered.get(), DEADLINE)


async def test_work_beyond_the_slots_waits_for_one_and_all_of_it_runs() -> None:
    inflight = InFlight("Slack")
    gated = Gated()
    async with aiohttp.ClientSession() as session:
        background = Background(inflight, Replies(session), slots=2)
        route = background.route("action", "answer", gated.work, Piece._make)
        for n in range(5):
            background.start(route, Piece(n))

        assert [await gated.next_entered(), await gated.next_entered()] == [0, 1]
        for n in range(3):
            gated.gates[n].set()
            assert await gated.next_entered() == n + 2
        gated.gates[3].set()
        gated.gates[4].set()
        await inflight.drain(DEADLINE)

    assert gated.peak == 2
    assert gated.running == 0


async def test_stopping_waits_for_work_started_meanwhile_and_failures_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inflight = InFlight("Slack")
    go, started, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def later() -> None:
        started.set()
        await release.wait()

    async def first() -> None:
        await go.wait()
        inflight.spawn(later())
        raise RuntimeError("disk on fire")

    spawned = inflight.spawn(first())
    with caplog.at_level(logging.ERROR, logger="adapters.inflight"):
        draining = asyncio.ensure_future(inflight.drain(DEADLINE))
        go.set()
        await asyncio.wait_for(started.wait(), DEADLINE)
        await asyncio.wait({spawned})
        assert not draining.done()
        release.set()
        await draining

    [record] = caplog.records
    assert record.getMessage() == "Slack work failed"
    assert record.exc_info is not None and "disk on fire" in str(record.exc_info[1])
