"""The machinery that sends thousands of daily posts at once: the per-workspace worker pool and
the order channels are taken in."""

import asyncio
from collections import Counter

import pytest

from bot.daily.fanout import FanOut, interleaved
from tests.conftest import yield_until


async def test_a_workspace_has_at_most_its_share_of_sends_at_once_and_results_keep_their_order() -> None:
    in_flight: Counter[str] = Counter()
    most: Counter[str] = Counter()
    release = asyncio.Event()

    async def send(item: tuple[str, int]) -> int:
        workspace, number = item
        in_flight[workspace] += 1
        most[workspace] = max(most[workspace], in_flight[workspace])
        await release.wait()
        in_flight[workspace] -= 1
        return number

    sender: FanOut[tuple[str, int], int] = FanOut(lambda item: item[0], send, per_workspace=3)
    items = [("T1", n) for n in range(10)] + [("T2", n) for n in range(10, 12)]
    sender.submit(items[:6])
    sender.submit(items[6:])
    await yield_until(lambda: sum(in_flight.values()) >= 5, "five sends in flight")
    assert in_flight == {"T1": 3, "T2": 2}
    release.set()
    assert await sender.results() == list(range(12))
    assert most == {"T1": 3, "T2": 2}


async def test_waiting_for_the_sends_left_to_drop() -> None:
    sent: list[int] = []
    gates = {n: asyncio.Event() for n in range(4)}

    async def send(item: int) -> int:
        await gates[item].wait()
        sent.append(item)
        return item

    sender: FanOut[int, int] = FanOut(lambda item: f"T{item}", send)
    sender.submit(range(4))
    waiting = asyncio.create_task(sender.left_at_most(2))
    gates[0].set()
    await yield_until(lambda: sent, "the first send")
    assert not waiting.done()
    gates[3].set()
    await waiting
    assert sent == [0, 3]
    for gate in gates.values():
        gate.set()
    assert await sender.results() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([("A", 1), ("A", 2), ("A", 3), ("B", 4), ("C", 5), ("C", 6)], [1, 4, 5, 2, 6, 3]),
        ([], []),
    ],
)
def test_interleaved_takes_one_item_of_each_workspace_in_turn(
    items: list[tuple[str, int]], expected: list[int]
) -> None:
    assert [number for _, number in interleaved(items, lambda item: item[0])] == expected
