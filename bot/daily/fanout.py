"""Sending many daily posts at once: bounded concurrency per workspace and overall, successes
recorded in batches, and the leases of claims still waiting their turn kept alive."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from functools import partial
from itertools import zip_longest
from typing import Generic, TypeVar

from bot.app.ports import Repositories, UnitOfWork
from bot.clock import Clock
from bot.errors import StorageUnavailable
from bot.metrics import DELIVERY_UNRECORDED

log = logging.getLogger(__name__)

# Sends in flight to one workspace: enough to keep a workspace's rate limit busy while a few
# posts wait out a Retry-After, few enough not to queue hundreds of requests behind it.
PER_WORKSPACE = 8
# Sends in flight overall (sockets, memory). A workspace waiting for its own turn holds none.
TOTAL = 1_000
# Rows per statement when claims, marks and leases are written in bulk.
CHUNK = 500
# Channels read, claimed and handed to the senders at a time. Claiming a part is work on the event
# loop (picking questions, building rows); small parts keep each piece of it short, so that the
# answers to posts already in flight are not held up behind it.
PART = 100
# How long marks of posts made gather before they are written together: none. The marks that
# arrive while one batch commits make the next batch, so a post is recorded within about two
# write transactions of the platform's answer (the window in which a crash posts it twice).
MARK_GATHER_SECONDS = 0.0

Sleep = Callable[[float], Awaitable[None]]
# Writes one batch of (id, reference) marks in PostedMarks' transaction: daily claims marked
# posted by default; the delivery table passes its own (`bot.app.outbox`).
MarkWriter = Callable[[Sequence[tuple[int, str, object]], datetime, Repositories], None]

Item = TypeVar("Item")
Result = TypeVar("Result")


def chunks(items: Sequence[Item], size: int = CHUNK) -> list[Sequence[Item]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


class FanOut(Generic[Item, Result]):
    """Sends items as they are submitted, concurrently: at most `per_workspace` at once to one
    workspace and `total` at once overall. `send` must not raise: one failing item must not
    hold up the others. Items can be submitted in parts while earlier parts are being sent.

    Each workspace has a queue and at most `per_workspace` workers taking from it, rather than
    a task per item: ten thousand waiting tasks cost memory and make every full pass of the
    garbage collector, which stops the event loop, walk them all.
    """

    def __init__(
        self,
        workspace: Callable[[Item], str],
        send: Callable[[Item], Awaitable[Result]],
        per_workspace: int = PER_WORKSPACE,
        total: int = TOTAL,
    ) -> None:
        self.workspace = workspace
        self.send = send
        self.per_workspace = per_workspace
        self._overall = asyncio.Semaphore(total)
        self._queues: defaultdict[str, deque[tuple[Item, asyncio.Future[Result]]]] = defaultdict(deque)
        self._workers: Counter[str] = Counter()
        self._running: set[asyncio.Task[None]] = set()
        self._outcomes: list[asyncio.Future[Result]] = []
        self._left = 0
        self._progress = asyncio.Event()

    def submit(self, items: Iterable[Item]) -> None:
        loop = asyncio.get_running_loop()
        for item in items:
            outcome: asyncio.Future[Result] = loop.create_future()
            outcome.add_done_callback(self._sent)
            self._outcomes.append(outcome)
            self._left += 1
            key = self.workspace(item)
            self._queues[key].append((item, outcome))
            if self._workers[key] < self.per_workspace:
                self._workers[key] += 1
                worker = asyncio.create_task(self._work(key))
                self._running.add(worker)
                worker.add_done_callback(self._running.discard)

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                item, outcome = queue.popleft()
                try:
                    async with self._overall:
                        result = await self.send(item)
                except asyncio.CancelledError:
                    outcome.cancel()
                    raise
                except Exception as error:
                    outcome.set_exception(error)
                else:
                    outcome.set_result(result)
        finally:
            self._workers[key] -= 1
            if self._workers[key] == 0:
                # Cancelled: what no worker will take any more is cancelled too.
                while queue:
                    queue.popleft()[1].cancel()

    def _sent(self, _outcome: asyncio.Future[Result]) -> None:
        self._left -= 1
        self._progress.set()

    async def left_at_most(self, count: int) -> None:
        """Wait until at most `count` of the items submitted are still to be sent."""
        while self._left > count:
            self._progress.clear()
            await self._progress.wait()

    async def results(self) -> list[Result]:
        """Every submitted item's result, in the order submitted."""
        return list(await asyncio.gather(*self._outcomes))


