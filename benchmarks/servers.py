"""The processes of the Slack benchmarks: the stand-in Slack, `studybot serve`, the ceilings."""

from __future__ import annotations

import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks import world
from benchmarks.processes import STUDYBOT, free_port, module, spawn, stop, until_status
from benchmarks.slack_requests import SIGNING_SECRET
from bot.bank import QuestionBank


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str
    ready_seconds: float


@asynccontextmanager
async def stand_in(*options: str) -> AsyncIterator[str]:
    """A running stand-in Slack; yields its base URL."""
    port = free_port()
    process = spawn(module("benchmarks.stand_in", str(port), *options))
    url = f"http://127.0.0.1:{port}/"
    try:
        await until_status(url + "stats", process=process)
        yield url
    finally:
        stop(process)


@asynccontextmanager
async def studybot(
    directory: Path, questions: QuestionBank, slack_url: str, instances: int
) -> AsyncIterator[Server]:
    """`studybot serve` with Slack (one bot token) against the stand-in, on a SQLite file seeded
    with `instances` posted questions. Ready is the first 200 from GET /readyz, timed from the
    moment the process was started."""
    path = directory / "studybot.db"
    seeded = await world.seed(path, questions, 0, 0, instances)
    await seeded.database.dispose()
    port = free_port()
    env = {
        "STUDYBOT_DATABASE_URL": f"sqlite:///{path}",
        "STUDYBOT_HTTP_PORT": str(port),
        "STUDYBOT_LOG_LEVEL": "WARNING",
        "SLACK_BOT_TOKEN": "xoxb-T1",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_url + "api/",
    }
    started = time.monotonic()
    process = spawn([str(STUDYBOT), "serve"], env)
    url = f"http://127.0.0.1:{port}/"
    try:
        ready = await until_status(url + "readyz", process=process)
        yield Server(process, url, ready - started)
    finally:
        stop(process)


@asynccontextmanager
async def ceiling(kind: str, slack_url: str) -> AsyncIterator[Server]:
    port = free_port()
    started = time.monotonic()
    process = spawn(module("benchmarks.ceilings", kind, str(port), slack_url + "api/"))
    url = f"http://127.0.0.1:{port}/"
    try:
        ready = await until_status(url + "healthz", process=process)
        yield Server(process, url, ready - started)
    finally:
        stop(process)
