"""Two real `studybot serve` processes on one PostgreSQL database: one truth between them."""

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.bank import QuestionBank
from bot.bootstrap import Core, compose
from bot.clock import SystemClock
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.grammar import DailyOn, parse
from bot.models import Actor, Period, Place, Posted
from tests.answering_helpers import SINGLE_ANSWER, right_index
from tests.conftest import CONTENT_DIR, FrozenClock, reset_postgres
from tests.ports import free_port
from tests.served import signed
from tests.slack.slack_stand_in import StandInSlack

pytestmark = pytest.mark.postgres

SECRET = "multi-process-signing-secret"
USERS = 150
DEADLINE = 30.0
ADMIN = Actor("slack", "T1", "UADMIN", "Ada", is_admin=True)


def click(api: StandInSlack, user: int, attempt: int, instance: int, index: int) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": f"U{user}", "username": f"user{user}", "name": f"user{user}", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": "C1",
            "is_ephemeral": False,
        },
        "trigger_id": f"trigger-{user}-{attempt}",
        "channel": {"id": "C1", "name": "general"},
        "response_url": api.response_url(f"click-{user}-{attempt}"),
        "actions": [
            {
                "action_id": f"answer:{instance}:{index}",
                "block_id": "choices",
                "value": str(index),
                "type": "button",
                "action_ts": f"1700000001.{user:06d}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def until(check: object, what: str) -> None:
    """Poll a condition until it holds, failing after the deadline."""
    deadline = time.monotonic() + DEADLINE
    while not await check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


class Process:
    def __init__(self, url: str, api: StandInSlack, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(log.parent),
            "PYTHONPATH": str(CONTENT_DIR.parent),
            "STUDYBOT_DATABASE_URL": url,
            "STUDYBOT_HTTP_PORT": str(self.port),
            "STUDYBOT_SCHEDULER_CHECK_SECONDS": "1",
            "SLACK_BOT_TOKEN": "xoxb-multi",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api.api_url,
        }
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("w") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "adapters.cli",
                "serve",
                env=self.env,
                cwd=self.log.parent,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def get(self, http: aiohttp.ClientSession, path: str) -> tuple[int, str]:
        try:
            async with http.get(self.base + path) as response:
                return response.status, await response.text()
        except aiohttp.ClientError:
            return 0, ""

    async def leads(self, http: aiohttp.ClientSession) -> bool:
        return 'studybot_scheduler_leader{platform="slack"} 1.0' in (await self.get(http, "/metrics"))[1]


@pytest.fixture
async def shared_database(postgres_run_url: str, bank: QuestionBank) -> AsyncIterator[tuple[str, Core]]:
    url = postgres_run_url
    await reset_postgres(url)
    database = Database(url)
    await upgrade(database)
    yield url, compose(database, bank, SystemClock())
    await database.dispose()


async def test_two_processes_count_every_answer_once_and_post_every_daily_once(
    shared_database: tuple[str, Core], bank: QuestionBank, tmp_path: Path
) -> None:
    url, core = shared_database
    quiz = core.quiz
    due = datetime.now(UTC) - timedelta(minutes=5)
    # Subscribed before that time (a due from before a subscription existed is not owed).
    daily = compose(core.database, bank, FrozenClock(due - timedelta(minutes=1))).daily
    for channel in ("C2", "C3"):
        command = parse(f"daily on at {due:%H:%M} UTC")
        assert isinstance(command, DailyOn)
        await daily.subscribe(ADMIN, channel, command)
    while True:
        result = await quiz.ask(Actor("slack", "T1", "U0", "zero"), "C1", "ecs")
        assert isinstance(result, Posted)
        if result.question.kind in SINGLE_ANSWER:
            break
    instance = result.question.instance_id
    api = StandInSlack()
    await api.start()
    processes = [Process(url, api, tmp_path / f"serve-{n}.log") for n in range(2)]
    async with aiohttp.ClientSession() as http:
        try:
            for process in processes:
                await process.start()
            for process in processes:
                await until(lambda p=process: _ready(p, http), f"{process.base} to be ready")
            daily_posts = lambda: [c for c in api.ok("chat.postMessage") if c.body["channel"] in ("C2", "C3")]  # noqa: E731
            await api.wait_for(lambda: len(daily_posts()) >= 2, DEADLINE)

            bodies = [
                (
                    processes[(user + attempt) % 2],
                    click(api, user, attempt, instance, right_index(bank, result.question)),
                )
                for user in range(1, USERS + 1)
                for attempt in range(2)
            ]
            statuses = await asyncio.gather(*(_post(http, p, body) for p, body in bodies))
            assert statuses == [200] * len(bodies)
            await api.wait_for(
                lambda: len([c for c in api.calls if c.method.startswith("respond/click-")]) >= len(bodies),
                DEADLINE,
            )

            assert (await quiz.question_view(instance)).answer_count == USERS
            board = await core.standings.leaderboard(Place("slack", "T1"), Period.ALL, limit=1000)
            assert len(board.rows) == USERS and all(r.answers == 1 and r.correct == 1 for r in board.rows)
            assert len({r.points for r in board.rows}) == 1 and board.rows[0].rank == 1

            leader, follower = processes if await processes[0].leads(http) else processes[::-1]
            assert not await follower.leads(http)
            assert leader.process is not None
            leader.process.send_signal(signal.SIGKILL)
            await leader.process.wait()
            await until(lambda: follower.leads(http), "the surviving process to take over the scheduler")
            assert sorted(c.body["channel"] for c in daily_posts()) == ["C2", "C3"]
            assert follower.process is not None
            follower.process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(follower.process.wait(), DEADLINE) == 0
        finally:
            for process in processes:
                if process.process is not None and process.process.returncode is None:
                    process.process.kill()
                    await process.process.wait()
            await api.stop()


async def _ready(process: Process, http: aiohttp.ClientSession) -> bool:
    if process.process is not None and process.process.returncode is not None:
        raise AssertionError(f"serve exited: {process.log.read_text()}")
    return (await process.get(http, "/readyz"))[0] == 200


async def _post(http: aiohttp.ClientSession, process: Process, body: str) -> int:
    async with http.post(process.base + "/slack/events", data=body, headers=signed(body, SECRET)) as response:
        await response.read()
        return response.status