def interleaved(items: Sequence[Item], workspace: Callable[[Item], Hashable]) -> list[Item]:
    """Items taken round-robin by workspace, so that every part of a long list keeps every
    workspace busy rather than one workspace after another."""
    queues: defaultdict[Hashable, list[Item]] = defaultdict(list)
    for item in items:
        queues[workspace(item)].append(item)
    rounds = zip_longest(*queues.values())
    return [item for round_ in rounds for item in round_ if item is not None]


async def fan_out(
    items: Sequence[Item], workspace: Callable[[Item], str], send: Callable[[Item], Awaitable[Result]]
) -> list[Result]:
    """Send every item at once (see FanOut); results in the order of `items`."""
    sender = FanOut(workspace, send)
    sender.submit(items)
    return await sender.results()


class PostedMarks:
    """Marks claims posted in batches (group commit): each caller waits until its own mark is
    committed; while one batch commits, the next one gathers.

    A batch may start `gather` seconds after its first mark (none by default): the window in
    which a crash after the platform took a post and before it was recorded posts that question
    twice (see `bot.daily.service`) is `gather` seconds longer. Each mark's time from the
    platform's answer to its commit is observed in `studybot_delivery_unrecorded_seconds`.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        gather: float = MARK_GATHER_SECONDS,
        sleep: Sleep = asyncio.sleep,
        write: MarkWriter | None = None,
        kind: str | None = "daily_post",
    ) -> None:
        self.write_marks = write or _mark_posted
        self.kind = kind
        """Observed as this kind in `studybot_delivery_unrecorded_seconds` (None: the caller
        observes each mark itself)."""
        self.uow = uow
        self.clock = clock
        self.gather = gather
        self.sleep = sleep
        self._pending: list[tuple[int, str, asyncio.Future[None]]] = []
        self._answered: list[float] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, instance_id: int, ref: str) -> None:
        done = asyncio.get_running_loop().create_future()
        self._pending.append((instance_id, ref, done))
        self._answered.append(time.perf_counter())
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._pending:
            if self.gather and len(self._pending) < CHUNK:
                await self.sleep(self.gather)
            batch, self._pending = self._pending, []
            answered, self._answered = self._answered, []
            now = self.clock.now()

            try:
                await self.uow.write(partial(self.write_marks, batch, now))
                committed = time.perf_counter()
                if self.kind is not None:
                    for moment in answered:
                        DELIVERY_UNRECORDED.labels(kind=self.kind).observe(committed - moment)
            except Exception as error:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)


def _mark_posted(batch: Sequence[tuple[int, str, object]], now: datetime, repositories: Repositories) -> None:
    for part in chunks(batch):
        repositories.claims.mark_posted([(i, ref) for i, ref, _ in part], now)


def _extend_leases(instance_ids: Sequence[int], lease_until: datetime, repositories: Repositories) -> None:
    for part in chunks(instance_ids):
        repositories.claims.extend_leases(part, lease_until)


@asynccontextmanager
async def leases_kept(
    uow: UnitOfWork,
    clock: Clock,
    lease: timedelta,
    unsent: set[int],
    extend: Callable[[list[int], datetime, Repositories], None] = _extend_leases,
) -> AsyncIterator[None]:
    """While the block runs, renew the lease of every claim in `unsent` (which the block empties
    as it goes) every third of a lease, so that a long fan-out is not mistaken for a dead one.
    `extend` writes the leases (daily claims by default; the outbox passes its own)."""

    async def keep() -> None:
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            lease_until, kept = clock.now() + lease, sorted(unsent)

            try:
                await uow.write(partial(extend, kept, lease_until))
            except StorageUnavailable as error:
                log.warning("renewing the leases of %s queued deliveries failed (%s)", len(unsent), error)
            except Exception:
                log.exception("renewing the leases of %s queued deliveries failed", len(unsent))

    keeper = asyncio.create_task(keep())
    try:
        yield
    finally:
        keeper.cancel()
        with suppress(asyncio.CancelledError):
            await keeper
