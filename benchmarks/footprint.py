"""Point 5: `studybot serve` from process start to ready, and its resident memory idle and after
many answers (clicked through Slack, 200 clients at a time)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import aiohttp

from benchmarks import servers
from benchmarks.loops import closed_loop
from benchmarks.processes import rss_mb
from benchmarks.report import Figure, at_most, info
from benchmarks.slack_requests import post
from benchmarks.traffic import Traffic, instances_for
from bot.bank import QuestionBank

CLIENTS = 200
# The load waits while more than this many acknowledged clicks are not yet recorded: Studybot
# acks at once and works after, so an unpaced load measures its backlog, not its footprint.
BACKLOG = 2_000
SETTLE_SECONDS = 1.0
DRAIN_SECONDS = 60.0


def _answers(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return int(connection.execute("SELECT count(*) FROM answers").fetchone()[0])


async def run(directory: Path, questions: QuestionBank, answers: int) -> list[Figure]:
    async with servers.stand_in() as slack_url:
        async with servers.studybot(directory, questions, slack_url, instances_for(answers)) as bot:
            await asyncio.sleep(SETTLE_SECONDS)
            idle = rss_mb(bot.process.pid)
            traffic = Traffic(slack_url + "respond/", commands=False)
            events = bot.url + "slack/events"
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CLIENTS)) as http:
                recorded = 0

                async def one(_client: int, _n: int) -> bool:
                    nonlocal recorded
                    if traffic.clicks >= answers:
                        return False
                    while traffic.clicks - recorded > BACKLOG:
                        await asyncio.sleep(0.05)
                        recorded = _answers(directory / "studybot.db")
                    await post(http, events, traffic.next())
                    return True

                loaded = await closed_loop(CLIENTS, 3600, one)
            loaded_at = time.monotonic()
            deadline = loaded_at + DRAIN_SECONDS
            recorded = _answers(directory / "studybot.db")
            while recorded < answers and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                recorded = _answers(directory / "studybot.db")
            drained = time.monotonic() - loaded_at
            busy = rss_mb(bot.process.pid)
    return [
        at_most("process start to /readyz 200", bot.ready_seconds, "s", 1.5),
        at_most("resident memory idle", idle, "MB", 120),
        info("answers recorded through Slack clicks", recorded, "answers"),
        info(f"click rate, at most {BACKLOG:,} unrecorded", loaded.per_second, "requests/s"),
        info("acknowledged work still running after the load", drained, "s"),
        at_most(f"resident memory after {answers:,} answers", busy, "MB", 120),
    ]
