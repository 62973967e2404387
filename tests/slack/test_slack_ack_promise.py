"""An acknowledgement is a promise (issue 13, point 1): an answer click is recorded before Slack is
told it was received, unless the database takes longer than the ack budget; then the click is
acknowledged first and its person told the outcome either way."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from slack_harness import ACK_SECONDS, SlackBot, SlackUser, button_for, running_bot, text_of
from slack_stand_in import StandInSlack

from adapters.slack import component
from adapters.slack.background import BUSY, REFUSED_CLICK, UNFINISHED
from adapters.slack.command_journal import KIND
from adapters.slack.report_blocks import REASON_BLOCK
from bot.db.database import Database
from bot.db.faults import MESSAGES, DatabaseFault, Fault
from tests.slack.test_slack_exam import ExamInSlack
from tests.slack.test_slack_reports import answer_and_open_report, submission, submit

SHORT_BUDGET = 0.2
RIGHT = "Elastic Container Service"


def answer_count(bot: SlackBot) -> int:
    with sqlite3.connect(bot.database) as connection:
        return int(connection.execute("SELECT count(*) FROM answers").fetchone()[0])


class Gate:
    """Every write waits at the gate until the test opens it; then it goes through, or fails
    with `failure`. `events` records each write that went through and each response Studybot
    sent to Slack, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, failure: Exception | None = None) -> None:
        self.closed = False
        self.opened = asyncio.Event()
        self.waiting = asyncio.Event()
        self.failure = failure
        self.events: list[str] = []
        write, respond = Database.write, component.to_aiohttp_response

        async def gated_write(database: Database, work: Callable[[Any], Any]) -> Any:
            if self.closed:
                self.waiting.set()
                await self.opened.wait()
                if self.failure is not None:
                    raise self.failure
            result = await write(database, work)
            self.events.append("written")
            return result

        async def responded(response: Any) -> Any:
            self.events.append("acknowledged")
            return await respond(response)

        monkeypatch.setattr(Database, "write", gated_write)
        monkeypatch.setattr(component, "to_aiohttp_response", responded)


async def posted_button(bot: SlackBot) -> dict[str, Any]:
    await bot.slash("ecs")
    [posted] = await bot.api.wait_ok("chat.postMessage")
    return button_for(posted.body, RIGHT)


