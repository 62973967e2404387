"""The question of the day's posts take turns under Discord's global limit."""

from __future__ import annotations

import asyncio

from adapters.discord.pace import Pace


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))


async def test_posts_falling_due_together_are_spaced_at_the_rate() -> None:
    time = FakeTime()
    pace = Pace(per_second=40, clock=time.clock, sleep=time.sleep)
    await asyncio.gather(*(pace.turn() for _ in range(4)))
    assert time.slept == [0.025, 0.05, 0.075]


async def test_a_post_after_a_quiet_spell_goes_at_once() -> None:
    time = FakeTime()
    pace = Pace(per_second=40, clock=time.clock, sleep=time.sleep)
    await pace.turn()
    time.now += 1
    await pace.turn()
    assert time.slept == []
