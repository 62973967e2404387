"""The work after the ack: run in the background, a bounded number at a time, failures told.

Listeners acknowledge a request and hand its work here, so Bolt answers Slack the moment the
listener returns. At most `WORK_SLOTS` pieces of work run at once; the rest wait in a queue,
acknowledged already. Slack does not slow down when we fall behind, so the queue is held in
memory, and each waiting item is kept small: a plain tuple of the route's number and the job's
strings (no task, no coroutine, no Web API client, nothing of Bolt's parsed request). That
matters twice: tens of thousands waiting cost a few MB, and Python's garbage collector stops
tracking a tuple of strings, so its full passes, which walk every object it tracks, do not
grow with the queue (tasks waiting on a semaphore made those passes take 300 ms here, stalling
every ack; job objects, 130 ms).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.inflight import InFlight
from adapters.slack import blocks
from bot.errors import UserFacingError
from bot.metrics import REQUESTS

PLATFORM = "slack"
FRIENDLY_FAILURE = "Something went wrong on our side. Try again in a moment."
# 128 at once: enough to fill the core's group commits (answers waiting while a batch commits
# join the next one) and, at the 100 to 300 ms a response_url or Web API call takes from a real
# deployment, to do several hundred requests a second, more than one process's CPU does here.
# More would only queue on the CPU and on aiohttp's pool of 100 connections.
WORK_SLOTS = 128

log = logging.getLogger(__name__)

Kind = Literal["command", "action", "event"]
Outcome = Literal["ok", "refused", "error"]


class Job(Protocol):
    """What the work of one request needs, taken from its payload at ack time: a NamedTuple
    of strings (and None), queued as a plain tuple."""

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
    ) -> None:
        webhook = AsyncWebhookClient(response_url, session=self.session)
        await webhook.send_dict(
            {"response_type": "ephemeral", "replace_original": replace_original, **message}
        )


class Background:
    def __init__(self, inflight: InFlight, replies: Replies, slots: int = WORK_SLOTS) -> None:
        self.inflight = inflight
        self.replies = replies
        self.slots = slots
        self._routes: list[Route[Any]] = []
        self._queue: deque[tuple[Any, ...]] = deque()
        self._workers = 0

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

    def start(self, route: Route[J], job: J) -> None:
        """Run the route's work on `job` once one of the slots is free. A refusal or a failure
        reaches the user at the job's response_url (a failure is logged too); every request is
        counted by kind and outcome."""
        self._queue.append((route.number, *job))
        if self._workers < self.slots:
            self._workers += 1
            self.inflight.spawn(self._worker())

    async def _worker(self) -> None:
        """Take work from the queue until it is empty (stopping drains the workers, and so the
        queue)."""
        try:
            while self._queue:
                number, *fields = self._queue.popleft()
                route = self._routes[number]
                await self._run(route, route.make(fields))
        finally:
            self._workers -= 1

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

    async def _tell(self, response_url: str | None, text: str) -> None:
        """Tell the user; a failure to is logged, and the worker goes on with the queue."""
        if response_url is None:
            return
        try:
            await self.replies(response_url, blocks.reply_text(text))
        except Exception:
            log.exception("telling a Slack user that their request failed failed too")
