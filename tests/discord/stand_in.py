"""A local stand-in for Discord: the gateway websocket and the REST routes discord.py calls.

It records every REST request (with the loop time it arrived) and every IDENTIFY, answers 429
on demand, and keeps the messages it was asked to create so that a test can click their
buttons. Tests wait on what it recorded with `wait_for`, never on a fixed delay.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord.stand_in_records import Failure, RateLimit, Request
from tests.discord.stand_in_world import (
    APP_ID,
    BOT_USER,
    CHANNEL_ID,
    GUILD_ID,
    application,
    guild,
)

API_PREFIX = "/api/v10"
RETRY_AFTER = 0.05
EPHEMERAL = 64
# How long a test waits for what it expects: generous for a loaded 2-core machine; what never
# comes still fails the test well inside its own timeout.
WAIT_SECONDS = 30.0


@dataclass
class Connection:
    socket: web.WebSocketResponse
    compressor: Any | None
    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, payload: dict[str, Any]) -> None:
        if payload.get("op") == 0:
            payload["s"] = next(self.sequence)
        data = json.dumps(payload)
        if self.compressor is None:
            await self.socket.send_str(data)
            return
        compressed = self.compressor.compress(data.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        await self.socket.send_bytes(compressed)


class DiscordStandIn:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.identifies: list[dict[str, Any]] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        # Files attached to a slash command's attachment option, by attachment id (served at their
        # CDN URL), and the ids whose bytes were fetched.
        self.attachments: dict[str, bytes] = {}
        self.downloads: list[str] = []
        # Direct-message channels the bot opened (POST /users/@me/channels): one per person,
        # person -> channel id and channel id -> person.
        self.dm_channels: dict[str, int] = {}
        self.direct_channels: dict[int, str] = {}
        self.commands: list[dict[str, Any]] = []
        self.originals: dict[str, int] = {}
        self._rate_limits: list[RateLimit] = []
        self._failures: list[Failure] = []
        self._connections: list[Connection] = []
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._hold: Callable[[str, str, Any], bool] | None = None
        self._released = asyncio.Event()
        self.held = 0
        """Requests waiting for `release` (see `hold`)."""
        self.port = 0
        self.token = "stand-in-token"

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{attachment}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self.release()
        for connection in self._connections:
            await connection.socket.close()
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- what tests use ------------------------------------------------------------------

    def now(self) -> float:
        """The clock that `Request.at` uses."""
        return asyncio.get_running_loop().time()

    def next_id(self) -> int:
        return next(self._ids)

    def rate_limit(self, method: str, path_pattern: str, times: int = 1) -> None:
        """Answer the next `times` matching requests with 429 and a short retry_after."""
        self._rate_limits.append(RateLimit(method, re.compile(path_pattern), times))

    def fail(self, method: str, path_pattern: str, status: int, code: int, message: str) -> None:
        """Answer every matching request with this JSON error, as Discord does (403 50001...)."""
        self._failures.append(Failure(method, re.compile(path_pattern), status, code, message))

    def hold(self, which: Callable[[str, str, Any], bool]) -> None:
        """Answer no request that `which(method, path, body)` picks until `release`: a Discord
        as slow as a test needs. `held` counts those waiting."""
        self._hold = which
        self._released.clear()

    def release(self) -> None:
        self._hold = None
        self._released.set()

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the newest connection that identified."""
        await self._connections[-1].send({"op": 0, "t": event, "d": data})

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = WAIT_SECONDS) -> Any:
        """Wait until `predicate()` is truthy over the recorded state, and return its value."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
        return predicate()

    def find(self, method: str, pattern: str, status: int = 200) -> list[Request]:
        return [
            r
            for r in self.requests
            if r.method == method and re.fullmatch(pattern, r.path) and r.status == status
        ]

    def callbacks(self, interaction: dict[str, Any]) -> list[Request]:
        """The initial responses to an interaction payload, 429s left out."""
        return self.find("POST", rf"/interactions/{interaction['id']}/{interaction['token']}/callback")

    def followups(self, interaction: dict[str, Any]) -> list[Request]:
        return self.find("POST", rf"/webhooks/{APP_ID}/{interaction['token']}")

    async def interact(self, interaction: dict[str, Any], followups: int = 0) -> list[Request]:
        """Send an interaction; wait for its initial response and `followups` followups."""
        if "message" in interaction:
            # A component's deferred update edits the message it is on, as @original.
            self.originals[interaction["token"]] = int(interaction["message"]["id"])
        await self.dispatch("INTERACTION_CREATE", interaction)
        await self.wait_for(
            lambda: self.callbacks(interaction) and len(self.followups(interaction)) >= followups
        )
        return [*self.callbacks(interaction), *self.followups(interaction)]

    def attach(self, filename: str, data: bytes, size: int | None = None) -> dict[str, Any]:
        """An uploaded attachment as an interaction's `resolved` data gives it; `size` is what
        Discord states (the true length unless given)."""
        attachment_id = str(self.next_id())
        self.attachments[attachment_id] = data
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{filename}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": "application/octet-stream",
            "ephemeral": True,
        }

    async def _attachment(self, request: web.Request) -> web.Response:
        attachment_id = request.match_info["attachment"]
        self.downloads.append(attachment_id)
        await self._notify()
        return web.Response(body=self.attachments[attachment_id])

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        compressed = request.query.get("compress") == "zlib-stream"
        connection = Connection(socket, zlib.compressobj() if compressed else None)
        await connection.send({"op": 10, "d": {"heartbeat_interval": 45_000}})
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                break
            payload = json.loads(message.data)
            if payload["op"] == 1:
                await connection.send({"op": 11})
            elif payload["op"] == 2:
                await self._identified(connection, payload["d"])
        return socket

    async def _identified(self, connection: Connection, identify: dict[str, Any]) -> None:
        self.identifies.append(identify)
        self._connections.append(connection)
        ready: dict[str, Any] = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": f"session-{len(self.identifies)}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
        }
        if "shard" in identify:
            ready["shard"] = identify["shard"]
        await connection.send({"op": 0, "t": "READY", "d": ready})
        await connection.send({"op": 0, "t": "GUILD_CREATE", "d": guild()})
        await self._notify()

    # -- REST ------------------------------------------------------------------------------

    async def _read_body(self, request: web.Request) -> Any:
        """JSON, or a message with files (multipart: `payload_json` and the files, which are
        kept in `self.files` by file name)."""
        if not request.can_read_body:
            return None
        if not request.content_type.startswith("multipart/"):
            return await request.json()
        form = await request.post()
        for value in form.values():
            if isinstance(value, web.FileField):
                self.files[value.filename] = value.file.read()
        return json.loads(str(form["payload_json"]))

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body = await self._read_body(request)
        if self._hold is not None and self._hold(request.method, path, body):
            self.held += 1
            await self._notify()
            await self._released.wait()
        if self._unauthorized(request, path):
            response = _json({"message": "401: Unauthorized", "code": 0}, status=401)
        elif self._take_rate_limit(request.method, path):
            response = self._rate_limited()
        elif failure := self._failure(request.method, path):
            response = _json({"message": failure.message, "code": failure.code}, status=failure.status)
        else:
            response = self._answer(request.method, path, body)
        self.requests.append(
            Request(
                request.method,
                path,
                dict(request.query),
                body,
                self.now(),
                response.status,
            )
        )
        await self._notify()
        return response

    def _unauthorized(self, request: web.Request, path: str) -> bool:
        """Bot routes need the bot token; interaction and webhook routes carry their own token."""
        if path.startswith(("/interactions/", "/webhooks/")):
            return False
        return request.headers.get("Authorization") != f"Bot {self.token}"

    def _take_rate_limit(self, method: str, path: str) -> bool:
        for limit in self._rate_limits:
            if limit.times and limit.method == method and limit.pattern.fullmatch(path):
                limit.times -= 1
                return True
        return False

    def _failure(self, method: str, path: str) -> Failure | None:
        return next((f for f in self._failures if f.method == method and f.pattern.fullmatch(path)), None)

    def _rate_limited(self) -> web.Response:
        headers = {
            "Via": "1.1 google",
            "Retry-After": "1",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(RETRY_AFTER),
            "X-RateLimit-Bucket": "stand-in",
            "X-RateLimit-Scope": "user",
        }
        body = {"message": "You are being rate limited.", "retry_after": RETRY_AFTER, "global": False}
        return _json(body, status=429, headers=headers)

    def _answer(self, method: str, path: str, body: Any) -> web.Response:
        for route_method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return handler(body, **match.groupdict())
        return _json({"message": f"stand-in has no {method} {path}", "code": 0}, status=404)

    def _routes(self) -> list[tuple[str, str, Callable[..., web.Response]]]:
        return [
            ("GET", r"/users/@me", lambda _b: _json(BOT_USER)),
            ("GET", r"/oauth2/applications/@me", lambda _b: _json(application())),
            ("GET", r"/gateway(/bot)?", lambda _b: _json(self._gateway_info())),
            ("PUT", r"/applications/\d+(/guilds/\d+)?/commands", self._sync),
            ("POST", r"/interactions/(?P<interaction>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", r"/webhooks/\d+/(?P<token>[^/]+)", self._followup),
            ("PATCH", r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<message>[^/]+)", self._edit),
            ("DELETE", r"/webhooks/\d+/[^/]+/messages/@original", lambda _b: web.Response(status=204)),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._channel_post),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("PATCH", r"/channels/\d+/messages/(?P<message>\d+)", self._edit),
        ]

    def _gateway_info(self) -> dict[str, Any]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def _sync(self, body: list[dict[str, Any]], **_: str) -> web.Response:
        self.commands = [
            {"id": str(self.next_id()), "application_id": str(APP_ID), "version": "1", "type": 1, **c}
            for c in body
        ]
        return _json(self.commands)

    def _message(
        self, body: dict[str, Any], channel: int = CHANNEL_ID, token: str | None = None
    ) -> dict[str, Any]:
        message = {
            "id": str(self.next_id()),
            "channel_id": str(channel),
            "guild_id": str(GUILD_ID),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "flags": body.get("flags") or 0,
            "timestamp": "2026-11-18T12:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": False,
            "type": 0 if token is None else 20,
            "application_id": str(APP_ID),
            "webhook_id": None if token is None else str(APP_ID),
        }
        self.messages[int(message["id"])] = message
        return message

    def _callback(self, body: dict[str, Any], interaction: str, token: str) -> web.Response:
        kind, data = body["type"], body.get("data") or {}
        info: dict[str, Any] = {"id": interaction, "type": 2}
        result: dict[str, Any] = {"interaction": info}
        if kind in (4, 5):
            message = self._message(data, token=token)
            self.originals[token] = int(message["id"])
            ephemeral = bool(message["flags"] & EPHEMERAL)
            info.update(response_message_id=message["id"], response_message_ephemeral=ephemeral)
            info["response_message_loading"] = kind == 5
            result["resource"] = {"type": kind, "message": message}
        return _json(result)

    def _followup(self, body: dict[str, Any], token: str) -> web.Response:
        return _json(self._message(body, token=token))

    def _open_dm(self, body: dict[str, Any]) -> web.Response:
        """A person's DM channel: the same id for the same person (`dm_channels`)."""
        recipient = str(body["recipient_id"])
        channel = self.dm_channels.setdefault(recipient, self.next_id())
        self.direct_channels[channel] = recipient
        user = {"id": recipient, "username": f"user{recipient}", "discriminator": "0", "avatar": None}
        return _json({"id": str(channel), "type": 1, "recipients": [user], "last_message_id": None})

    def _channel_post(self, body: dict[str, Any], channel: str) -> web.Response:
        return _json(self._message(body, channel=int(channel)))

    def _edit(self, body: dict[str, Any], message: str, token: str = "") -> web.Response:
        message_id = self.originals[token] if message == "@original" else int(message)
        updated = {**self.messages[message_id], **body}
        self.messages[message_id] = updated
        return _json(updated)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with the bare content type, which is what discord.py checks for."""
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers=headers, content_type="application/json")
