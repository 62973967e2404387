"""Bounded work, fair between workspaces, and a graceful stop, on a real `studybot serve`: Slack's
stand-in holds the replies to response_urls for as long as a test needs (a slow Slack), so a
workspace's share of the work slots fills and the queue behind it is what the test says it is."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import aiohttp

from adapters.slack.background import BUSY, RESTARTING, UNFINISHED
from adapters.work_queue import WORK_SLOTS, three_quarters
from tests.served import Served, served, slash_body
from tests.slack.slack_stand_in import StandInSlack

DEADLINE = 60.0
# The work slots one workspace may hold; the rest stay free for the others.
SHARE = three_quarters(WORK_SLOTS)
GRACE = 3.0


def not_a_restart_notice(_name: str, body: dict[str, Any]) -> bool:
    return UNFINISHED not in json.dumps(body)


async def flood(
    bot: Served, http: aiohttp.ClientSession, api: StandInSlack, team: str, count: int, first: int = 0
) -> list[str]:
    """`count` signed `/quiz topics` from one workspace, each acknowledged; their reply names."""
    names = [f"{team}-{n}" for n in range(first, first + count)]
    for name in names:
        body = slash_body(api.response_url(name), "topics", team, n=int(name.rsplit("-", 1)[1]))
        status, text = await bot.slash(http, body)
        assert (status, text) == (200, "")
    return names


async def fill_the_slots(
    bot: Served,
    http: aiohttp.ClientSession,
    api: StandInSlack,
    team: str,
    count: int = SHARE,
    queued: int = 0,
) -> list[str]:
    """Requests enough to keep `count` work slots (by default the workspace's whole share)
    waiting for Slack: each taken (none added to the `queued` already waiting, as /metrics
    says), its reply in Slack's hands."""
    held = api.held
    names = await flood(bot, http, api, team, count)

    async def all_taken() -> bool:
        _, metrics = await bot.get(http, "/metrics")
        return f'studybot_queued_work{{platform="slack"}} {queued}.0' in metrics

    await until(all_taken, "the work slots to take the requests")
    await api.wait_for(lambda: api.held == held + count)
    return names


async def readyz(bot: Served, http: aiohttp.ClientSession) -> tuple[int, dict[str, Any]]:
    status, text = await bot.get(http, "/readyz")
    return status, json.loads(text)


async def until(check: Any, what: str) -> None:
    """Poll an HTTP-observable condition, failing after the deadline."""
    deadline = time.monotonic() + DEADLINE
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)  # polling a probe of another process, bounded by the deadline


async def test_past_the_queue_limit_people_are_told_busy_at_once_and_readyz_says_not_ready(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    slack_api.hold_responses(lambda _name, _body: True)
    async with (
        asyncio.timeout(DEADLINE),
        served(tmp_path, slack_api.api_url, STUDYBOT_WORK_QUEUE_LIMIT="10") as bot,
        aiohttp.ClientSession() as http,
    ):
        await fill_the_slots(bot, http, slack_api, "T1")
        # One workspace may take three quarters of the queue (8 of 10 here)...
        await flood(bot, http, slack_api, "T1", 8, first=SHARE)
        status, text = await bot.slash(
            http, slash_body(slack_api.response_url("T1-more"), "topics", "T1", n=-1)
        )
        assert status == 200 and text == BUSY
        status, ready = await readyz(bot, http)
        assert status == 200 and ready["checks"]["slack_queue"] is True
        # ...and the others the rest (once the slots are all taken), until the queue is full.
        await fill_the_slots(bot, http, slack_api, "T2", WORK_SLOTS - SHARE, queued=8)
        await flood(bot, http, slack_api, "T2", 2, first=WORK_SLOTS - SHARE)
        status, text = await bot.slash(http, slash_body(slack_api.response_url("late"), "topics", "T3"))
        assert status == 200 and text == BUSY
        status, ready = await readyz(bot, http)
        assert status == 503 and ready["checks"]["slack_queue"] is False

        slack_api.release_responses()
        await slack_api.wait_ok_count_prefix("respond/T", WORK_SLOTS + 10)

        async def ready_again() -> bool:
            return (await readyz(bot, http))[0] == 200

        await until(ready_again, "/readyz to be ready again once the queue drained")
        assert slack_api.attempts("respond/late") == [] and slack_api.attempts("respond/T1-more") == []


async def test_sigterm_finishes_the_queued_work_and_refuses_new_work_meanwhile(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    slack_api.hold_responses(lambda _name, _body: True)
    async with (
        asyncio.timeout(DEADLINE),
        served(tmp_path, slack_api.api_url, STUDYBOT_STOP_GRACE_SECONDS="20") as bot,
        aiohttp.ClientSession() as http,
    ):
        names = await fill_the_slots(bot, http, slack_api, "T1")
        names += await flood(bot, http, slack_api, "T1", 22, first=SHARE)

        bot.process.send_signal(signal.SIGTERM)

        async def not_ready() -> bool:
            return (await readyz(bot, http))[0] == 503

        await until(not_ready, "/readyz to say not ready")
        status, ready = await readyz(bot, http)
        assert ready["checks"]["accepting"] is False
        status, text = await bot.slash(http, slash_body(slack_api.response_url("new"), "topics", "T1", n=999))
        assert status == 200 and text == RESTARTING

        slack_api.release_responses()
        assert await bot.exited(within=DEADLINE) == 0

    assert {f"respond/{name}" for name in names} <= {call.method for call in slack_api.ok_calls()}
    assert "stopping: every acknowledged Slack request finished" in bot.messages()


async def test_what_cannot_finish_within_the_grace_is_counted_exactly_and_its_users_told(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    slack_api.hold_responses(not_a_restart_notice)
    async with (
        asyncio.timeout(DEADLINE),
        served(tmp_path, slack_api.api_url, STUDYBOT_STOP_GRACE_SECONDS=str(GRACE)) as bot,
        aiohttp.ClientSession() as http,
    ):
        names = await fill_the_slots(bot, http, slack_api, "T1")
        names += await flood(bot, http, slack_api, "T1", 22, first=SHARE)

        started = time.monotonic()
        assert await bot.stop(signal.SIGTERM, within=DEADLINE) == 0
        took = time.monotonic() - started

    assert took < GRACE + 2.0
    told = {call.method for call in slack_api.ok_calls() if UNFINISHED in json.dumps(call.body)}
    assert told == {f"respond/{name}" for name in names}
    total = SHARE + 22
    assert (
        f"stopping: {total} acknowledged Slack requests unfinished ({SHARE} running, 22 queued); "
        f"{total} of their users told, 0 could not be"
    ) in bot.messages()


async def test_a_second_signal_while_stopping_stops_at_once(tmp_path: Path, slack_api: StandInSlack) -> None:
    slack_api.hold_responses(lambda _name, _body: True)
    async with (
        asyncio.timeout(DEADLINE),
        served(tmp_path, slack_api.api_url, STUDYBOT_STOP_GRACE_SECONDS="60") as bot,
        aiohttp.ClientSession() as http,
    ):
        await fill_the_slots(bot, http, slack_api, "T1")
        bot.process.send_signal(signal.SIGTERM)

        async def not_ready() -> bool:
            return (await readyz(bot, http))[0] == 503

        await until(not_ready, "/readyz to say not ready")
        started = time.monotonic()
        assert await bot.stop(signal.SIGINT, within=DEADLINE) == 1
        took = time.monotonic() - started

    assert took < 5.0
    assert "a second signal: stopping at once, without finishing the work under way" in bot.messages()
