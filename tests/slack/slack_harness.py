"""Run `studybot serve` with Slack configured, and talk to it as Slack does: signed requests.

Requests are form-encoded and signed exactly as Slack signs them: `v0=` + HMAC-SHA256 of
`v0:{timestamp}:{body}` with the signing secret, in X-Slack-Signature beside
X-Slack-Request-Timestamp.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_stand_in import StandInSlack

from adapters.serve import serve
from bot.clock import Clock
from bot.daily.service import DailyService
from bot.models import Mode, QuestionView
from bot.questions import Difficulty, Kind
from bot.settings import Settings, load_settings
from tests.ports import free_port

BANK = Path(__file__).resolve().parent / "bank"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
# Starting (migrations included) and stopping, on a loaded 2-core machine.
START_SECONDS = 30.0
# Slack allows 3 seconds; an ack that goes through no database arrives far sooner.
ACK_SECONDS = 1.0
# A question of the day as the daily poster is handed it.
DAILY_QUESTION = QuestionView(
    instance_id=7,
    question_id="ecs-stands-for",
    topic_id="ecs",
    topic_name="Amazon ECS",
    kind=Kind.MULTIPLE_CHOICE,
    difficulty=Difficulty.EASY,
    prompt="What does ECS stand for?",
    choices=("Elastic Compute Service", "Elastic Container Service"),
    mode=Mode.DAILY,
    daily_date=date(2026, 11, 16),
)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element for block in message["blocks"] if block["type"] == "actions" for element in block["elements"]
    ]


def button_for(message: dict[str, Any], choice: str) -> dict[str, Any]:
    """The button showing `choice` ("C. Elastic Container Service"): choices are shown shuffled."""
    [found] = [b for b in buttons(message) if b["text"]["text"].split(". ", 1)[-1] == choice]
    return found


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("text", "")]
    for block in message.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(
            element.get("text", "") for element in block.get("elements", []) if block["type"] == "context"
        )
    return "\n".join(parts)


def event_callback(event_id: str, event: dict[str, Any]) -> str:
    """An Events API delivery of `event` to workspace T1, as JSON (`SlackBot.send_raw` signs it)."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
            "event": event,
        }
    )


