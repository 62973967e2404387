"""A stand-in for Slack's side: the Web API and the response_url endpoints, on 127.0.0.1.

It records every call (failed attempts too), can answer the next calls of a method with 429 or
500, refuses posts to the channels a test names, knows which members are workspace admins or
owners (users.info), keeps files members chose in a form (files.info and their private download
URL, which wants the bot token), and lets a test wait, with a deadline, until the calls it expects have
arrived.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

# How long a test waits for calls it expects: generous for a loaded 2-core machine; a call that
# never comes still fails the test well inside its own timeout.
WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Call:
    method: str
    body: dict[str, Any]
    status: int
    token: str
    at: float = field(default_factory=time.monotonic, compare=False)
    """When it was answered (`time.monotonic`; a held reply, when it was let go)."""


class StandInSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.team_id = "T1"
        self.admins: set[str] = set()
        self.owners: set[str] = set()
        self.refusing: dict[str, str] = {}
        self.closed_dms: set[str] = set()
        """Users whose conversations.open is refused (direct messages closed)."""
        self._changed = asyncio.Condition()
        self._failures: dict[str, deque[int]] = defaultdict(deque)
        self._rejections: dict[str, deque[str]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.held = 0
        self._hold: Callable[[str, dict[str, Any]], bool] | None = None
        self._hold_api: Callable[[str, dict[str, Any]], bool] | None = None
        self._released = asyncio.Event()
        # Files uploaded through files.getUploadURLExternal's upload URL, by file id.
        self.uploads: dict[str, bytes] = {}
        self._file_ids = itertools.count(1)
        # Files members chose in a file input, by file id: name, bytes, and the size files.info says.
        self.shared_files: dict[str, tuple[str, bytes, int]] = {}
        self.expired: set[str] = set()
        """response_url names answered 404 expired_url, as Slack does after 30 minutes."""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{file_id}/{name}", self._download)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        self.release_responses()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}respond/{name}"

    def fail_next(self, method: str, *statuses: int) -> None:
        """Answer the next calls of `method` with these HTTP statuses (429 says Retry-After: 0)."""
        self._failures[method].extend(statuses)

    def reject_next(self, method: str, error: str) -> None:
        """Answer the next call of `method` with HTTP 200 and `{"ok": false, "error": error}`."""
        self._rejections[method].append(error)

    def refuse_channel(self, channel: str, error: str) -> None:
        """Answer every chat.postMessage to `channel` with `{"ok": false, "error": error}`."""
        self.refusing[channel] = error

    def share_file(self, name: str, data: bytes, size: int | None = None) -> str:
        """A file as a member uploads it in a form's file input; `size` is what files.info says
        (its true length unless given). Returns its id."""
        file_id = f"F{next(self._file_ids):04d}"
        self.shared_files[file_id] = (name, data, len(data) if size is None else size)
        return file_id

    def ok(self, method: str) -> list[Call]:
        """The calls of a method (or of a response_url, `respond/NAME`) that succeeded."""
        return [c for c in self.calls if c.method == method and c.status == 200]

    def ok_calls(self) -> list[Call]:
        return [c for c in self.calls if c.status == 200]

    async def wait_ok_count_prefix(self, prefix: str, count: int) -> None:
        """Wait until `count` successful calls whose method starts with `prefix` have arrived."""
        await self.wait_for(lambda: sum(c.method.startswith(prefix) for c in self.ok_calls()) >= count)

    def attempts(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, check: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), timeout)

    async def wait_ok(self, method: str, count: int = 1) -> list[Call]:
        await self.wait_for(lambda: len(self.ok(method)) >= count)
        return self.ok(method)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.query)
        if request.content_type == "application/json":
            return dict(await request.json())
        # slack_sdk sends some methods' arguments (conversations.open) as query parameters.
        form = {key: str(value) for key, value in (await request.post()).items()}
        return {**dict(request.query), **form}

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        if self._hold_api is not None and self._hold_api(method, body):
            async with self._changed:
                self.held += 1
                self._changed.notify_all()
            await self._released.wait()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        failures = self._failures[method]
        status = failures.popleft() if failures else 200
        await self._record(Call(method, body, status, token))
        if status == 429:
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "0"}
            )
        if status != 200:
            return web.Response(status=status, text="internal error")
        if self._rejections[method]:
            return web.json_response({"ok": False, "error": self._rejections[method].popleft()})
        if method == "chat.postMessage" and body["channel"] in self.refusing:
            return web.json_response({"ok": False, "error": self.refusing[body["channel"]]})
        return web.json_response(self._answer(method, body))

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": self.team_id,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "user": "studybot",
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = body.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": body["channel"], "ts": ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "conversations.open":
            user = body["users"]
            if user in self.closed_dms:
                return {"ok": False, "error": "cannot_dm_bot"}
            return {"ok": True, "channel": {"id": "D" + user}}
        if method == "users.info":
            user = body["user"]
            return {
                "ok": True,
                "user": {"id": user, "is_admin": user in self.admins, "is_owner": user in self.owners},
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._file_ids):04d}"
            return {"ok": True, "upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = body["files"] if isinstance(body["files"], list) else json.loads(body["files"])
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
            if missing:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "files.info":
            if body["file"] not in self.shared_files:
                return {"ok": False, "error": "file_not_found"}
            name, _, size = self.shared_files[body["file"]]
            url = f"{self.url}files-pri/{body['file']}/{name}"
            return {
                "ok": True,
                "file": {"id": body["file"], "name": name, "size": size, "url_private_download": url},
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "socket"}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": "A1",
                "authed_user": {"id": "U1"},
                "scope": "commands,chat:write,chat:write.public,users:read,im:history,im:write,files:write",
                "token_type": "bot",
                "access_token": "xoxb-installed",
                "bot_user_id": "UBOT",
                "team": {"id": "T9", "name": "Nine"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        return {"ok": True}

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected app (once it has connected)."""
        await self.wait_for(lambda: bool(self._sockets))
        await self._sockets[-1].send_json(envelope)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record what the app sends back (its acks) as `socket`."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        async for message in socket:
            if message.type is WSMsgType.TEXT:
                await self._record(Call("socket", json.loads(message.data), 200, ""))
        return socket

    def hold_responses(self, which: Callable[[str, dict[str, Any]], bool]) -> None:
        """Answer no message to a response_url that `which(name, body)` picks until released:
        a Slack that is slow for as long as a test needs. `held` counts those waiting."""
        self._hold = which
        self._released.clear()

    def hold_api(self, which: Callable[[str, dict[str, Any]], bool]) -> None:
        """Answer no Web API call that `which(method, body)` picks until released."""
        self._hold_api = which
        self._released.clear()

    def release_responses(self) -> None:
        self._hold = self._hold_api = None
        self._released.set()

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal handed out: takes the file's bytes."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        self.uploads[file_id] = data
        await self._record(Call("upload", {"file_id": file_id, "length": len(data)}, 200, ""))
        return web.Response(text=f"OK - {len(data)}")

    async def _download(self, request: web.Request) -> web.Response:
        """A shared file's private URL: its bytes for a bot token, else Slack's sign-in page."""
        file_id = request.match_info["file_id"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        await self._record(Call("download", {"file_id": file_id}, 200, token))
        if not token.startswith("xoxb-") or file_id not in self.shared_files:
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        return web.Response(body=self.shared_files[file_id][1], content_type="application/octet-stream")

    async def _respond(self, request: web.Request) -> web.Response:
        body = json.loads(await request.text())
        name = request.match_info["name"]
        if self._hold is not None and self._hold(name, body):
            async with self._changed:
                self.held += 1
                self._changed.notify_all()
            await self._released.wait()
        if name in self.expired:
            await self._record(Call(f"respond/{name}", body, 404, ""))
            return web.Response(status=404, text="expired_url")
        await self._record(Call(f"respond/{name}", body, 200, ""))
        return web.Response(text="ok")
