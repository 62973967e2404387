"""Slack out of reach for the replies (a response_url that is down): each click is still
recorded, and the log gets a bounded number of one-line warnings, not two ERROR tracebacks a
click (at the rate of the clicks, a Slack outage would flood the log)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from slack_harness import SlackBot, SlackUser, button_for

from adapters.rejections import BURST
from tests.ports import free_port

CLICKS = 25
DEADLINE = 30.0
RIGHT = "Elastic Container Service"


async def test_clicks_whose_replies_cannot_reach_slack_are_recorded_and_logged_briefly(
    slack_bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await slack_bot.slash("ecs")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    right = button_for(posted.body, RIGHT)
    down = f"http://127.0.0.1:{free_port()}/hooks/down"  # nothing listens there

    for n in range(CLICKS):
        payload = slack_bot.click_payload(
            right["action_id"], right["value"], "1700000000.000001", SlackUser(f"U{n}")
        )
        payload["response_url"] = down
        assert (await slack_bot.click_with(payload)).status == 200

    def unreachable() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "Slack could not be reached" in r.getMessage()]

    async with asyncio.timeout(DEADLINE):
        while len(unreachable()) < BURST:
            await asyncio.sleep(0.05)  # polling the log for the replies' failures, bounded above
    with sqlite3.connect(slack_bot.database) as connection:
        assert connection.execute("SELECT count(*) FROM answers").fetchone()[0] == CLICKS
    assert len(unreachable()) == BURST
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in unreachable())
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
