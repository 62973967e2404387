"""The SQLite write turns: the transactions an acknowledgement waits for go first."""

from __future__ import annotations

import asyncio

from bot.app.urgent import acknowledging
from bot.db.turns import WriteTurns


async def _writer(turns: WriteTurns, name: str, urgent: bool, order: list[str]) -> None:
    if urgent:
        acknowledging()
    async with turns.turn():
        order.append(name)


async def test_acknowledgements_writes_take_the_next_turn_before_earlier_ones() -> None:
    turns, order = WriteTurns(), []
    async with turns.turn():
        tasks = []
        for name, urgent in (("later 1", False), ("ack 1", True), ("ack 2", True)):
            tasks.append(asyncio.create_task(_writer(turns, name, urgent, order)))
            await asyncio.sleep(0)  # each asks for its turn in this order
    await asyncio.gather(*tasks)
    assert order == ["ack 1", "ack 2", "later 1"]


async def test_other_writes_get_a_turn_after_every_two_urgent_ones() -> None:
    turns, order = WriteTurns(), []
    async with turns.turn():
        tasks = []
        for name, urgent in (
            ("later 1", False),
            ("later 2", False),
            *((f"ack {n}", True) for n in range(1, 6)),
        ):
            tasks.append(asyncio.create_task(_writer(turns, name, urgent, order)))
            await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == ["ack 1", "ack 2", "later 1", "ack 3", "ack 4", "later 2", "ack 5"]


async def test_a_writer_cancelled_while_waiting_does_not_keep_the_turn() -> None:
    turns, order = WriteTurns(), []
    async with turns.turn():
        cancelled = asyncio.create_task(_writer(turns, "cancelled", True, order))
        waiting = asyncio.create_task(_writer(turns, "waiting", False, order))
        await asyncio.sleep(0)
        cancelled.cancel()
    await waiting
    assert order == ["waiting"]
    async with asyncio.timeout(1):
        async with turns.turn():
            order.append("free again")
    assert order == ["waiting", "free again"]


async def test_a_writer_cancelled_once_given_the_turn_passes_it_on() -> None:
    turns, order = WriteTurns(), []
    async with turns.turn():
        given = asyncio.create_task(_writer(turns, "given", False, order))
        after = asyncio.create_task(_writer(turns, "after", False, order))
        await asyncio.sleep(0)
    given.cancel()  # the turn was handed to it on leaving the block; it never ran
    await asyncio.gather(given, after, return_exceptions=True)
    assert order == ["after"]
