"""The platform-neutral work queue: each workspace's share of the slots, items taken back, and
what stopping abandons and tells."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from adapters.work_queue import BUSY, Platform, Unfinished, WorkQueue

DEADLINE = 5.0


@dataclass(eq=False)
class Piece:
    workspace: str
    n: int
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Pieces:
    """A platform whose work waits until the test lets each piece finish."""

    def __init__(self, limit: int = 100) -> None:
        self.begun: list[tuple[str, int]] = []
        self.changed = asyncio.Event()
        self.pieces: list[Piece] = []
        self.abandoned: list[tuple[str, int]] = []
        self.told: list[tuple[str, int]] = []
        log = logging.getLogger("test")
        platform = Platform("test", "test piece", self.begin, self.tell, log, self.abandon)
        self.queue: WorkQueue[Piece] = WorkQueue(platform, slots=4, limit=limit)

    def begin(self, piece: Piece) -> asyncio.Task[None]:
        self.begun.append((piece.workspace, piece.n))
        self.changed.set()
        task = asyncio.ensure_future(piece.done.wait())
        task.add_done_callback(self.queue.release)
        return task  # type: ignore[return-value]  # a Task[Literal[True]]

    def abandon(self, piece: Piece) -> None:
        self.abandoned.append((piece.workspace, piece.n))

    async def tell(self, piece: Piece) -> bool:
        self.told.append((piece.workspace, piece.n))
        return True

    async def until_begun(self, count: int) -> None:
        async with asyncio.timeout(DEADLINE):
            while len(self.begun) < count:
                self.changed.clear()
                await self.changed.wait()

    async def finish(self) -> Unfinished:
        """Let every piece finish, and stop."""
        for piece in self.pieces:
            piece.done.set()
        loop = asyncio.get_running_loop()
        return await self.queue.drain(loop.time() + DEADLINE, loop.time() + DEADLINE)

    def offer(self, workspace: str, n: int) -> Piece:
        piece = Piece(workspace, n)
        self.pieces.append(piece)
        assert self.queue.offer(workspace, piece) is None
        return piece


async def test_one_workspace_holds_at_most_three_quarters_of_the_slots_so_another_begins_at_once() -> None:
    pieces = Pieces()
    flood = [pieces.offer("TFLOOD", n) for n in range(10)]
    assert pieces.begun == [("TFLOOD", n) for n in range(3)]  # 3 of the 4 slots
    assert pieces.queue.queued == 7

    pieces.offer("TOTHER", 0)
    assert pieces.begun[-1] == ("TOTHER", 0)  # the fourth slot, at once

    flood[0].done.set()
    await pieces.until_begun(5)
    assert pieces.begun[-1] == ("TFLOOD", 3)  # its own piece ended: its next one begins
    assert pieces.queue.running == 4
    assert await pieces.finish() == Unfinished(0, 0, 0)


async def test_a_waiting_item_taken_back_never_begins_and_frees_its_place() -> None:
    pieces = Pieces(limit=4)  # one workspace may queue three
    first = [pieces.offer("T1", n) for n in range(3)]
    waiting = [pieces.offer("T1", n) for n in range(3, 6)]
    assert pieces.queue.offer("T1", Piece("T1", 9)) == BUSY

    pieces.queue.withdraw("T1", waiting[0])
    assert pieces.queue.queued == 2
    pieces.offer("T1", 7)
    for piece in first:
        piece.done.set()
    await pieces.until_begun(6)
    assert [n for _, n in pieces.begun] == [0, 1, 2, 4, 5, 7]
    assert await pieces.finish() == Unfinished(0, 0, 0)


async def test_stopping_abandons_the_queued_cancels_the_running_and_tells_each_exactly_once() -> None:
    pieces = Pieces()
    for n in range(5):
        pieces.offer("T1", n)
    pieces.offer("T2", 0)
    loop = asyncio.get_running_loop()

    unfinished = await pieces.queue.drain(loop.time() + 0.05, loop.time() + DEADLINE)

    assert unfinished == Unfinished(running=4, queued=2, told=6)
    assert sorted(pieces.abandoned) == [("T1", 3), ("T1", 4)]
    assert sorted(pieces.told) == sorted([*pieces.begun, *pieces.abandoned])
    assert pieces.queue.queued == 0 and pieces.queue.running == 0
    assert not pieces.queue.has_room()


# How long telling one person takes here (a platform's answer to a message).
TELLING_SECONDS = 0.05


class StuckPieces(Pieces):
    """Pieces whose work does not end when cancelled (a query on a stalled database connection
    goes on) until the test releases it."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        super().__init__()

    def begin(self, piece: Piece) -> asyncio.Task[None]:
        self.begun.append((piece.workspace, piece.n))
        self.changed.set()
        task = asyncio.ensure_future(self._stuck())
        task.add_done_callback(self.queue.release)
        return task

    async def tell(self, piece: Piece) -> bool:
        await asyncio.sleep(TELLING_SECONDS)  # a message to the platform takes a moment
        return await super().tell(piece)

    async def _stuck(self) -> None:
        while not self.release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await self.release.wait()


async def test_running_work_that_does_not_end_when_cancelled_still_has_its_people_told_in_time() -> None:
    pieces = StuckPieces()
    for n in range(2):
        pieces.offer("T1", n)
    await pieces.until_begun(2)
    loop = asyncio.get_running_loop()

    try:
        async with asyncio.timeout(DEADLINE):
            unfinished = await pieces.queue.drain(loop.time(), loop.time() + 2.0)
    finally:
        pieces.release.set()

    assert unfinished == Unfinished(running=2, queued=0, told=2)
    assert sorted(pieces.told) == [("T1", 0), ("T1", 1)]
