"""Slow clients cannot take a real `studybot serve` down: slowloris connections far beyond its
open-file limit still leave /healthz and a signed /quiz answered, and a connection whose headers
never finish is closed after the header timeout."""

from __future__ import annotations

import asyncio
import contextlib
import resource
from pathlib import Path

import aiohttp
import pytest

from tests.served import served, slash_body
from tests.slack.slack_stand_in import StandInSlack

# The child's open-file limit, and how many slowloris connections the test opens against it.
DESCRIPTORS = 256
SLOW_CONNECTIONS = 1_000
DEADLINE = 60.0
PARTIAL_REQUEST = b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


@pytest.fixture(autouse=True)
def enough_descriptors_here() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < SLOW_CONNECTIONS + 200:
        pytest.skip(f"this test opens {SLOW_CONNECTIONS} sockets; the hard limit here is {hard}")
    if soft != resource.RLIM_INFINITY and soft < SLOW_CONNECTIONS + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, SLOW_CONNECTIONS + 200), hard))


async def slowloris(port: int, count: int) -> list[asyncio.StreamWriter]:
    """Open `count` connections that each send the start of a request and never finish it."""
    writers: list[asyncio.StreamWriter] = []
    for _ in range(count):
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(PARTIAL_REQUEST)
            writers.append(writer)
    return writers


async def test_slowloris_beyond_the_file_limit_leaves_health_and_commands_answered(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    async with asyncio.timeout(DEADLINE):
        async with served(
            tmp_path,
            slack_api.api_url,
            descriptors=DESCRIPTORS,
            STUDYBOT_HTTP_HEADER_TIMEOUT_SECONDS="300",
        ) as bot:
            writers = await slowloris(bot.port, SLOW_CONNECTIONS)
            try:
                # One more round of trickled bytes, so that every connection is still "sending".
                for writer in writers:
                    with contextlib.suppress(OSError):
                        writer.write(b"x")
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
                    assert (await bot.get(http, "/healthz"))[0] == 200
                    status, _ = await bot.slash(http, slash_body(slack_api.response_url("quiz")))
                    assert status == 200
                    await slack_api.wait_ok("chat.postMessage")
                    _, metrics = await bot.get(http, "/metrics")
            finally:
                for writer in writers:
                    writer.close()
            assert bot.process.returncode is None
            evicted = [line for line in metrics.splitlines() if 'reason="evicted"' in line]
            assert evicted and float(evicted[0].split()[-1]) >= SLOW_CONNECTIONS - DESCRIPTORS
            assert any("at most 106 connections, open-file limit 256" in m for m in bot.messages())


async def test_a_connection_whose_headers_never_finish_is_closed_after_the_header_timeout(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    async with asyncio.timeout(DEADLINE):
        async with served(tmp_path, slack_api.api_url, STUDYBOT_HTTP_HEADER_TIMEOUT_SECONDS="1") as bot:
            reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
            writer.write(PARTIAL_REQUEST)
            # The server closes it: reading returns end of file (the test's deadline bounds this).
            assert await reader.read() == b""
            writer.close()


# aiohttp would otherwise go on reading an unfinished body for 10 s after answering it.
CLOSED_WITHIN = 5.0


async def test_a_body_that_never_finishes_gets_408_and_its_connection_closed_at_once(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    async with asyncio.timeout(DEADLINE):
        async with served(tmp_path, slack_api.api_url, STUDYBOT_HTTP_BODY_TIMEOUT_SECONDS="1") as bot:
            reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
            writer.write(
                b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\npartial"
            )
            # The answer comes once the body timeout has passed; the end of file right after it.
            status_line = await reader.readline()
            async with asyncio.timeout(CLOSED_WITHIN):
                await reader.read()
            writer.close()
            assert status_line.startswith(b"HTTP/1.1 408")
