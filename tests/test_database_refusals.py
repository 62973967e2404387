"""Issue 13 point 7, PostgreSQL refusing connections (`ALTER DATABASE ... ALLOW_CONNECTIONS
false`, too many connections, starting up or shutting down): the unreachable fault, logged once
when it starts and once when it ends, its users told in plain words, /readyz 503 (never 500)
while it lasts, and writes taken again without a restart."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from bot.bank import QuestionBank
from bot.bootstrap import compose
from bot.db.database import Database
from bot.db.faults import FAULT_QUIET_SECONDS, Fault, FaultLog, classify
from bot.db.migrate import upgrade
from bot.errors import StorageUnavailable
from bot.models import Actor, Posted
from tests.conftest import FrozenClock, reset_postgres
from tests.served import served, slash_body
from tests.slack.slack_stand_in import StandInSlack
from tests.test_database_faults import Ticking, fault_lines

ALICE = Actor("terminal", "local", "alice", "Alice")
UNREACHABLE = "The quiz database cannot be reached right now, so nothing was saved."


class ServerError(Exception):
    """An error as asyncpg reports one: the server's message and SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("message", "sqlstate", "fault"),
    [
        ('database "studybot" is not currently accepting connections', "55000", Fault.UNREACHABLE),
        ("sorry, too many clients already", "53300", Fault.UNREACHABLE),
        (
            "remaining connection slots are reserved for roles with the SUPERUSER attribute",
            None,
            Fault.UNREACHABLE,
        ),
        ("terminating connection due to administrator command", "57P01", Fault.UNREACHABLE),
        ("terminating connection because of crash of another server process", "57P02", Fault.UNREACHABLE),
        ("the database system is starting up", "57P03", Fault.UNREACHABLE),
        ("the database system is shutting down", None, Fault.UNREACHABLE),
        ("connection failure", "08006", Fault.UNREACHABLE),
        ("cannot drop the currently open database", "55006", None),
        ('duplicate key value violates unique constraint "people_pkey"', "23505", None),
    ],
)
def test_postgresql_refusing_connections_is_the_unreachable_fault(
    message: str, sqlstate: str | None, fault: Fault | None
) -> None:
    """asyncpg's errors reach SQLAlchemy as a plain DBAPIError (not an OperationalError)."""
    assert classify(DBAPIError("SELECT 1", None, ServerError(message, sqlstate))) is fault


@asynccontextmanager
async def refusing(url: str) -> AsyncIterator[asyncpg.Connection]:
    """The database at `url` refuses new connections and its sessions are ended, until the block
    ends (or the test allows them again on the connection it is given)."""
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield admin
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


@pytest.mark.postgres
async def test_a_postgresql_database_refusing_connections_is_unreachable_then_takes_writes_again(
    bank: QuestionBank, clock: FrozenClock, caplog: pytest.LogCaptureFixture, postgres_run_url: str
) -> None:
    url = postgres_run_url
    await reset_postgres(url)
    ticking = Ticking()
    database = Database(url, faults=FaultLog(clock=ticking))
    await upgrade(database)
    core = compose(database, bank, clock)
    name = url.rsplit("/", 1)[1]
    try:
        with caplog.at_level(logging.WARNING, logger="bot.db.faults"):
            async with refusing(url) as admin:
                for _ in range(3):
                    with pytest.raises(StorageUnavailable, match="cannot be reached"):
                        await database.probe_write()
                with pytest.raises(StorageUnavailable, match="cannot be reached"):
                    await core.quiz.ask(ALICE, "terminal", "ecs")
                await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
                ticking.advance(FAULT_QUIET_SECONDS)
                await database.probe_write()
                assert isinstance(await core.quiz.ask(ALICE, "terminal", "ecs"), Posted)
    finally:
        await database.dispose()
    assert fault_lines(caplog) == ["database fault started: unreachable", "database fault ended: unreachable"]


async def readiness(http: aiohttp.ClientSession, base: str) -> tuple[int, bool | None]:
    async with http.get(base + "/readyz") as response:
        text = await response.text()
    database = json.loads(text)["checks"]["database"] if response.status in (200, 503) else None
    return response.status, database


@pytest.mark.postgres
async def test_a_served_bot_on_a_refusing_postgresql_says_503_tells_users_and_logs_once_each_way(
    tmp_path: Path, slack_api: StandInSlack, postgres_run_url: str
) -> None:
    """A real `studybot serve`: before, /readyz answered 500 on every poll with a traceback, and
    every request logged an ERROR traceback ending in "not currently accepting connections"."""
    await reset_postgres(postgres_run_url)
    async with (
        asyncio.timeout(90),
        served(tmp_path, slack_api.api_url, STUDYBOT_DATABASE_URL=postgres_run_url) as bot,
        aiohttp.ClientSession() as http,
    ):
        while await readiness(http, bot.base) != (200, True):
            await asyncio.sleep(0.05)  # polling until ready, bounded by the test's timeout
        async with refusing(postgres_run_url):
            seen = {await readiness(http, bot.base) for _ in range(5)}
            status, _ = await bot.slash(http, slash_body(slack_api.response_url("during"), "ecs"))
            assert status == 200
            (reply,) = await slack_api.wait_ok("respond/during")
            assert reply.body["text"] == UNREACHABLE
        assert seen == {(503, False)}
        while (answer := await readiness(http, bot.base)) != (200, True):
            assert answer == (503, False)
            await asyncio.sleep(0.05)  # polling until ready again, bounded by the test's timeout
    records = bot.records()
    faults = [r["message"].split(" (")[0].split(";")[0] for r in records if r["name"] == "bot.db.faults"]
    assert faults == ["database fault started: unreachable", "database fault ended: unreachable"]
    errors = [r for r in records if r["level"] == "ERROR" and r["name"] != "bot.db.faults"]
    assert errors == [] and not [r for r in records if "exc_info" in r], records
