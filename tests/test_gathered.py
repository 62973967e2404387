"""Requests made one at a time and answered many at a time (`bot.app.gathered`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.app.gathered import Gathered
from tests.conftest import yield_until


class Doubler:
    """Answers a group with each number doubled, holding each group until released; fails a
    group that holds a negative number."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.release = asyncio.Event()

    async def __call__(self, numbers: Sequence[int]) -> list[int]:
        self.groups.append(list(numbers))
        await self.release.wait()
        if any(n < 0 for n in numbers):
            raise ValueError("negative")
        return [2 * n for n in numbers]


async def test_requests_made_together_are_answered_by_one_call_in_their_order() -> None:
    doubler = Doubler()
    doubler.release.set()
    gathered = Gathered(doubler)
    assert await asyncio.gather(*(gathered(n) for n in (3, 1, 2))) == [6, 2, 4]
    assert doubler.groups == [[3, 1, 2]]


async def test_requests_made_while_a_group_is_answered_make_the_next_group() -> None:
    doubler = Doubler()
    gathered = Gathered(doubler)
    first = asyncio.ensure_future(gathered(1))
    await yield_until(lambda: doubler.groups, "the first group asked")
    later = [asyncio.ensure_future(gathered(n)) for n in (2, 3)]
    await asyncio.sleep(0)
    assert doubler.groups == [[1]]
    doubler.release.set()
    assert await first == 2
    assert await asyncio.gather(*later) == [4, 6]
    assert doubler.groups == [[1], [2, 3]]


async def test_a_failed_group_fails_its_callers_only() -> None:
    doubler = Doubler()
    gathered = Gathered(doubler)
    failing = [asyncio.ensure_future(gathered(n)) for n in (1, -1)]
    await yield_until(lambda: doubler.groups, "the first group asked")
    after = asyncio.ensure_future(gathered(5))
    doubler.release.set()
    for request in failing:
        with pytest.raises(ValueError, match="negative"):
            await request
    assert await after == 10


async def test_a_group_is_at_most_the_limit() -> None:
    doubler = Doubler()
    doubler.release.set()
    gathered = Gathered(doubler, most=2)
    assert await asyncio.gather(*(gathered(n) for n in range(5))) == [0, 2, 4, 6, 8]
    assert doubler.groups == [[0, 1], [2, 3], [4]]