def sign(secret: str, timestamp: int, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class FakeTime:
    """A monotonic clock and a sleep for pacing: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass(frozen=True)
class Sent:
    status: int
    elapsed: float
    response_url: str


@dataclass
class SlackUser:
    id: str = "U1"
    name: str = "ann"


@dataclass
class SlackBot:
    """A running `studybot serve`, and Slack's half of the conversation with it."""

    url: str
    api: StandInSlack
    http: aiohttp.ClientSession
    database: Path
    daily: DailyService
    team: str = "T1"
    channel: str = "C1"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(
        self,
        fields: dict[str, str],
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, float]:
        body = urlencode(fields)
        return await self.send_raw(body, "application/x-www-form-urlencoded", secret, timestamp, headers)

    async def send_raw(
        self,
        body: str,
        content_type: str,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, float]:
        stamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(secret, stamp, body),
            **(headers or {}),
        }
        started = time.monotonic()
        async with self.http.post(self.url + "slack/events", data=body, headers=all_headers) as response:
            await response.read()
            return response.status, time.monotonic() - started

    def slash_fields(
        self, text: str, user: SlackUser | None = None, channel: str | None = None
    ) -> dict[str, str]:
        user = user or SlackUser()
        n = next(self._ids)
        return {
            "token": "legacy-verification-token",
            "team_id": self.team,
            "team_domain": "acme",
            "channel_id": channel or self.channel,
            "channel_name": "general",
            "user_id": user.id,
            "user_name": user.name,
            "command": "/quiz",
            "text": text,
            "api_app_id": "A1",
            "response_url": self.api.response_url(f"cmd-{n}"),
            "trigger_id": f"trigger-cmd-{n}",
        }

    async def slash(
        self, text: str, user: SlackUser | None = None, channel: str | None = None, **options: Any
    ) -> Sent:
        fields = self.slash_fields(text, user, channel)
        status, elapsed = await self.send(fields, **options)
        return Sent(status, elapsed, fields["response_url"])

    def click_payload(
        self,
        action_id: str,
        value: str,
        message_ts: str,
        user: SlackUser | None = None,
        ephemeral: bool = False,
    ) -> dict[str, Any]:
        user = user or SlackUser()
        n = next(self._ids)
        return {
            "type": "block_actions",
            "team": {"id": self.team, "domain": "acme"},
            "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": self.team},
            "api_app_id": "A1",
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": self.channel,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": f"trigger-click-{n}",
            "channel": {"id": self.channel, "name": "general"},
            "response_url": self.api.response_url(f"click-{n}"),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "choices",
                    "value": value,
                    "type": "button",
                    "action_ts": f"1700000001.{n:06d}",
                }
            ],
        }

    def tick_payload(
        self, message: dict[str, Any], ticked: list[str], message_ts: str, user: SlackUser | None = None
    ) -> dict[str, Any]:
        """A box of a multiple-response question ticked or unticked: Slack sends the checkboxes
        element with every option now ticked, and the message's state."""
        [boxes] = [b for b in buttons(message) if b["type"] == "checkboxes"]
        options = [o for o in boxes["options"] if o["text"]["text"].split(". ", 1)[-1] in ticked]
        assert len(options) == len(ticked), ticked
        payload = self.click_payload(boxes["action_id"], "", message_ts, user)
        block_id = next(b["block_id"] for b in message["blocks"] if boxes in b.get("elements", []))
        payload["actions"] = [
            {
                "action_id": boxes["action_id"],
                "block_id": block_id,
                "type": "checkboxes",
                "selected_options": options,
                "action_ts": payload["actions"][0]["action_ts"],
            }
        ]
        state = {"type": "checkboxes", "selected_options": options}
        payload["state"] = {"values": {block_id: {boxes["action_id"]: state}}}
        return payload

    def submit_payload(
        self, message: dict[str, Any], ticked: list[str], message_ts: str, user: SlackUser | None = None
    ) -> dict[str, Any]:
        """Submit clicked with these boxes ticked: the state of the checkboxes rides along."""
        [submit] = [b for b in buttons(message) if b["type"] == "button" and b["text"]["text"] == "Submit"]
        payload = self.click_payload(submit["action_id"], submit["value"], message_ts, user)
        payload["state"] = self.tick_payload(message, ticked, message_ts, user)["state"]
        return payload

    async def click_with(self, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Sent:
        status, elapsed = await self.send({"payload": json.dumps(payload)}, headers=headers)
        return Sent(status, elapsed, payload["response_url"])

    async def click(self, action_id: str, value: str, message_ts: str, user: SlackUser | None = None) -> Sent:
        return await self.click_with(self.click_payload(action_id, value, message_ts, user))

    async def responses(self, sent: Sent, count: int = 1) -> list[dict[str, Any]]:
        """What the bot sent to a request's response_url, once `count` messages have arrived."""
        name = "respond/" + sent.response_url.rsplit("/", 1)[1]
        return [call.body for call in await self.api.wait_ok(name, count)]


def settings_for(api: StandInSlack, database: Path, port: int, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "studybot_database_url": f"sqlite:///{database}",
        "studybot_content_dir": BANK,
        "studybot_http_port": port,
        "slack_api_url": api.api_url,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        **overrides,
    }
    return load_settings(**values)


async def _until_started(started: asyncio.Future[DailyService], server: asyncio.Task[None]) -> DailyService:
    """Wait until serve() runs everything (HTTP, Slack, the scheduler); its DailyService."""
    done, _ = await asyncio.wait(
        {started, server}, timeout=START_SECONDS, return_when=asyncio.FIRST_COMPLETED
    )
    if started in done:
        return started.result()
    if server in done:
        server.result()
        raise AssertionError("studybot serve ended before it started")
    raise AssertionError("studybot serve did not start in time")


@contextlib.asynccontextmanager
async def running_bot(
    api: StandInSlack, tmp_path: Path, clock: Clock | None = None, **overrides: object
) -> AsyncIterator[SlackBot]:
    """`studybot serve` on 127.0.0.1, its Web API pointed at the stand-in; stopped at the end."""
    port = free_port()
    database = tmp_path / "studybot.db"
    settings = settings_for(api, database, port, **overrides)
    stop = asyncio.Event()
    started: asyncio.Future[DailyService] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve(settings, stop, "127.0.0.1", clock, started.set_result))
    url = f"http://127.0.0.1:{port}/"
    async with aiohttp.ClientSession() as http:
        try:
            daily = await _until_started(started, server)
            yield SlackBot(url, api, http, database, daily)
        finally:
            stop.set()
            await asyncio.wait_for(server, START_SECONDS)