async def test_an_answer_click_is_acknowledged_only_once_its_answer_is_written(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    right = await posted_button(slack_bot)
    gate = Gate(monkeypatch)

    click = await slack_bot.click(right["action_id"], right["value"], "1700000000.000001")

    assert click.status == 200
    assert answer_count(slack_bot) == 1
    [feedback] = await slack_bot.responses(click)
    assert "Correct!" in text_of(feedback)
    assert gate.events[-2:] == ["written", "acknowledged"]


async def test_a_database_slower_than_the_budget_gets_the_click_acknowledged_first_and_the_outcome_after(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(slack_api, tmp_path, studybot_ack_budget_seconds=SHORT_BUDGET) as bot:
        right = await posted_button(bot)
        gate = Gate(monkeypatch)
        gate.closed = True

        click = await bot.click(right["action_id"], right["value"], "1700000000.000001")

        assert click.status == 200 and click.elapsed < ACK_SECONDS
        assert gate.waiting.is_set() and answer_count(bot) == 0
        assert bot.api.attempts(click.response_url.replace(bot.api.url, "")) == []
        gate.opened.set()
        [feedback] = await bot.responses(click)
        assert "Correct!" in text_of(feedback)
        assert answer_count(bot) == 1
        assert gate.events[:2] == ["acknowledged", "written"]


async def test_a_click_whose_late_recording_fails_is_told_nothing_was_recorded(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(slack_api, tmp_path, studybot_ack_budget_seconds=SHORT_BUDGET) as bot:
        right = await posted_button(bot)
        gate = Gate(monkeypatch, failure=DatabaseFault(Fault.BUSY))
        gate.closed = True

        click = await bot.click(right["action_id"], right["value"], "1700000000.000001")

        assert click.status == 200
        gate.opened.set()
        [told] = await bot.responses(click)
        assert MESSAGES[Fault.BUSY] in text_of(told)
        assert answer_count(bot) == 0


async def test_a_click_whose_recording_fails_on_a_database_fault_within_the_budget_is_refused_not_200(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 means taken: a fault of ours (here the database busy) is answered like a click that
    was refused, its reason in plain words at its response_url, so the person clicks again."""
    right = await posted_button(slack_bot)
    gate = Gate(monkeypatch, failure=DatabaseFault(Fault.BUSY))
    gate.closed = True
    gate.opened.set()

    click = await slack_bot.click(right["action_id"], right["value"], "1700000000.000001")

    assert click.status == REFUSED_CLICK and click.elapsed < ACK_SECONDS
    [told] = await slack_bot.responses(click)
    assert MESSAGES[Fault.BUSY] in text_of(told)
    assert answer_count(slack_bot) == 0


async def test_a_click_whose_outcome_is_the_persons_own_is_answered_200_with_it(slack_bot: SlackBot) -> None:
    click = await slack_bot.click("answer:999:0", "0", "1700000000.000001")

    assert click.status == 200
    [told] = await slack_bot.responses(click)
    assert "That question is no longer available" in text_of(told)


async def test_clicks_waiting_on_a_stalled_database_are_bounded_and_the_next_click_refused_busy(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(
        slack_api, tmp_path, studybot_ack_budget_seconds=SHORT_BUDGET, studybot_work_queue_limit=2
    ) as bot:
        right = await posted_button(bot)
        gate = Gate(monkeypatch)
        gate.closed = True

        clicks = [
            await bot.click(right["action_id"], right["value"], "1700000000.000001", SlackUser(f"U{n}"))
            for n in range(3)
        ]

        # A 200 is a promise that the click was taken: the one refused is not answered 200.
        assert [click.status for click in clicks] == [200, 200, REFUSED_CLICK]
        [told] = await bot.responses(clicks[2])
        assert BUSY in text_of(told)
        gate.opened.set()
        for click in clicks[:2]:
            [feedback] = await bot.responses(click)
            assert "Correct!" in text_of(feedback)
        assert answer_count(bot) == 2


async def test_an_exam_click_is_acknowledged_only_once_it_is_saved(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await slack_bot.responses(await slack_bot.slash("exam"))
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    exam = ExamInSlack(slack_bot, posted.body, "1700000000.000001")
    gate = Gate(monkeypatch)

    flagged = await exam.click("Flag for review")

    assert gate.events[-2:] == ["written", "acknowledged"]
    assert "Unflag" in str(flagged)


async def test_a_report_is_saved_before_its_form_closes_and_a_refused_one_keeps_the_form_open(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = SlackUser("U1", "ann")
    _feedback, view = await answer_and_open_report(slack_bot, ann)
    gate = Gate(monkeypatch)

    status, body = await submit(slack_bot, submission(slack_bot, view, ann, "typo", "a typo"))

    assert (status, body) == (200, "")
    assert gate.events[-2:] == ["written", "acknowledged"]
    gate.closed, gate.failure = True, DatabaseFault(Fault.FULL)
    gate.opened.set()
    status, body = await submit(slack_bot, submission(slack_bot, view, ann, "typo", "again"))
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {REASON_BLOCK: MESSAGES[Fault.FULL]},
    }


async def test_a_command_cut_short_by_a_graceful_stop_is_told_and_its_row_marked_abandoned(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> None:
    """Slack does not answer the question's post: `/quiz ecs` is under way when the stop comes.
    Its person is told, and its row is marked abandoned (not done), so that nobody mistakes it
    for a command that was carried out."""
    slack_api.hold_api(lambda method, _body: method == "chat.postMessage")
    async with running_bot(slack_api, tmp_path, studybot_stop_grace_seconds=1.0) as bot:
        sent = await bot.slash("ecs")
        assert sent.status == 200
        await slack_api.wait_for(lambda: slack_api.held > 0)

    told = slack_api.ok("respond/" + sent.response_url.rsplit("/", 1)[1])
    assert [message.body["text"] for message in told] == [UNFINISHED]
    with sqlite3.connect(bot.database) as connection:
        states = connection.execute("SELECT state FROM outbox WHERE kind = ?", (KIND,)).fetchall()
    assert states == [("dropped",)]
