"""Signatures, escaping, Web API failures, a stalled database and failures after the ack."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from slack_harness import ACK_SECONDS, SlackBot, SlackUser, button_for, buttons, running_bot, text_of
from slack_stand_in import StandInSlack

from adapters.slack import component
from adapters.slack.answer_clicks import NOT_RECORDED
from adapters.slack.background import REFUSED_CLICK
from bot.app.quiz import QuizService
from bot.db.database import Database

STALE_SECONDS = 5 * 60 + 1


def instance_count(bot: SlackBot) -> int:
    with sqlite3.connect(bot.database) as connection:
        return int(connection.execute("SELECT count(*) FROM question_instances").fetchone()[0])


async def test_a_forged_signature_gets_401_and_changes_nothing(slack_bot: SlackBot) -> None:
    status, _ = await slack_bot.send(slack_bot.slash_fields("ecs"), secret="not-the-signing-secret")

    assert status == 401
    assert slack_bot.api.calls == []
    assert instance_count(slack_bot) == 0


async def test_a_stale_timestamp_gets_401_and_changes_nothing(slack_bot: SlackBot) -> None:
    stale = int(time.time()) - STALE_SECONDS

    status, _ = await slack_bot.send(slack_bot.slash_fields("ecs"), timestamp=stale)

    assert status == 401
    assert slack_bot.api.calls == []
    assert instance_count(slack_bot) == 0


async def test_a_team_name_with_mentions_is_shown_escaped(slack_bot: SlackBot) -> None:
    joined = await slack_bot.slash("team join <!channel> & <@U1>")
    [joining] = await slack_bot.responses(joined)
    listed = await slack_bot.slash("team list")
    [listing] = await slack_bot.responses(listed)
    escaped = "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escaped in text_of(joining)
    assert escaped in text_of(listing)
    for message in (joining, listing):
        assert "<!channel>" not in str(message) and "<@U1>" not in str(message)


async def test_leaderboards_never_mention_the_people_listed(slack_bot: SlackBot) -> None:
    await slack_bot.responses(await slack_bot.slash("team join <!here>"))
    await slack_bot.slash("ecs")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    right = button_for(posted.body, "Elastic Container Service")
    await slack_bot.responses(await slack_bot.click(right["action_id"], right["value"], "1700000000.000001"))

    teams = await slack_bot.slash("leaderboard teams")
    [board] = await slack_bot.responses(teams)
    assert "&lt;!here&gt;" in text_of(board)
    assert "<!" not in str(board) and "<@" not in str(board)


async def test_a_429_then_a_500_from_post_message_end_in_exactly_one_message(slack_bot: SlackBot) -> None:
    slack_bot.api.fail_next("chat.postMessage", 429, 500)

    sent = await slack_bot.slash("ecs")

    assert sent.status == 200
    await slack_bot.api.wait_ok("chat.postMessage")
    statuses = [call.status for call in slack_bot.api.attempts("chat.postMessage")]
    assert statuses == [429, 500, 200]
    assert slack_bot.api.attempts(sent.response_url.replace(slack_bot.api.url, "")) == []


class StalledDatabase:
    """Every write waits until the test releases it: a database that stalls for as long as needed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = asyncio.Event()
        self.waiting = asyncio.Event()
        original = Database.write

        async def write(database: Database, work: Callable[[Any], Any]) -> Any:
            await self.stall()
            return await original(database, work)

        monkeypatch.setattr(Database, "write", write)

    async def stall(self) -> None:
        self.waiting.set()
        await self.release.wait()


async def test_a_stalled_database_still_gets_the_command_acknowledged_in_time(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the ack budget, a command whose journal row is not written yet is acknowledged first.
    async with running_bot(slack_api, tmp_path, studybot_ack_budget_seconds=0.2) as slack_bot:
        stall = StalledDatabase(monkeypatch)

        sent = await slack_bot.slash("ecs")

        assert sent.status == 200
        assert sent.elapsed < ACK_SECONDS
        await asyncio.wait_for(stall.waiting.wait(), 5)
        assert slack_bot.api.attempts("chat.postMessage") == []
        stall.release.set()
        [posted] = await slack_bot.api.wait_ok("chat.postMessage")
        assert len(buttons(posted.body)) == 4


async def test_clicks_beyond_the_work_slots_are_acknowledged_at_once_and_answered_later(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(component, "WORK_SLOTS", 1)
    # A short ack budget: the stalled clicks are acknowledged first and recorded later.
    async with running_bot(slack_api, tmp_path, studybot_ack_budget_seconds=0.2) as bot:
        await bot.slash("ecs")
        [posted] = await bot.api.wait_ok("chat.postMessage")
        await bot.api.wait_for(lambda: instance_count(bot) == 1)
        stall = StalledDatabase(monkeypatch)
        right = button_for(posted.body, "Elastic Container Service")

        clicks = [
            await bot.click(
                right["action_id"], right["value"], "1700000000.000001", SlackUser(f"U{n}", f"u{n}")
            )
            for n in range(3)
        ]

        assert [(click.status, click.elapsed < ACK_SECONDS) for click in clicks] == [(200, True)] * 3
        await asyncio.wait_for(stall.waiting.wait(), 5)
        stall.release.set()
        for click in clicks:
            [feedback] = await bot.responses(click)
            assert "Correct!" in text_of(feedback)
        await bot.api.wait_for(
            lambda: any("3 answers so far" in text_of(call.body) for call in bot.api.ok("chat.update"))
        )


async def test_a_click_whose_recording_fails_is_refused_and_its_failure_reaches_the_user_and_the_log(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(QuizService, "answer_choice", broken)
    await slack_bot.slash("ecs")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    right = button_for(posted.body, "Elastic Container Service")

    with caplog.at_level(logging.ERROR, logger="adapters.slack.answer_clicks"):
        click = await slack_bot.click(right["action_id"], right["value"], "1700000000.000001")
        [reply] = await slack_bot.responses(click)

    assert click.status == REFUSED_CLICK  # not recorded: not taken, never a 200
    assert reply["response_type"] == "ephemeral"
    assert NOT_RECORDED in text_of(reply)
    [record] = [r for r in caplog.records if r.name == "adapters.slack.answer_clicks"]
    assert record.exc_info is not None and "disk on fire" in str(record.exc_info[1])
    assert slack_bot.api.attempts("chat.update") == []


async def test_a_refusal_from_the_quiz_is_shown_as_it_is(slack_bot: SlackBot) -> None:
    click = await slack_bot.click("answer:999:0", "0", "1700000000.000001")

    [reply] = await slack_bot.responses(click)
    assert "That question is no longer available" in text_of(reply)


async def test_a_channel_the_bot_cannot_post_in_gets_a_hint(slack_bot: SlackBot) -> None:
    slack_bot.api.reject_next("chat.postMessage", "not_in_channel")

    sent = await slack_bot.slash("ecs")

    [reply] = await slack_bot.responses(sent)
    assert "Invite me with `/invite @Studybot`" in text_of(reply)
