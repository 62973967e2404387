"""Work a chat platform was told we accepted, not yet done: queued per workspace, served in
turn, bounded, drained on stop. One implementation for every platform: Slack's listeners queue a
job that a task of the queue's runs; Discord's handlers wait in it for their turn.

At most `slots` pieces of work run at once, and one workspace holds at most three quarters of
them, so a slot is free for another workspace's click the moment it comes, however slow the
platform is to answer the flood's replies (before that cap, a flood waiting on a slow Slack held
every slot, and another workspace's click waited for one of them to finish: seconds). The rest
wait in one queue per workspace, taken in turn, so a flood delays another workspace's work by at
most one piece per busy workspace once a slot frees.

The queue is bounded (`limit`, STUDYBOT_WORK_QUEUE_LIMIT): past it work is refused "busy" at
once, and one workspace may fill at most three quarters of it, so the others stay served during
its flood. While the queue is full the platform's readiness check says not ready. Stopping
refuses new work ("restarting"), lets the queue drain until a deadline, then counts exactly
what was left (running and queued) and has each of those users told.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from bot.metrics import BUSY_REFUSALS, QUEUED_WORK

# 128 at once: enough to fill the core's group commits (answers waiting while a batch commits
# join the next one) and, at the 100 to 300 ms a platform call takes from a real deployment, to
# do several hundred requests a second, more than one process's CPU does here.
WORK_SLOTS = 128
# Requests waiting for a slot, at most (STUDYBOT_WORK_QUEUE_LIMIT's default): at the tens of
# requests a second 128 slots finish when the platform answers slowly, a few seconds of waiting;
# a person told "busy" at once is better off than one answered half a minute later.
QUEUE_LIMIT = 1000
# Users told at once that their work could not be finished when stopping, and replies sent at once
# through response_urls (refusals, outcomes): the rest wait their turn.
TELL_SLOTS = 16
# How long stopping waits, at most, for cancelled work to end before telling its people.
CANCEL_WAIT_SECONDS = 1.0
BUSY = "Studybot is busy right now. Try again in a moment."
RESTARTING = "Studybot is restarting. Try again in a minute."

Item = TypeVar("Item")


def three_quarters(whole: int) -> int:
    """What one workspace may take of the slots or of the queue (at least one)."""
    return max(1, whole - whole // 4)


@dataclass(frozen=True)
class Unfinished:
    """What stopping left undone: work acknowledged and not carried out, and how many of its
    users were told."""

    running: int
    queued: int
    told: int
    recording: int = 0
    """Clicks acknowledged before their answer was recorded, cut short still being recorded."""
    replies: int = 0
    """Replies still owed when stopping began or promised during it (refusals, outcomes)."""
    replies_untold: int = 0
    """Of those, the ones that could not be sent (too many waiting, failed, or out of time)."""

    @property
    def total(self) -> int:
        return self.running + self.queued + self.recording


@dataclass(frozen=True)
class Left(Generic[Item]):
    """The work a stop abandoned: that running (cancelled by now) and that still queued."""

    running: list[Item]
    queued: list[Item]


@dataclass(frozen=True)
class Platform(Generic[Item]):
    """What the queue asks of a platform's adapter about its items."""

    name: str
    """The metrics' platform label, e.g. "slack"."""
    noun: str
    """One item in the log, e.g. "Slack request" (the plural adds an s)."""
    begin: Callable[[Item], asyncio.Task[Any]]
    """Start the item's work, its slot held until `WorkQueue.release` of the task returned."""
    tell_unfinished: Callable[[Item], Awaitable[bool]]
    """Tell the item's user it was not finished (after its task, if any, was cancelled);
    True if they were told."""
    log: logging.Logger
    """Where stopping says what it left unfinished: the adapter's own logger."""
    abandon: Callable[[Item], None] = lambda _item: None
    """A queued item left behind at stop (Discord: cancel the handler waiting for its turn)."""


