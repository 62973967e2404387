"""Slack's work after the ack, through the platform-neutral work queue (`adapters.work_queue`:
per workspace, in turn, bounded, drained on stop).

Listeners acknowledge a request and hand its work here, so Bolt answers Slack the moment the
listener returns. Past the queue's bound a request is answered "busy" at once instead of queued
(a command in its acknowledgement, a click with `REFUSED_CLICK` and the reason at its
response_url).

Each waiting item is kept small: a plain tuple of the route's number and the job's strings (no
task, no coroutine, no Web API client, nothing of Bolt's parsed request). Python's garbage
collector stops tracking a tuple of strings, so its full passes, which walk every object it
tracks, do not grow with the queue (tasks waiting on a semaphore made those passes take 300 ms
here, stalling every ack; job objects, 130 ms). A task is made for a job only when it begins.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Literal, Protocol, TypeVar

import aiohttp
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.inflight import InFlight
from adapters.rejections import BoundedLog
from adapters.slack import blocks
from adapters.work_queue import BUSY as BUSY  # the refusals, as Slack's listeners and tests name them
from adapters.work_queue import (
    QUEUE_LIMIT,
    TELL_SLOTS,
    WORK_SLOTS,
    Platform,
    Unfinished,
    WorkQueue,
    cancelled,
    report,
    tell_all,
)
from adapters.work_queue import RESTARTING as RESTARTING
from bot.errors import UserFacingError
from bot.metrics import BUSY_REFUSALS, REQUESTS

PLATFORM = "slack"
FRIENDLY_FAILURE = "Something went wrong on our side. Try again in a moment."
UNFINISHED = (
    "Studybot had to restart before it finished your request, so it may not have been carried "
    "out. Please try again."
)
# A click acknowledged before its answer was recorded, whose recording a stop cut short.
UNKNOWN_OUTCOME = (
    "Studybot had to restart while recording your answer, so it may not have been recorded. "
    "Click again to make sure: an answer is only ever counted once."
)
# A click that was not taken (busy, restarting) is answered with this status, the reason told at
# its response_url: a 200 means a click was taken (issue 13, point 1), and Slack marks the click
# as failed even when the reason cannot be sent. A command's refusal is its 200's text instead,
# which Slack shows as it is.
REFUSED_CLICK = 503

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[object]]
"""A reply to send: False (or an exception) if it could not be."""

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


class Background:
    """Slack's side of the work queue: routes, jobs rebuilt from their tuples, and replies."""

    def __init__(
        self, inflight: InFlight, replies: Replies, slots: int = WORK_SLOTS, limit: int = QUEUE_LIMIT
    ) -> None:
        self.inflight = inflight
        self.replies = replies
        platform = Platform(PLATFORM, "Slack request", self._begin, self._tell_unfinished, log)
        self.queue: WorkQueue[tuple[Any, ...]] = WorkQueue(platform, slots, limit)
        self._routes: list[Route[Any]] = []
        self._unreachable = BoundedLog(log, "failures to reach Slack")
        # Replies waiting their turn and being sent; how many ended sent and not sent (drops
        # included), so that a stop counts exactly those it owed.
        self._replies: deque[Send] = deque()
        self._reply_limit = limit
        self._sending: set[asyncio.Task[None]] = set()
        self._replies_idle = asyncio.Event()
        self._replies_idle.set()
        self._sent = 0
        self._unsent = 0
        # Clicks acknowledged before their answer was recorded: the recording, and where to tell
        # its person if a stop cuts it short.
        self._awaiting: dict[asyncio.Task[Any], str | None] = {}

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
        return self.queue.queued

    @property
    def closed(self) -> bool:
        return self.queue.closed

    @closed.setter
    def closed(self, closed: bool) -> None:
        self.queue.closed = closed

    def has_room(self) -> bool:
        """False while the queue is full (readiness: send the traffic elsewhere)."""
        return self.queue.has_room()

    def offer(self, route: Route[J], job: J) -> str | None:
        """Queue the route's work on `job`, or say why not: the refusal for the user ("busy",
        "restarting"), counted. Queued work runs once a slot is free and the workspace's turn
        comes; a refusal or a failure reaches the user at the job's response_url (a failure is
        logged too); every request is counted by kind and outcome."""
        refusal = self.queue.offer(job.workspace, (route.number, *job))
        if refusal is not None:
            count(route.kind, "refused")
        return refusal

    def refuse_early(self, kind: Kind, workspace: str) -> str | None:
        """The refusal (counted) if work of this kind from this workspace would not be queued
        now, else None."""
        refusal = self.queue.refusal(workspace)
        if refusal is not None:
            count(kind, "refused")
        return refusal

    def tell_soon(self, response_url: str | None, text: str) -> None:
        """Tell a user something without queueing it as work (a refusal, a click's outcome),
        TELL_SLOTS at a time: the others wait their turn, as many as the work queue's bound;
        past that a reply is dropped and counted, as the request already was."""
        if response_url is not None:
            self.send_soon(lambda: self._tell(response_url, text))

    def refuse_click(self, response_url: str | None, refusal: str) -> BoltResponse:
        """A click's answer when it was not taken: `REFUSED_CLICK`, the refusal told soon."""
        self.tell_soon(response_url, refusal)
        return BoltResponse(status=REFUSED_CLICK, body=refusal)

    def send_soon(self, send: Send) -> None:
        """`tell_soon` for a reply sent some other way than a response_url (a direct message's
        is a message in its conversation): the same turns and bound."""
        if len(self._replies) >= self._reply_limit:
            BUSY_REFUSALS.labels(platform=PLATFORM, reason="untold").inc()
            self._unsent += 1
            return
        self._replies.append(send)
        self._replies_idle.clear()
        self._send_next()

    def _send_next(self) -> None:
        while len(self._sending) < TELL_SLOTS and self._replies:
            sending = self.inflight.spawn(self._send_once(self._replies.popleft()))
            self._sending.add(sending)
            sending.add_done_callback(self._sent_one)
        if not self._sending and not self._replies:
            self._replies_idle.set()

    def _sent_one(self, sending: asyncio.Task[None]) -> None:
        self._sending.discard(sending)
        if sending.cancelled():
            self._unsent += 1
        self._send_next()

    async def _send_once(self, send: Send) -> None:
        sent = False
        try:
            sent = await send() is not False
        except Exception as error:
            self._failed(error, "sending a Slack user a reply (a refusal, an outcome) failed")
        if sent:
            self._sent += 1
        else:
            self._unsent += 1

    def awaiting_outcome(self, recording: asyncio.Task[Any], response_url: str | None) -> None:
        """A click acknowledged before its answer was recorded: a stop waits for `recording`
        with the rest of the work, and past its deadline cuts it short and tells the person
        their answer may not have been recorded (`UNKNOWN_OUTCOME`)."""
        self._awaiting[recording] = response_url
        recording.add_done_callback(self._settled)

    def _settled(self, recording: asyncio.Task[Any]) -> None:
        self._awaiting.pop(recording, None)

    def _job(self, item: tuple[Any, ...]) -> tuple[Route[Any], Job]:
        number, *fields = item
        route = self._routes[number]
        return route, route.make(fields)

    def _begin(self, item: tuple[Any, ...]) -> asyncio.Task[Any]:
        route, job = self._job(item)
        task = self.inflight.spawn(self._run(route, job))
        task.add_done_callback(self.queue.release)
        return task

    async def _run(self, route: Route[J], job: J) -> None:
        outcome: Outcome = "error"
        try:
            outcome = await route.work(job)
        except UserFacingError as error:
            outcome = "refused"
            await self._tell(job.response_url, str(error))
        except Exception as error:
            self._failed(error, f"Slack {route.what} failed")
            await self._tell(job.response_url, FRIENDLY_FAILURE)
        finally:
            count(route.kind, outcome)

    async def _tell_unfinished(self, item: tuple[Any, ...]) -> bool:
        return await self._tell(self._job(item)[1].response_url, UNFINISHED)

    async def _tell(self, response_url: str | None, text: str) -> bool:
        """Tell the user; a failure to is logged, and the worker goes on with the queue."""
        if response_url is None:
            return False
        try:
            await self.replies(response_url, blocks.reply_text(text))
        except Exception as error:
            self._failed(error, "telling a Slack user that their request failed failed too")
            return False
        return True

    def _failed(self, error: Exception, what: str) -> None:
        """Log a failure: Slack out of reach (a response_url down, or not a URL) in one line at a
        bounded rate, since it comes at the rate of the clicks; anything else with its traceback."""
        if isinstance(error, aiohttp.ClientError | OSError | TimeoutError):
            self._unreachable.warning("%s: Slack could not be reached (%r)", what, error)
        else:
            log.exception(what)

    async def drain(self, deadline: float, tell_by: float) -> Unfinished:
        """Stop: refuse new work, let the queued and running work and the clicks still being
        recorded finish until `deadline` (the loop's clock), then abandon what is left, tell its
        users and send the replies still owed until `tell_by`, and log the exact count."""
        self.closed = True
        loop = asyncio.get_running_loop()
        sent, unsent = self._sent, self._unsent
        if self._awaiting:
            await asyncio.wait(set(self._awaiting), timeout=max(0.0, deadline - loop.time()))
        left = await self.queue.abandon_at(deadline, tell_by)
        cut = dict(self._awaiting)
        await cancelled(cut, tell_by)
        told_work, told_cut, _ = await asyncio.gather(
            tell_all([partial(self._tell_unfinished, item) for item in left.running + left.queued], tell_by),
            tell_all([partial(self._tell, url, UNKNOWN_OUTCOME) for url in cut.values()], tell_by),
            self._send_replies(tell_by),
        )
        unfinished = Unfinished(
            len(left.running),
            len(left.queued),
            told_work + told_cut,
            recording=len(cut),
            replies=self._sent - sent + self._unsent - unsent,
            replies_untold=self._unsent - unsent,
        )
        report(unfinished, self.queue.platform.noun, log)
        return unfinished

    async def _send_replies(self, tell_by: float) -> None:
        """Send the replies owed until `tell_by`; those not sent by then are counted unsent."""
        try:
            async with asyncio.timeout_at(tell_by):
                await self._replies_idle.wait()
        except TimeoutError:
            pass
        self._unsent += len(self._replies)
        self._replies.clear()
        sending = set(self._sending)
        for task in sending:
            task.cancel()
        if sending:
            await asyncio.wait(sending)
