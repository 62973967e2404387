"""Practising in a direct message with Studybot: the question and its feedback stay there."""

from __future__ import annotations

from typing import Any

import pytest
from slack_harness import SlackBot, button_for, event_callback, text_of

from adapters.work_queue import BUSY, WorkQueue


def direct_message(event_id: str, text: str, **extra: Any) -> str:
    return event_callback(
        event_id,
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": "U1",
            "text": text,
            "ts": f"1700000000.{event_id[-3:]}",
            **extra,
        },
    )


async def test_a_member_practises_in_a_direct_message(slack_bot: SlackBot) -> None:
    await slack_bot.responses(await slack_bot.slash("team join Night Owls"))
    status, _ = await slack_bot.send_raw(direct_message("Ev001", "ecs"), "application/json")
    assert status == 200
    [question] = await slack_bot.api.wait_ok("chat.postMessage")
    assert question.body["channel"] == "D1"
    assert "Amazon ECS" in text_of(question.body)
    right = button_for(question.body, "Elastic Container Service")
    clicked = slack_bot.click_payload(right["action_id"], right["value"], "1700000000.000001")
    clicked["container"]["channel_id"] = clicked["channel"]["id"] = "D1"
    [feedback] = await slack_bot.responses(await slack_bot.click_with(clicked))
    assert "Correct! +10 points." in text_of(feedback)

    await slack_bot.send_raw(direct_message("Ev002", "quiz leaderboard"), "application/json")
    [_, board] = await slack_bot.api.wait_ok("chat.postMessage", 2)
    assert board.body["channel"] == "D1"
    assert any(line.split()[:3] == ["1", "ann", "10"] for line in text_of(board.body).splitlines())


async def test_studybots_own_messages_and_edits_get_no_answer(slack_bot: SlackBot) -> None:
    await slack_bot.send_raw(direct_message("Ev003", "ecs", bot_id="BBOT"), "application/json")
    await slack_bot.send_raw(direct_message("Ev004", "ecs", subtype="message_changed"), "application/json")
    await slack_bot.send_raw(direct_message("Ev005", "topics"), "application/json")
    [reply] = await slack_bot.api.wait_ok("chat.postMessage")
    assert "dockerhub" in text_of(reply.body)
    assert len(slack_bot.api.attempts("chat.postMessage")) == 1


async def test_a_direct_message_whose_answer_fails_is_told_so_in_the_conversation(
    slack_bot: SlackBot,
) -> None:
    """A message has no response_url: the failure is told where it was written, not only logged."""
    slack_bot.api.reject_next("chat.postMessage", "internal_error")
    status, _ = await slack_bot.send_raw(direct_message("Ev006", "topics"), "application/json")
    assert status == 200
    [_, told] = await slack_bot.api.wait_ok("chat.postMessage", 2)
    assert told.body["channel"] == "D1"
    assert "Something went wrong on our side" in text_of(told.body)


async def test_a_direct_message_refused_while_studybot_is_busy_is_told_so_at_once(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the work queue's bound the writer hears "busy" in the conversation, not silence."""
    monkeypatch.setattr(WorkQueue, "refusal", lambda _queue, _workspace: BUSY)
    status, _ = await slack_bot.send_raw(direct_message("Ev007", "ecs"), "application/json")
    assert status == 200
    [told] = await slack_bot.api.wait_ok("chat.postMessage")
    assert told.body["channel"] == "D1"
    assert text_of(told.body).startswith(BUSY)
