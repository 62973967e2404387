"""The work after the ack: queued per workspace, served in turn, bounded, drained on stop.

Listeners acknowledge a request and hand its work here, so Bolt answers Slack the moment the
listener returns. At most `slots` pieces of work run at once; the rest wait, acknowledged
already, in one queue per workspace, and the workers take from the workspaces in turn, so one
workspace's flood delays another's click by at most one piece of work per busy workspace.

The queue is bounded (`limit`, STUDYBOT_WORK_QUEUE_LIMIT): past it a request is answered "busy"
at once instead of queued (a command in its acknowledgement, a click through its response_url),
and one workspace may fill at most three quarters of it, so the rest stay served during its
flood. While the queue is full, /readyz says not ready. Stopping refuses new work ("restarting"),
lets the queue drain until a deadline, then counts exactly what was left (running and queued),
and tells each of those users.

Each waiting item is kept small: a plain tuple of the route's number and the job's strings (no
task, no coroutine, no Web API client, nothing of Bolt's parsed request). Python's garbage
collector stops tracking a tuple of strings, so its full passes, which walk every object it
tracks, do not grow with the queue (tasks waiting on a semaphore made those passes take 300 ms
here, stalling every ack; job objects, 130 ms).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.inflight import InFlight
from adapters.slack import blocks
from bot.errors import UserFacingError
from bot.metrics import BUSY_REFUSALS, QUEUED_WORK, REQUESTS

PLATFORM = "slack"
FRIENDLY_FAILURE = "Something went wrong on our side. Try again in a moment."
# 128 at once: enough to fill the core's group commits (answers waiting while a batch commits
# join the next one) and, at the 100 to 300 ms a response_url or Web API call takes from a real
# deployment, to do several hundred requests a second, more than one process's CPU does here.
# More would only queue on the CPU and on aiohttp's pool of 100 connections.
WORK_SLOTS = 128
# Requests waiting for a slot, at most (STUDYBOT_WORK_QUEUE_LIMIT's default): at the tens of
# requests a second 128 slots finish when Slack answers slowly, a few seconds of waiting; a
# person told "busy" at once is better off than one answered half a minute later.
QUEUE_LIMIT = 1000
# Refusals sent through response_urls at once; past it a refusal is counted, not sent.
TELL_SLOTS = 16
BUSY = "Studybot is busy right now. Try again in a moment."
RESTARTING = "Studybot is restarting. Try again in a minute."
UNFINISHED = (
    "Studybot had to restart before it finished your request, so it may not have been carried "
    "out. Please try again."
)

log = logging.getLogger(__name__)

Kind = Literal["command", "action", "event"]
Outcome = Literal["ok", "refused", "error"]


class Job(Protocol):
    """What the work of one request needs, taken from its payload at ack time: a NamedTuple
    of strings (and None), queued as a plain tuple."""

    @property
    def workspace(self) -> str: ...

    @property
    def response_url(self) -> str | None: ...

    def __iter__(self) -> Any: ...


J = TypeVar("J", bound=Job)


@dataclass(frozen=True)
class Route(Generic[J]):
    """One kind of work: `make` turns the queued fields back into its job."""

    number: int
    kind: Kind
    what: str
    work: Callable[[J], Awaitable[Outcome]]
    make: Callable[[Iterable[Any]], J]


def count(kind: Kind, outcome: Outcome) -> None:
    REQUESTS.labels(platform=PLATFORM, kind=kind, outcome=outcome).inc()


class Replies:
    """Messages to a request's response_url, through the process's one HTTP session (Bolt's
    `respond` opens a session, and its connection pool, per message)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __call__(
        self, response_url: str, message: dict[str, Any], replace_original: bool = False
    ) -> bool:
        """Whether Slack took the message (a response_url expires after 30 minutes)."""
        webhook = AsyncWebhookClient(response_url, session=self.session)
        sent = await webhook.send_dict(
            {"response_type": "ephemeral", "replace_original": replace_original, **message}
        )
        return sent.status_code == 200


@dataclass(frozen=True)
class Unfinished:
    """What stopping left undone: requests acknowledged and not carried out, and how many of
    their users were told."""

    running: int
    queued: int
    told: int

    @property
    def total(self) -> int:
        return self.running + self.queued


