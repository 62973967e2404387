"""The work after the ack: run in the background, a bounded number at a time, failures told.

Listeners acknowledge a request and hand its work here, so Bolt answers Slack the moment the
listener returns. At most `WORK_SLOTS` pieces of work run at once; the others wait for a slot,
acknowledged already. Slack does not slow down when we fall behind, so what waits is held in
memory: each waiting item is one task around a small job record (a few hundred bytes, not
Bolt's parsed request), so even tens of thousands waiting cost a few tens of MB.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

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
# More would only queue on the CPU and on aiohttp's pool of 100 connections, and hold more
# memory while doing it.
WORK_SLOTS = 128

log = logging.getLogger(__name__)

Kind = Literal["command", "action", "event"]
Outcome = Literal["ok", "refused", "error"]
Work = Callable[[], Awaitable[Outcome]]


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
        self._slots = asyncio.Semaphore(slots)

    def start(self, kind: Kind, what: str, work: Work, response_url: str | None) -> None:
        """Run `work` when a slot is free. A refusal or a failure reaches the user at
        `response_url` (a failure is logged too); every request is counted by kind and outcome."""
        self.inflight.spawn(self._run(kind, what, work, response_url))

    async def _run(self, kind: Kind, what: str, work: Work, response_url: str | None) -> None:
        async with self._slots:
            outcome: Outcome = "error"
            try:
                outcome = await work()
            except UserFacingError as error:
                outcome = "refused"
                await self._tell(response_url, str(error))
            except Exception:
                log.exception("Slack %s failed", what)
                await self._tell(response_url, FRIENDLY_FAILURE)
            finally:
                count(kind, outcome)

    async def _tell(self, response_url: str | None, text: str) -> None:
        if response_url is not None:
            await self.replies(response_url, blocks.reply_text(text))
