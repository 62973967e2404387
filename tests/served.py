"""A real `studybot serve` subprocess on 127.0.0.1 with Slack over HTTP, for the tests that need
the whole process: its file limit, its signals, its log."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import resource
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.conftest import CONTENT_DIR
from tests.ports import free_port

SECRET = "served-signing-secret"
START_SECONDS = 30.0
# What serve says when its port was taken; it is then started again on another.
PORT_TAKEN = "already in use"
PORT_ATTEMPTS = 3


def signed(body: str, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def slash_body(response_url: str, text: str = "ecs", team: str = "T1", user: str = "U1", n: int = 0) -> str:
    return urlencode(
        {
            "team_id": team,
            "team_domain": team.lower(),
            "channel_id": "C1",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/quiz",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": f"trigger-{team}-{user}-{n}",
        }
    )


def file_limit(descriptors: int) -> Callable[[], None]:
    """A preexec_fn that lowers the child's soft and hard open-file limit."""

    def lower() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (descriptors, descriptors))

    return lower


class Served:
    def __init__(self, process: asyncio.subprocess.Process, port: int, log: Path) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log

    async def get(self, http: aiohttp.ClientSession, path: str) -> tuple[int, str]:
        async with http.get(self.base + path) as response:
            return response.status, await response.text()

    async def slash(self, http: aiohttp.ClientSession, body: str) -> tuple[int, str]:
        async with http.post(self.base + "/slack/events", data=body, headers=signed(body)) as response:
            return response.status, await response.text()

    def records(self) -> list[dict[str, Any]]:
        lines = self.log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def messages(self) -> list[str]:
        return [str(record["message"]) for record in self.records()]

    async def stop(self, signum: int = signal.SIGTERM, within: float = 40.0) -> int:
        """Send `signum` and wait for the exit code (a second signal would stop it at once)."""
        if self.process.returncode is None:
            self.process.send_signal(signum)
        return await self.exited(within)

    async def exited(self, within: float = 40.0) -> int:
        return await asyncio.wait_for(self.process.wait(), within)


async def _until_healthy(served: Served, deadline: float) -> bool:
    """Whether serve came up; False when it could not bind its port (taken since it was picked)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while True:
            try:
                if (await served.get(http, "/healthz"))[0] == 200:
                    return True
            except (aiohttp.ClientError, TimeoutError):
                pass
            if served.process.returncode is not None and PORT_TAKEN in served.log.read_text():
                return False
            if served.process.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not come up:\n{served.log.read_text()[-3000:]}")
            await asyncio.sleep(0.05)  # polling the port until it answers, bounded by the deadline


async def _launch(tmp_path: Path, env: dict[str, str], descriptors: int | None) -> Served:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters.cli",
            "serve",
            env={**env, "STUDYBOT_HTTP_PORT": str(port)},
            cwd=tmp_path,  # never the checkout and its .env
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=file_limit(descriptors) if descriptors is not None else None,
        )
    return Served(process, port, log)


async def _killed(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
        await process.wait()


async def _started(tmp_path: Path, env: dict[str, str], descriptors: int | None) -> Served:
    """serve, up and answering; started again on another port when the one picked was taken
    before serve could bind it (by anything else on a busy machine)."""
    for _ in range(PORT_ATTEMPTS):
        running = await _launch(tmp_path, env, descriptors)
        try:
            if await _until_healthy(running, time.monotonic() + START_SECONDS):
                return running
        except BaseException:
            await _killed(running.process)
            raise
    raise AssertionError(f"the {PORT_ATTEMPTS} ports picked for serve were each taken before it bound them")


@asynccontextmanager
async def served(
    tmp_path: Path,
    api_url: str,
    descriptors: int | None = None,
    **settings: str | None,
) -> AsyncIterator[Served]:
    """`studybot serve` (SQLite, Slack over HTTP, JSON logs); killed at the end if still running.
    A setting given as None is left unset."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(CONTENT_DIR.parent),
        "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "STUDYBOT_CONTENT_DIR": str(CONTENT_DIR),
        "STUDYBOT_LOG_FORMAT": "json",
        "SLACK_BOT_TOKEN": "xoxb-served",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
    }
    env.update({name: value for name, value in settings.items() if value is not None})
    for name in [name for name, value in settings.items() if value is None]:
        env.pop(name, None)
    running = await _started(tmp_path, env, descriptors)
    try:
        yield running
    finally:
        await _killed(running.process)
