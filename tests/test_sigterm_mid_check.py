"""SIGTERM while the scheduler's leadership check waits for PostgreSQL, on a real `studybot serve`.

Once, under load, a process exited 1 on SIGTERM: APScheduler's shutdown cancelled the check in
the middle of its query on the scheduler lock's own connection, and the unlock that followed
failed on that connection (issue 13). Here the timing is made, not hoped for: a proxy holds back
PostgreSQL's answers on the lock's connection, the next check's query waits on it, the process
is told to stop, and only then do the answers flow again. Slack-only and Discord-only processes
alike (the README's split layout, where it was seen)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.db.database import Database
from bot.db.leader import platform_lock
from tests.conftest import reset_postgres
from tests.discord.stand_in import DiscordStandIn
from tests.pg_proxy import PostgresProxy
from tests.served import Served, served
from tests.slack.slack_stand_in import StandInSlack

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

DEADLINE = 30.0


async def until(check: object, what: str) -> None:
    """Poll a condition of the process from outside (its log, its port), bounded."""
    deadline = time.monotonic() + DEADLINE
    while not await check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def lock_connection_port(url: str, key: int) -> int | None:
    """PostgreSQL's client port of the session holding the advisory lock `key` in this database
    (other test runs on the server hold the same keys in theirs), if any."""
    query = text(
        "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.classid = :high AND l.objid = :low "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.objsubid = 1 AND l.granted"
    )
    database = Database(url)
    try:
        return await database.read(
            lambda c: c.execute(query, {"high": key >> 32, "low": key & 0xFFFFFFFF}).scalar_one_or_none()
        )
    finally:
        await database.dispose()


async def logged(bot: Served, message: str) -> bool:
    return message in bot.messages()


async def ready(bot: Served, http: aiohttp.ClientSession) -> bool:
    return (await bot.get(http, "/readyz"))[0] == 200


@pytest.fixture
async def discord_api() -> AsyncIterator[DiscordStandIn]:
    stand_in = DiscordStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


def only(platform: str, discord: DiscordStandIn) -> dict[str, str | None]:
    """The settings of a Slack-only or a Discord-only process (as the README's split layout)."""
    if platform == "slack":
        return {}
    return {
        "SLACK_BOT_TOKEN": None,
        "SLACK_SIGNING_SECRET": None,
        "SLACK_API_URL": None,
        "DISCORD_TOKEN": discord.token,
        "DISCORD_API_URL": discord.api_url,
        "DISCORD_GATEWAY_URL": discord.gateway_url,
    }


@pytest.mark.parametrize("platform", ["slack", "discord"])
async def test_sigterm_while_a_leadership_check_waits_on_the_lock_connection_stops_cleanly(
    tmp_path: Path, slack_api: StandInSlack, discord_api: DiscordStandIn, postgres_run_url: str, platform: str
) -> None:
    await reset_postgres(postgres_run_url)
    proxy = PostgresProxy(postgres_run_url)
    async with proxy.running() as url, aiohttp.ClientSession() as http:
        async with served(
            tmp_path,
            slack_api.api_url,
            STUDYBOT_DATABASE_URL=url,
            STUDYBOT_SCHEDULER_CHECK_SECONDS="1",
            **only(platform, discord_api),
        ) as bot:
            await until(lambda: ready(bot, http), "the process to lead and be ready")
            port = await lock_connection_port(postgres_run_url, platform_lock(platform))
            assert port is not None
            lock_connection = proxy.by_server_port(port)
            lock_connection.hold()
            await asyncio.wait_for(lock_connection.awaiting.wait(), DEADLINE)  # the next check

            bot.process.send_signal(signal.SIGTERM)
            await until(lambda: logged(bot, "stopping"), "stopping to begin")
            lock_connection.flowing.set()
            code = await bot.exited(DEADLINE)

    errors = [r for r in bot.records() if r["level"] == "ERROR"]
    assert (code, errors) == (0, []), bot.log.read_text()[-6000:]
    noun = {"slack": "Slack request", "discord": "Discord interaction"}[platform]
    assert f"stopping: every acknowledged {noun} finished" in bot.messages()
