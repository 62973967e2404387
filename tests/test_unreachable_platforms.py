"""A platform that cannot be reached never holds up a stopping `studybot serve`: with Slack's
Socket Mode or Discord's API accepting connections and never answering, SIGTERM and SIGINT
still stop the process within its grace."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.served import served

GRACE = 3.0
DEADLINE = 60.0


@pytest.fixture
async def black_hole() -> AsyncIterator[str]:
    """An HTTP address on 127.0.0.1 that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/api/"
    for writer in held:
        writer.close()
    server.close()


def unreachable(platform: str, url: str) -> dict[str, str | None]:
    if platform == "slack socket mode":
        return {"SLACK_APP_TOKEN": "xapp-1-unreachable", "SLACK_API_URL": url}
    return {
        "SLACK_BOT_TOKEN": None,
        "SLACK_SIGNING_SECRET": None,
        "SLACK_API_URL": None,
        "DISCORD_TOKEN": "unreachable.discord.token",
        "DISCORD_API_URL": url,
        "DISCORD_GATEWAY_URL": url.replace("http://", "ws://"),
    }


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("platform", ["slack socket mode", "discord"])
async def test_a_platform_that_never_answers_does_not_hold_up_stopping(
    tmp_path: Path, black_hole: str, platform: str, signum: int
) -> None:
    async with asyncio.timeout(DEADLINE):
        async with served(
            tmp_path, black_hole, STUDYBOT_STOP_GRACE_SECONDS=str(GRACE), **unreachable(platform, black_hole)
        ) as bot:
            async with aiohttp.ClientSession() as http:
                status, _ = await bot.get(http, "/readyz")
            assert status == 503  # still connecting, and it never will

            started = time.monotonic()
            assert await bot.stop(signum, within=DEADLINE) == 0
            took = time.monotonic() - started

    assert took < GRACE + 2.0
    assert "stopped while starting" in bot.messages()
