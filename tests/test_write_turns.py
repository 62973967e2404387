"""The SQLite writer thread's turns: the transactions an acknowledgement waits for go first, the
thread picking the next one itself; other writes are not starved; a writer that gives up while
waiting does not keep anyone waiting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

import pytest
from sqlalchemy import Connection, create_engine, text

from bot.db.turns import WriterThread


@pytest.fixture
async def writer() -> AsyncIterator[WriterThread]:
    thread = WriterThread(create_engine("sqlite://"), "test-writer")
    yield thread
    await thread.dispose()


def _written(writer: WriterThread, name: str, urgent: bool, order: list[str]) -> Awaitable[None]:
    def work(connection: Connection) -> None:
        connection.execute(text("SELECT 1"))
        order.append(name)

    return writer.transaction(work, urgent)


async def _queued(writer: WriterThread, writes: list[tuple[str, bool]]) -> list[str]:
    """The order the writes ran in, asked for in this order while the thread was held."""
    order: list[str] = []
    async with writer.held(urgent=False):
        tasks = [asyncio.ensure_future(_written(writer, name, urgent, order)) for name, urgent in writes]
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    return order


async def test_acknowledgements_writes_take_the_next_turn_before_earlier_ones(writer: WriterThread) -> None:
    order = await _queued(writer, [("later 1", False), ("ack 1", True), ("ack 2", True)])
    assert order == ["ack 1", "ack 2", "later 1"]


async def test_other_writes_get_a_turn_after_every_two_urgent_ones(writer: WriterThread) -> None:
    writes = [("later 1", False), ("later 2", False), *((f"ack {n}", True) for n in range(1, 6))]
    order = await _queued(writer, writes)
    assert order == ["ack 1", "ack 2", "later 1", "ack 3", "ack 4", "later 2", "ack 5"]


async def test_a_writer_cancelled_while_waiting_is_dropped(writer: WriterThread) -> None:
    order: list[str] = []
    async with writer.held(urgent=False):
        cancelled = asyncio.ensure_future(_written(writer, "cancelled", True, order))
        waiting = asyncio.ensure_future(_written(writer, "waiting", False, order))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.wait({cancelled})
        await asyncio.sleep(0)  # the loop passes the cancellation on to the thread's job
    await waiting
    assert order == ["waiting"] and cancelled.cancelled()
    async with asyncio.timeout(1):
        await _written(writer, "free again", False, order)
    assert order == ["waiting", "free again"]


async def test_a_hold_given_up_before_its_turn_never_holds_the_thread(writer: WriterThread) -> None:
    order: list[str] = []
    async with writer.held(urgent=False):
        gave_up = asyncio.ensure_future(writer.held(urgent=True).__aenter__())
        await asyncio.sleep(0)
        gave_up.cancel()
    async with asyncio.timeout(1):
        await _written(writer, "after", False, order)
    assert order == ["after"]


async def test_a_failed_transaction_raises_to_its_writer_and_the_next_one_runs(writer: WriterThread) -> None:
    def broken(connection: Connection) -> None:
        connection.execute(text("SELECT * FROM missing"))

    with pytest.raises(Exception, match="missing"):
        await writer.transaction(broken, urgent=True)
    order: list[str] = []
    await _written(writer, "next", True, order)
    assert order == ["next"]