class Background:
    def __init__(
        self, inflight: InFlight, replies: Replies, slots: int = WORK_SLOTS, limit: int = QUEUE_LIMIT
    ) -> None:
        self.inflight = inflight
        self.replies = replies
        self.slots = slots
        self.limit = limit
        self.workspace_limit = max(1, limit - limit // 4)
        self.closed = False
        self._routes: list[Route[Any]] = []
        self._queues: OrderedDict[str, deque[tuple[Any, ...]]] = OrderedDict()  # in turn
        self._queued = 0
        self._workers: set[asyncio.Task[Any]] = set()
        self._running: dict[asyncio.Task[Any], Job] = {}
        self._telling = 0

    def route(
        self,
        kind: Kind,
        what: str,
        work: Callable[[J], Awaitable[Outcome]],
        make: Callable[[Iterable[Any]], J],
    ) -> Route[J]:
        route = Route(len(self._routes), kind, what, work, make)
        self._routes.append(route)
        return route

    @property
    def queued(self) -> int:
        return self._queued

    def has_room(self) -> bool:
        """False while the queue is full (readiness: send the traffic elsewhere)."""
        return self._queued < self.limit and not self.closed

    def offer(self, route: Route[J], job: J) -> str | None:
        """Queue the route's work on `job`, or say why not: the refusal for the user ("busy",
        "restarting"), counted. Queued work runs once a slot is free and the workspace's turn
        comes; a refusal or a failure reaches the user at the job's response_url (a failure is
        logged too); every request is counted by kind and outcome."""
        refusal = self.refuse_early(route.kind, job.workspace)
        if refusal is not None:
            return refusal
        queue = self._queues.get(job.workspace)
        if queue is None:
            queue = self._queues[job.workspace] = deque()
        queue.append((route.number, *job))
        self._queued += 1
        QUEUED_WORK.labels(platform=PLATFORM).set(self._queued)
        if len(self._workers) < self.slots:
            self._workers.add(self.inflight.spawn(self._worker()))
        return None

    def refuse_early(self, kind: Kind, workspace: str) -> str | None:
        """The refusal (counted) if work of this kind from this workspace would not be queued
        now, else None."""
        refusal = self._refusal(workspace)
        if refusal is not None:
            reason = "restarting" if refusal == RESTARTING else "busy"
            BUSY_REFUSALS.labels(platform=PLATFORM, reason=reason).inc()
            count(kind, "refused")
        return refusal

    def _refusal(self, workspace: str) -> str | None:
        if self.closed:
            return RESTARTING
        if self._queued >= self.limit or len(self._queues.get(workspace, ())) >= self.workspace_limit:
            return BUSY
        return None

    def tell_soon(self, response_url: str | None, text: str) -> None:
        """Tell a user something without queueing it (a refusal), a bounded number at a time:
        past that the message is dropped and counted, as the request already was."""
        if response_url is None:
            return
        if self._telling >= TELL_SLOTS:
            BUSY_REFUSALS.labels(platform=PLATFORM, reason="untold").inc()
            return
        self._telling += 1
        self.inflight.spawn(self._tell_once(response_url, text))

    async def _tell_once(self, response_url: str, text: str) -> None:
        try:
            await self._tell(response_url, text)
        finally:
            self._telling -= 1

    def _take(self) -> tuple[Any, ...]:
        """The next item of the workspace whose turn it is; that workspace goes to the back."""
        workspace, queue = next(iter(self._queues.items()))
        item = queue.popleft()
        if queue:
            self._queues.move_to_end(workspace)
        else:
            del self._queues[workspace]
        self._queued -= 1
        QUEUED_WORK.labels(platform=PLATFORM).set(self._queued)
        return item

    async def _worker(self) -> None:
        """Take work from the queues until they are empty (stopping drains the workers, and so
        the queues)."""
        task = asyncio.current_task()
        assert task is not None
        try:
            while self._queued:
                number, *fields = self._take()
                route = self._routes[number]
                job = route.make(fields)
                self._running[task] = job
                try:
                    await self._run(route, job)
                finally:
                    del self._running[task]
        finally:
            self._workers.discard(task)

    async def _run(self, route: Route[J], job: J) -> None:
        outcome: Outcome = "error"
        try:
            outcome = await route.work(job)
        except UserFacingError as error:
            outcome = "refused"
            await self._tell(job.response_url, str(error))
        except Exception:
            log.exception("Slack %s failed", route.what)
            await self._tell(job.response_url, FRIENDLY_FAILURE)
        finally:
            count(route.kind, outcome)

    async def _tell(self, response_url: str | None, text: str) -> bool:
        """Tell the user; a failure to is logged, and the worker goes on with the queue."""
        if response_url is None:
            return False
        try:
            await self.replies(response_url, blocks.reply_text(text))
        except Exception:
            log.exception("telling a Slack user that their request failed failed too")
            return False
        return True

    async def drain(self, deadline: float, tell_by: float) -> Unfinished:
        """Stop: refuse new work, let the queued and running work finish until `deadline` (the
        loop's clock), then abandon what is left, tell its users until `tell_by`, and log the
        exact count."""
        self.closed = True
        loop = asyncio.get_running_loop()
        while self._workers and (remaining := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._workers), timeout=remaining)
        running = list(self._running.values())
        queued = [self._routes[item[0]].make(item[1:]) for queue in self._queues.values() for item in queue]
        self._queues.clear()
        self._queued = 0
        QUEUED_WORK.labels(platform=PLATFORM).set(0)
        workers = set(self._workers)
        for worker in workers:
            worker.cancel()
        if workers:
            await asyncio.wait(workers, timeout=max(0.0, tell_by - loop.time()))
        told = await self._tell_all([job.response_url for job in (*running, *queued)], tell_by)
        unfinished = Unfinished(len(running), len(queued), told)
        if unfinished.total:
            log.warning(
                "stopping: %d acknowledged Slack requests unfinished (%d running, %d queued); "
                "%d of their users told, %d could not be",
                unfinished.total,
                unfinished.running,
                unfinished.queued,
                told,
                unfinished.total - told,
            )
        else:
            log.info("stopping: every acknowledged Slack request finished")
        return unfinished

    async def _tell_all(self, urls: list[str | None], tell_by: float) -> int:
        """Tell each user their request was not finished, TELL_SLOTS at a time, until `tell_by`."""
        slots = asyncio.Semaphore(TELL_SLOTS)
        told = 0

        async def tell(url: str) -> None:
            nonlocal told
            async with slots:
                if await self._tell(url, UNFINISHED):
                    told += 1

        tasks = [asyncio.ensure_future(tell(url)) for url in urls if url is not None]
        if tasks:
            loop = asyncio.get_running_loop()
            _, late = await asyncio.wait(tasks, timeout=max(0.0, tell_by - loop.time()))
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        return told
