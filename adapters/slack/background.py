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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

import aiohttp
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.inflight import InFlight
from adapters.slack import blocks
from adapters.work_queue import BUSY as BUSY  # the refusals, as Slack's listeners and tests name them
from adapters.work_queue import QUEUE_LIMIT, WORK_SLOTS, Platform, Unfinished, WorkQueue
from adapters.work_queue import RESTARTING as RESTARTING
from bot.errors import UserFacingError
from bot.metrics import BUSY_REFUSALS, REQUESTS

PLATFORM = "slack"
FRIENDLY_FAILURE = "Something went wrong on our side. Try again in a moment."
# Refusals sent through response_urls at once; past it a refusal is counted, not sent.
TELL_SLOTS = 16
UNFINISHED = (
    "Studybot had to restart before it finished your request, so it may not have been carried "
    "out. Please try again."
)
# A click that was not taken (busy, restarting) is answered with this status, the reason told at
# its response_url: a 200 means a click was taken (issue 13, point 1), and Slack marks the click
# as failed even when the reason cannot be sent. A command's refusal is its 200's text instead,
# which Slack shows as it is.
REFUSED_CLICK = 503

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
        """Tell a user something without queueing it (a refusal), a bounded number at a time:
        past that the message is dropped and counted, as the request already was."""
        if response_url is not None:
            self.send_soon(lambda: self._tell(response_url, text))

    def refuse_click(self, response_url: str | None, refusal: str) -> BoltResponse:
        """A click's answer when it was not taken: `REFUSED_CLICK`, the refusal told soon."""
        self.tell_soon(response_url, refusal)
        return BoltResponse(status=REFUSED_CLICK, body=refusal)

    def send_soon(self, send: Callable[[], Awaitable[object]]) -> None:
        """`tell_soon` for a refusal sent some other way than a response_url (a direct message's
        is a message in its conversation): the same bound on how many are sent at once."""
        if self._telling >= TELL_SLOTS:
            BUSY_REFUSALS.labels(platform=PLATFORM, reason="untold").inc()
            return
        self._telling += 1
        self.inflight.spawn(self._send_once(send))

    async def _send_once(self, send: Callable[[], Awaitable[object]]) -> None:
        try:
            await send()
        except Exception:
            log.exception("telling a Slack user that their request was refused failed")
        finally:
            self._telling -= 1

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
        except Exception:
            log.exception("Slack %s failed", route.what)
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
        except Exception:
            log.exception("telling a Slack user that their request failed failed too")
            return False
        return True

    async def drain(self, deadline: float, tell_by: float) -> Unfinished:
        """Stop: refuse new work, let the queued and running work finish until `deadline` (the
        loop's clock), then abandon what is left, tell its users until `tell_by`, and log the
        exact count."""
        return await self.queue.drain(deadline, tell_by)
