"""The per-message debouncer of answer-count updates, on a clock the test moves by hand."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.inflight import InFlight
from adapters.slack.debounce import Debouncer
from bot.db.faults import MESSAGES, DatabaseFault, Fault

# A broken debouncer makes a test fail after this long instead of hanging.
DEADLINE = 5.0


class ManualTime:
    """A clock and a sleep that returns only when the test wakes it, moving the clock on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: asyncio.Queue[float] = asyncio.Queue()
        self._wake = asyncio.Event()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await self.sleeps.put(seconds)
        await self._wake.wait()
        self._wake.clear()
        self.now += seconds

    def wake(self) -> None:
        self._wake.set()

    async def next_sleep(self) -> float:
        return await asyncio.wait_for(self.sleeps.get(), DEADLINE)


class Updates:
    def __init__(self, time: ManualTime, takes: float = 0.0) -> None:
        self.time = time
        self.takes = takes
        self.sent: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self.inflight = InFlight("Slack")
        self.debouncer: Debouncer[str, int] = Debouncer(
            self.send, self.inflight.spawn, interval=1.0, clock=time.monotonic, sleep=time.sleep
        )

    async def send(self, key: str, value: int) -> None:
        self.time.now += self.takes
        await self.sent.put((key, value))

    async def next(self) -> tuple[str, int]:
        return await asyncio.wait_for(self.sent.get(), DEADLINE)


async def test_a_burst_sends_the_first_at_once_and_the_latest_after_the_interval() -> None:
    time = ManualTime()
    updates = Updates(time)

    updates.debouncer.submit("C1:1", 1)
    assert await updates.next() == ("C1:1", 1)
    assert await time.next_sleep() == 1.0
    for count in (2, 3, 4):
        updates.debouncer.submit("C1:1", count)
    assert updates.sent.empty()

    time.wake()
    assert await updates.next() == ("C1:1", 4)
    assert await time.next_sleep() == 1.0
    time.wake()
    await updates.inflight.drain(DEADLINE)
    assert updates.sent.empty()
    assert time.now == 2.0

    updates.debouncer.submit("C1:1", 5)
    assert await updates.next() == ("C1:1", 5)


async def test_messages_are_debounced_each_on_their_own() -> None:
    time = ManualTime()
    updates = Updates(time)

    updates.debouncer.submit("C1:1", 1)
    updates.debouncer.submit("C1:2", 7)

    assert {await updates.next(), await updates.next()} == {("C1:1", 1), ("C1:2", 7)}


async def test_the_interval_counts_from_when_the_send_began() -> None:
    time = ManualTime()
    updates = Updates(time, takes=0.25)

    updates.debouncer.submit("C1:1", 1)

    assert await updates.next() == ("C1:1", 1)
    assert await time.next_sleep() == 0.75


async def test_flushing_sends_what_is_pending_without_waiting_out_the_interval() -> None:
    time = ManualTime()
    updates = Updates(time)
    updates.debouncer.submit("C1:1", 1)
    await updates.next()
    await time.next_sleep()
    updates.debouncer.submit("C1:1", 2)

    updates.debouncer.flush()

    assert await updates.next() == ("C1:1", 2)
    await updates.inflight.drain(DEADLINE)
    assert time.now == 0.0


async def test_a_failed_send_is_logged_and_the_next_value_still_goes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = ManualTime()
    sent: list[int] = []

    async def send(_key: str, value: int) -> None:
        if value == 1:
            raise RuntimeError("ratelimited")
        sent.append(value)

    inflight = InFlight("Slack")
    debouncer: Debouncer[str, int] = Debouncer(send, inflight.spawn, clock=time.monotonic, sleep=time.sleep)
    with caplog.at_level(logging.ERROR, logger="adapters.slack.debounce"):
        debouncer.submit("C1:1", 1)
        await time.next_sleep()
        debouncer.submit("C1:1", 2)
        time.wake()
        await time.next_sleep()
        time.wake()
        await inflight.drain(DEADLINE)

    assert sent == [2]
    [record] = caplog.records
    assert "C1:1" in record.getMessage() and record.exc_info is not None


async def test_a_send_the_database_refused_is_one_warning_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def send(_key: str, _value: int) -> None:
        raise DatabaseFault(Fault.UNREACHABLE)

    inflight = InFlight("Slack")
    debouncer: Debouncer[str, int] = Debouncer(send, inflight.spawn)
    with caplog.at_level(logging.WARNING, logger="adapters.slack.debounce"):
        debouncer.submit("C1:1", 1)
        debouncer.flush()
        await inflight.drain(DEADLINE)

    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "C1:1" in record.getMessage() and MESSAGES[Fault.UNREACHABLE] in record.getMessage()
