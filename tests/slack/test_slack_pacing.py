"""Posts to one channel are at least a second apart; other channels never wait for it."""

from __future__ import annotations

import asyncio

from slack_harness import FakeTime

from adapters.slack.pacing import ChannelPacer


async def test_posts_to_one_channel_are_spaced_and_other_channels_go_ahead() -> None:
    time = FakeTime()
    pacer = ChannelPacer(clock=time.monotonic, sleep=time.sleep)

    async with pacer.turn("T1/C1"):
        pass
    async with pacer.turn("T1/C2"):
        pass
    assert time.sleeps == []

    time.now += 0.25
    async with pacer.turn("T1/C1"):
        pass
    assert time.sleeps == [0.75]

    time.now += 5
    async with pacer.turn("T1/C1"):
        pass
    assert time.sleeps == [0.75]


async def test_a_channel_waiting_its_turn_does_not_hold_up_another() -> None:
    time = FakeTime()
    pacer = ChannelPacer(clock=time.monotonic, sleep=time.sleep)
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_post() -> None:
        async with pacer.turn("T1/C1"):
            entered.set()
            await release.wait()

    holding = asyncio.create_task(slow_post())
    await entered.wait()
    async with pacer.turn("T1/C2"):
        assert not holding.done()
    release.set()
    await holding
    assert time.sleeps == []
