"""One workspace's flood does not hold up another workspace's click, on a real `studybot serve`.

The flood saturates the work queue, not the CPU: Slack's stand-in holds every reply to the
flooding workspace (a Slack as slow as the test needs), so that workspace's share of the work
slots stays taken and its queue full to its bound. Another workspace's click is then timed from
its acknowledgement to its reply arriving at the stand-in.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from adapters.slack.background import REFUSED_CLICK
from adapters.work_queue import BUSY, WORK_SLOTS, three_quarters
from tests.served import Served, served, slash_body
from tests.slack.slack_stand_in import StandInSlack
from tests.test_backpressure import until

DEADLINE = 60.0
# How long the other workspace's reply may take once its click was acknowledged.
FAIR_SECONDS = 1.0
# Long enough to tell a reply held up behind the flood from one that came in time.
WAIT_SECONDS = 10.0
QUEUE_LIMIT = 40


def answer_click(api: StandInSlack, team: str, action_id: str, name: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": team.lower()},
        "user": {"id": "UOTHER", "username": "other", "name": "other", "team_id": team},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "C1"},
        "trigger_id": f"trigger-{name}",
        "channel": {"id": "C1", "name": "general"},
        "response_url": api.response_url(name),
        "actions": [{"action_id": action_id, "block_id": "choices", "type": "button", "value": "0"}],
    }
    return urlencode({"payload": json.dumps(payload)})


async def posted_question(bot: Served, http: aiohttp.ClientSession, api: StandInSlack, team: str) -> str:
    """Ask `/quiz` in `team` and return the action_id of a button of the posted question (an
    answer, or a flashcard's reveal)."""
    posts = len(api.ok("chat.postMessage"))
    assert await bot.slash(http, slash_body(api.response_url(f"{team}-ask"), "ecs", team)) == (200, "")
    post = (await api.wait_ok("chat.postMessage", posts + 1))[-1]
    found = re.search(r"answer:\d+:\d+|flashcard:\d+|submit:\d+", json.dumps(post.body))
    assert found is not None, post.body
    return found.group(0)


async def flood_until_busy(bot: Served, http: aiohttp.ClientSession, api: StandInSlack, team: str) -> int:
    """`/quiz topics` from `team` until it is answered busy; how many were acknowledged."""
    for n in range(WORK_SLOTS + QUEUE_LIMIT + 1):
        status, text = await bot.slash(http, slash_body(api.response_url(f"{team}-{n}"), "topics", team, n=n))
        assert status == 200
        if text == BUSY:
            return n
        assert text == ""
    raise AssertionError("the flood was never answered busy")


async def test_a_flooding_workspace_does_not_hold_up_another_workspace_s_click(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    async with (
        asyncio.timeout(DEADLINE),
        served(tmp_path, slack_api.api_url, STUDYBOT_WORK_QUEUE_LIMIT=str(QUEUE_LIMIT)) as bot,
        aiohttp.ClientSession() as http,
    ):
        action_id = await posted_question(bot, http, slack_api, "TOTHER")
        slack_api.hold_responses(lambda name, _body: name.startswith("TFLOOD"))
        acknowledged = await flood_until_busy(bot, http, slack_api, "TFLOOD")
        assert acknowledged == three_quarters(WORK_SLOTS) + three_quarters(QUEUE_LIMIT)

        async def queue_full() -> bool:
            _, metrics = await bot.get(http, "/metrics")
            queued = f'studybot_queued_work{{platform="slack"}} {three_quarters(QUEUE_LIMIT)}.0'
            return queued in metrics

        await until(queue_full, "the flood's queue to fill")
        await slack_api.wait_for(lambda: slack_api.held == three_quarters(WORK_SLOTS))

        status, text = await bot.slash(http, answer_click(slack_api, "TOTHER", action_id, "other-click"))
        acked_at = time.monotonic()
        assert (status, text) == (200, "")
        try:
            await slack_api.wait_for(lambda: bool(slack_api.ok("respond/other-click")), WAIT_SECONDS)
        except TimeoutError:
            raise AssertionError(f"no reply to the other workspace's click within {WAIT_SECONDS} s") from None
        (reply,) = slack_api.ok("respond/other-click")
        assert reply.body["response_type"] == "ephemeral"
        assert "Something went wrong" not in json.dumps(reply.body)
        assert reply.at - acked_at < FAIR_SECONDS
        assert slack_api.held == three_quarters(WORK_SLOTS)  # the flood still waits on Slack


async def test_a_click_the_full_queue_refuses_is_not_answered_200_and_its_person_is_told_busy(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    async with (
        asyncio.timeout(DEADLINE),
        served(tmp_path, slack_api.api_url, STUDYBOT_WORK_QUEUE_LIMIT=str(QUEUE_LIMIT)) as bot,
        aiohttp.ClientSession() as http,
    ):
        action_id = await posted_question(bot, http, slack_api, "TFLOOD")
        slack_api.hold_responses(lambda name, _body: name.startswith("TFLOOD"))
        await flood_until_busy(bot, http, slack_api, "TFLOOD")

        status, text = await bot.slash(http, answer_click(slack_api, "TFLOOD", action_id, "refused-click"))

        # A 200 would promise the click was taken (recorded): this one was not.
        assert (status, text) == (REFUSED_CLICK, BUSY)
        (told,) = await slack_api.wait_ok("respond/refused-click")
        assert told.body["response_type"] == "ephemeral" and BUSY in json.dumps(told.body)
