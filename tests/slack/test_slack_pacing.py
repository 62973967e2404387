"""Posts to one channel are at least a second apart; other channels never wait for it. Posts to
one workspace stay within its count per window; other workspaces never wait for it."""

from __future__ import annotations

import asyncio

import pytest
from slack_harness import FakeTime

from adapters.slack.pacing import ChannelPacer, WorkspaceLimiter
from tests.conftest import yield_until


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


async def test_posts_to_one_workspace_stay_within_its_count_per_window() -> None:
    time = FakeTime()
    limiter = WorkspaceLimiter(4, clock=time.monotonic, sleep=time.sleep, window=1.0)
    sent: dict[str, list[float]] = {"T1": [], "T2": []}

    async def post(workspace: str) -> None:
        async with limiter.turn(workspace):
            sent[workspace].append(time.now)

    await asyncio.gather(*(post("T1") for _ in range(7)))
    assert sent["T1"] == [n / 4 for n in range(7)]
    # Another workspace is not held up by the first one's turns.
    await post("T2")
    assert sent["T2"] == [1.5]
    # Any window of one second holds at most four of T1's posts.
    for start in sent["T1"]:
        assert sum(start <= t < start + 1.0 for t in sent["T1"]) <= 4


async def test_a_workspace_waits_only_until_its_next_turn() -> None:
    time = FakeTime()
    limiter = WorkspaceLimiter(2, clock=time.monotonic, sleep=time.sleep, window=1.05)
    for pause in (0.5, 0.25, 5, 0):
        async with limiter.turn("T1"):
            pass
        time.now += pause
    assert time.sleeps == [pytest.approx(0.025), pytest.approx(0.275)]


async def test_a_late_wake_up_does_not_push_back_every_later_turn() -> None:
    time = FakeTime()
    limiter = WorkspaceLimiter(4, clock=time.monotonic, sleep=time.sleep, window=1.0)
    late = 0.1
    sent: list[float] = []

    async def oversleeping(seconds: float) -> None:
        # A busy event loop wakes the waiter later than asked, once.
        await time.sleep(seconds + (late if len(sent) == 2 else 0.0))

    limiter.sleep = oversleeping
    for _ in range(8):
        async with limiter.turn("T1"):
            sent.append(time.now)
    assert sent[:2] == [0.0, 0.25]
    assert sent[2] == pytest.approx(0.5 + late)
    # Later turns keep to the plan instead of starting over from the late one...
    assert sent[3] == pytest.approx(0.75)
    # ...except where one window would then hold more than four posts.
    assert sent[6] == pytest.approx(sent[2] + 1.0)
    assert sent[7] == pytest.approx(1.75)
    for start in sent:
        assert sum(start <= t < start + 1.0 - 1e-9 for t in sent) <= 4


async def test_a_post_counts_in_its_window_from_when_slack_answered_it() -> None:
    time = FakeTime()
    limiter = WorkspaceLimiter(2, clock=time.monotonic, sleep=time.sleep, window=1.0)
    answered = asyncio.Event()
    sent: list[float] = []

    async def slow_answer() -> None:
        async with limiter.turn("T1"):
            sent.append(time.now)
            await answered.wait()

    first = asyncio.create_task(slow_answer())
    await yield_until(lambda: sent, "the first post")
    async with limiter.turn("T1"):
        sent.append(time.now)
    third = asyncio.create_task(slow_answer())
    # The third post waits for the first one's answer: until then Slack may not have counted it.
    for _ in range(5):
        await asyncio.sleep(0)
    assert sent == [0.0, 0.5] and not third.done()
    time.now = 0.75
    answered.set()
    await asyncio.gather(first, third)
    assert sent == [0.0, 0.5, 1.75]


async def test_a_refused_post_gives_its_turn_back_and_leaves_the_window() -> None:
    time = FakeTime()
    limiter = WorkspaceLimiter(2, clock=time.monotonic, sleep=time.sleep, window=1.0)
    sent: list[float] = []
    for refused in (False, True, False, False):
        async with limiter.turn("T1") as turn:
            sent.append(time.now)
            if refused:
                turn.refused()
    # The refused post at 0.5 took no place: the next one goes at once, and the one after it
    # waits a second from the first post Slack took, not from the refused one.
    assert sent == [0.0, 0.5, 0.5, 1.0]
