"""One workspace's clicks, waiting on a stalled database, take at most its share of the bound on
answers being recorded at once: another workspace's click is still taken (200, then recorded
and answered), never refused "busy" because of someone else's flood."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from slack_harness import SlackBot, SlackUser, button_for, running_bot, text_of
from slack_stand_in import StandInSlack

from adapters.slack.background import BUSY, REFUSED_CLICK
from tests.slack.test_slack_ack_promise import RIGHT, SHORT_BUDGET, Gate, answer_count

DEADLINE = 30.0
# One workspace's share of the answers being recorded at once: the work queue's bound, when that
# is below 1,000 (`RECORDING_LIMIT`); the bound over all workspaces is a third more.
QUEUE_LIMIT = 4
SHARE = QUEUE_LIMIT


async def asked(bot: SlackBot) -> dict[str, Any]:
    """`/quiz ecs` in the bot's workspace; the right answer's button of the question posted."""
    posts = len(bot.api.ok("chat.postMessage"))
    await bot.slash("ecs")
    posted = (await bot.api.wait_ok("chat.postMessage", posts + 1))[-1]
    return button_for(posted.body, RIGHT)


async def test_a_workspace_filling_its_share_of_recordings_leaves_another_workspace_s_click_taken(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        asyncio.timeout(DEADLINE),
        running_bot(
            slack_api,
            tmp_path,
            studybot_ack_budget_seconds=SHORT_BUDGET,
            studybot_work_queue_limit=QUEUE_LIMIT,
        ) as flooding,
    ):
        other = dataclasses.replace(flooding, team="T2", channel="C2")
        flood_button, other_button = await asked(flooding), await asked(other)
        gate = Gate(monkeypatch)
        gate.closed = True

        flood = [
            await flooding.click(flood_button["action_id"], flood_button["value"], "1.1", SlackUser(f"U{n}"))
            for n in range(SHARE + 1)
        ]
        assert [click.status for click in flood] == [200] * SHARE + [REFUSED_CLICK]
        [told] = await flooding.responses(flood[-1])
        assert BUSY in text_of(told)

        click = await other.click(other_button["action_id"], other_button["value"], "2.1", SlackUser("UO"))

        assert click.status == 200  # taken: recorded once the database answers
        gate.opened.set()
        [feedback] = await other.responses(click)
        assert "Correct!" in text_of(feedback)
        for taken in flood[:SHARE]:
            [feedback] = await flooding.responses(taken)
            assert "Correct!" in text_of(feedback)
        assert answer_count(flooding) == SHARE + 1