class WorkQueue(Generic[Item]):
    def __init__(self, platform: Platform[Item], slots: int = WORK_SLOTS, limit: int = QUEUE_LIMIT) -> None:
        self.platform = platform
        self.slots = slots
        self.limit = limit
        self.workspace_slots = three_quarters(slots)
        self.workspace_limit = three_quarters(limit)
        self.closed = False
        self._queues: OrderedDict[str, deque[Item]] = OrderedDict()  # workspaces in turn
        self._queued = 0
        self._running: dict[asyncio.Task[Any], tuple[str, Item]] = {}
        self._busy: Counter[str] = Counter()  # slots held, by workspace
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def queued(self) -> int:
        return self._queued

    @property
    def running(self) -> int:
        return len(self._running)

    def has_room(self) -> bool:
        """False while the queue is full or stopping (readiness: send the traffic elsewhere)."""
        return self._queued < self.limit and not self.closed

    def refusal(self, workspace: str) -> str | None:
        """The refusal (counted) if work from this workspace would not be queued now, else None."""
        if self.closed:
            BUSY_REFUSALS.labels(platform=self.platform.name, reason="restarting").inc()
            return RESTARTING
        if self._queued >= self.limit or len(self._queues.get(workspace, ())) >= self.workspace_limit:
            BUSY_REFUSALS.labels(platform=self.platform.name, reason="busy").inc()
            return BUSY
        return None

    def offer(self, workspace: str, item: Item) -> str | None:
        """Queue `item`, or say why not (counted): "busy" or "restarting". Queued work begins
        once a slot is free and the workspace's turn comes, at once if it can."""
        refusal = self.refusal(workspace)
        if refusal is not None:
            return refusal
        queue = self._queues.get(workspace)
        if queue is None:
            queue = self._queues[workspace] = deque()
        queue.append(item)
        self._queued += 1
        self._idle.clear()
        self._dispatch()
        return None

    def withdraw(self, workspace: str, item: Item) -> None:
        """Take back an item still waiting (its requester went away); nothing if it began."""
        queue = self._queues.get(workspace)
        if queue is None or item not in queue:
            return
        queue.remove(item)
        if not queue:
            del self._queues[workspace]
        self._queued -= 1
        self._settle()

    def release(self, task: asyncio.Task[Any]) -> None:
        """The work `task` holds a slot for has ended: the slot goes to the next in turn."""
        entry = self._running.pop(task, None)
        if entry is None:
            return
        workspace = entry[0]
        self._busy[workspace] -= 1
        if not self._busy[workspace]:
            del self._busy[workspace]
        self._dispatch()

    def _dispatch(self) -> None:
        """Begin queued work while slots are free, taking the workspaces in turn (one whose
        share of the slots is taken waits for one of its own to end)."""
        while len(self._running) < self.slots:
            workspace = next((w for w in self._queues if self._busy[w] < self.workspace_slots), None)
            if workspace is None:
                break
            queue = self._queues[workspace]
            item = queue.popleft()
            if queue:
                self._queues.move_to_end(workspace)
            else:
                del self._queues[workspace]
            self._queued -= 1
            self._busy[workspace] += 1
            self._running[self.platform.begin(item)] = (workspace, item)
        self._settle()

    def _settle(self) -> None:
        QUEUED_WORK.labels(platform=self.platform.name).set(self._queued)
        if not self._queued and not self._running:
            self._idle.set()

    async def drain(self, deadline: float, tell_by: float) -> Unfinished:
        """Stop: refuse new work, let the queued and running work finish until `deadline` (the
        loop's clock), then abandon what is left, have its users told until `tell_by`, and log
        the exact count."""
        left = await self.abandon_at(deadline, tell_by)
        tells = [partial(self.platform.tell_unfinished, item) for item in left.running + left.queued]
        unfinished = Unfinished(len(left.running), len(left.queued), await tell_all(tells, tell_by))
        report(unfinished, self.platform.noun, self.platform.log)
        return unfinished

    async def abandon_at(self, deadline: float, tell_by: float) -> Left[Item]:
        """Refuse new work, let the queued and running work finish until `deadline`, then
        abandon what is left: the running work cancelled (given a moment to end, `cancelled`)."""
        self.closed = True
        if not self._idle.is_set():
            try:
                async with asyncio.timeout_at(deadline):
                    await self._idle.wait()
            except TimeoutError:
                pass
        running = dict(self._running)
        queued = [item for queue in self._queues.values() for item in queue]
        self._queues.clear()
        self._queued = 0
        self._settle()
        for item in queued:
            self.platform.abandon(item)
        await cancelled(running, tell_by)
        return Left([item for _, item in running.values()], queued)


async def cancelled(tasks: Collection[asyncio.Task[Any]], tell_by: float) -> None:
    """Cancel `tasks` and give them a moment to end: a quarter of the time left until `tell_by`
    (the loop's clock), at most CANCEL_WAIT_SECONDS. Work stuck where a cancellation does not
    reach at once (a query on a stalled database connection) must not take the time in which
    its people are told: waiting for it until `tell_by` left no one told."""
    for task in tasks:
        task.cancel()
    if tasks:
        left = max(0.0, tell_by - asyncio.get_running_loop().time())
        await asyncio.wait(set(tasks), timeout=min(CANCEL_WAIT_SECONDS, left / 4))


def report(unfinished: Unfinished, noun: str, log: logging.Logger) -> None:
    """The one line a stop logs: what it left unfinished, exactly, and how many were told."""
    owed = ""
    if unfinished.replies:
        owed = f"; {unfinished.replies} replies owed, {unfinished.replies_untold} could not be sent"
    if unfinished.total:
        recording = f", {unfinished.recording} clicks being recorded" if unfinished.recording else ""
        log.warning(
            "stopping: %d acknowledged %ss unfinished (%d running, %d queued%s); "
            "%d of their users told, %d could not be%s",
            unfinished.total,
            noun,
            unfinished.running,
            unfinished.queued,
            recording,
            unfinished.told,
            unfinished.total - unfinished.told,
            owed,
        )
    elif unfinished.replies_untold:
        log.warning("stopping: every acknowledged %s finished%s", noun, owed)
    else:
        log.info("stopping: every acknowledged %s finished%s", noun, owed)


async def tell_all(tells: Sequence[Callable[[], Awaitable[bool]]], tell_by: float) -> int:
    """Send each of `tells` (True: its person was told), TELL_SLOTS at a time, until `tell_by`
    (the loop's clock); how many were told."""
    slots = asyncio.Semaphore(TELL_SLOTS)
    told = 0

    async def tell(send: Callable[[], Awaitable[bool]]) -> None:
        nonlocal told
        async with slots:
            if await send():
                told += 1

    tasks = [asyncio.ensure_future(tell(send)) for send in tells]
    if tasks:
        loop = asyncio.get_running_loop()
        _, late = await asyncio.wait(tasks, timeout=max(0.0, tell_by - loop.time()))
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
    return told
