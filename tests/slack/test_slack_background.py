"""The work after the ack: the cap on work running at once, and the tracker that stopping drains."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import NamedTuple

import aiohttp
import pytest

from adapters.inflight import InFlight
from adapters.slack.background import (
    BUSY,
    RESTARTING,
    TELL_SLOTS,
    UNFINISHED,
    UNKNOWN_OUTCOME,
    Background,
    Outcome,
    Replies,
    Unfinished,
)

# A broken cap makes a test fail after this long instead of hanging.
DEADLINE = 5.0


class Piece(NamedTuple):
    n: int
    response_url: None = None
    workspace: str = "T1"


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
            assert background.offer(route, Piece(n)) is None

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


class Told:
    """Replies that only record what each response_url was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def __call__(
        self, response_url: str, message: dict[str, object], replace_original: bool = False
    ) -> None:
        self.sent.append((response_url, str(message["text"])))


class Job(NamedTuple):
    n: int
    response_url: str | None
    workspace: str = "T1"


class Held:
    """Work that waits until the test opens the gate, recording the order it started in."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.started: list[tuple[str, int]] = []
        self.changed = asyncio.Event()

    async def work(self, job: Job) -> Outcome:
        self.started.append((job.workspace, job.n))
        self.changed.set()
        await self.gate.wait()
        return "ok"

    async def until_started(self, count: int) -> None:
        async with asyncio.timeout(DEADLINE):
            while len(self.started) < count:
                self.changed.clear()
                await self.changed.wait()


def held_background(slots: int, limit: int) -> tuple[Background, Held, Told, object]:
    told, held = Told(), Held()
    background = Background(InFlight("Slack"), told, slots=slots, limit=limit)  # type: ignore[arg-type]
    return background, held, told, background.route("command", "command", held.work, Job._make)


async def test_past_the_limit_work_is_refused_busy_and_readiness_drops_until_it_drains() -> None:
    background, held, _, route = held_background(slots=1, limit=3)
    assert background.offer(route, Job(0, None)) is None
    await held.until_started(1)
    offers = [background.offer(route, Job(n, None)) for n in range(1, 4)]

    assert offers == [None] * 3  # one running, three waiting
    assert background.offer(route, Job(9, None)) == BUSY
    assert not background.has_room()
    held.gate.set()
    await background.inflight.drain(DEADLINE)
    assert background.has_room() and background.queued == 0


async def test_one_workspace_fills_at_most_three_quarters_of_the_queue() -> None:
    background, held, _, route = held_background(slots=1, limit=8)
    assert background.offer(route, Job(0, None, "TFLOOD")) is None
    await held.until_started(1)
    accepted = [background.offer(route, Job(n, None, "TFLOOD")) for n in range(1, 10)]

    assert accepted == [None] * 6 + [BUSY] * 3
    assert background.offer(route, Job(0, None, "TOTHER")) is None
    held.gate.set()
    await background.inflight.drain(DEADLINE)


async def test_workspaces_are_served_in_turn_so_a_flood_does_not_hold_up_another_workspace() -> None:
    background, held, _, route = held_background(slots=1, limit=1000)
    for n in range(200):
        assert background.offer(route, Job(n, None, "TFLOOD")) is None
    assert background.offer(route, Job(0, None, "TOTHER")) is None
    held.gate.set()
    await background.inflight.drain(DEADLINE)

    assert held.started.index(("TOTHER", 0)) <= 2
    assert [n for w, n in held.started if w == "TFLOOD"] == list(range(200))


async def test_stopping_finishes_the_queue_then_counts_exactly_what_is_left_and_tells_those_users(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background, held, told, route = held_background(slots=2, limit=100)
    for n in range(5):
        background.offer(route, Job(n, f"url-{n}"))
    background.offer(route, Job(5, None))
    await held.until_started(2)
    loop = asyncio.get_running_loop()

    with caplog.at_level(logging.INFO, logger="adapters.slack.background"):
        unfinished = await background.drain(loop.time() + 0.2, loop.time() + DEADLINE)

    assert unfinished == Unfinished(running=2, queued=4, told=5)
    assert sorted(url for url, _ in told.sent) == [f"url-{n}" for n in range(5)]
    assert {text for _, text in told.sent} == {UNFINISHED}
    [record] = caplog.records
    assert record.getMessage() == (
        "stopping: 6 acknowledged Slack requests unfinished (2 running, 4 queued); "
        "5 of their users told, 1 could not be"
    )
    assert background.offer(route, Job(7, None)) == RESTARTING


async def test_stopping_with_everything_finished_says_so(caplog: pytest.LogCaptureFixture) -> None:
    background, held, told, route = held_background(slots=2, limit=100)
    for n in range(5):
        background.offer(route, Job(n, f"url-{n}"))
    held.gate.set()
    loop = asyncio.get_running_loop()

    with caplog.at_level(logging.INFO, logger="adapters.slack.background"):
        unfinished = await background.drain(loop.time() + DEADLINE, loop.time() + DEADLINE)

    assert unfinished == Unfinished(0, 0, 0) and told.sent == []
    assert [r.getMessage() for r in caplog.records] == ["stopping: every acknowledged Slack request finished"]
    assert len(held.started) == 5


class HeldReplies:
    """Replies that each wait for the test to let them through (none goes while `gate` is
    clear; a reply to a url in `stuck` never goes), recording what each url was sent."""

    def __init__(self, stuck: frozenset[str] = frozenset()) -> None:
        self.gate = asyncio.Event()
        self.stuck = stuck
        self.waiting = 0
        self.sent: list[tuple[str, str]] = []

    async def __call__(
        self, response_url: str, message: dict[str, object], replace_original: bool = False
    ) -> bool:
        self.waiting += 1
        try:
            await self.gate.wait()
            if response_url in self.stuck:
                await asyncio.Event().wait()
        finally:
            self.waiting -= 1
        self.sent.append((response_url, str(message["text"])))
        return True


async def until(check: Callable[[], bool], what: str) -> None:
    """Yield to the loop until `check()` holds (the loop's own work moves it), within DEADLINE."""
    async with asyncio.timeout(DEADLINE):
        while not check():
            await asyncio.sleep(0)
    assert check(), what


async def test_replies_past_the_slots_wait_their_turn_instead_of_being_dropped() -> None:
    replies = HeldReplies()
    background = Background(InFlight("Slack"), replies, limit=100)  # type: ignore[arg-type]
    for n in range(40):
        background.tell_soon(f"url-{n}", BUSY)
    await until(lambda: replies.waiting == TELL_SLOTS, "the first replies to be under way")
    assert replies.waiting == TELL_SLOTS  # the rest wait their turn

    replies.gate.set()
    await background.inflight.drain(DEADLINE)

    assert sorted(url for url, _ in replies.sent) == sorted(f"url-{n}" for n in range(40))


async def test_replies_past_the_queue_bound_are_dropped_and_counted() -> None:
    replies = HeldReplies()
    background = Background(InFlight("Slack"), replies, limit=4)  # type: ignore[arg-type]
    for n in range(TELL_SLOTS + 10):
        background.tell_soon(f"url-{n}", BUSY)
    replies.gate.set()
    loop = asyncio.get_running_loop()

    unfinished = await background.drain(loop.time(), loop.time() + DEADLINE)

    assert len(replies.sent) == TELL_SLOTS + 4
    assert (unfinished.replies, unfinished.replies_untold) == (TELL_SLOTS + 4, 0)  # 6 dropped before the stop


async def test_stopping_sends_the_replies_still_owed_and_counts_exactly_those_it_could_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    replies = HeldReplies(stuck=frozenset({"url-3", "url-30"}))
    background = Background(InFlight("Slack"), replies, limit=100)  # type: ignore[arg-type]
    for n in range(40):
        background.tell_soon(f"url-{n}", BUSY)
    replies.gate.set()
    loop = asyncio.get_running_loop()

    with caplog.at_level(logging.INFO, logger="adapters.slack.background"):
        unfinished = await background.drain(loop.time(), loop.time() + 0.5)

    assert len(replies.sent) == 38 and (unfinished.replies, unfinished.replies_untold) == (40, 2)
    assert [r.getMessage() for r in caplog.records] == [
        "stopping: every acknowledged Slack request finished; 40 replies owed, 2 could not be sent"
    ]


async def test_stopping_cuts_short_the_clicks_still_being_recorded_tells_their_people_and_counts_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    told = Told()
    background = Background(InFlight("Slack"), told, limit=100)  # type: ignore[arg-type]
    recorded = asyncio.Event()
    stalled = background.inflight.spawn(asyncio.Event().wait())
    settles = background.inflight.spawn(recorded.wait())
    background.awaiting_outcome(stalled, "url-stalled")
    background.awaiting_outcome(settles, "url-settles")
    loop = asyncio.get_running_loop()
    recorded.set()

    with caplog.at_level(logging.INFO, logger="adapters.slack.background"):
        unfinished = await background.drain(loop.time() + 0.2, loop.time() + DEADLINE)

    assert stalled.cancelled() and settles.done() and not settles.cancelled()
    assert told.sent == [("url-stalled", UNKNOWN_OUTCOME)]
    assert (unfinished.recording, unfinished.told, unfinished.total) == (1, 1, 1)
    assert [r.getMessage() for r in caplog.records] == [
        "stopping: 1 acknowledged Slack requests unfinished (0 running, 0 queued, 1 clicks being "
        "recorded); 1 of their users told, 0 could not be"
    ]
