"""A multiple-response question in Slack: checkboxes and a Submit button, through the real Bolt app.

Ticking a box sends Slack an action too; only Submit answers, with the boxes ticked in the
message state that rides along. Scoring is all or nothing, one submission per person.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from slack_harness import BANK, SlackBot, SlackUser, buttons, text_of

from bot.bank import load_bank
from bot.choices import shown_choices

TS = "1700000000.000001"
RIGHT = ["AWS Fargate", "Amazon EC2 instances"]


async def ask_fargate(bot: SlackBot) -> dict[str, Any]:
    await bot.slash("fargate")
    [posted] = await bot.api.wait_ok("chat.postMessage")
    return posted.body


def shown(message: dict[str, Any]) -> tuple[str, ...]:
    instance = int(buttons(message)[0]["action_id"].removeprefix("picks:"))
    return shown_choices(load_bank(BANK).by_id["fargate-launch-options"], instance)


def recorded(bot: SlackBot) -> list[tuple[str, int]]:
    with sqlite3.connect(bot.database) as connection:
        return connection.execute("SELECT choice, correct FROM answers ORDER BY id").fetchall()


async def test_the_question_shows_checkboxes_in_the_shuffled_order_and_a_submit_button(
    slack_bot: SlackBot,
) -> None:
    message = await ask_fargate(slack_bot)
    boxes, submit = buttons(message)
    assert boxes["type"] == "checkboxes"
    instance = int(boxes["action_id"].removeprefix("picks:"))
    shown = shown_choices(load_bank(BANK).by_id["fargate-launch-options"], instance)
    assert [o["text"]["text"] for o in boxes["options"]] == [
        f"{'ABCDE'[i]}. {c}" for i, c in enumerate(shown)
    ]
    assert [o["value"] for o in boxes["options"]] == ["0", "1", "2", "3", "4"]
    assert (submit["type"], submit["text"]["text"], submit["style"]) == ("button", "Submit", "primary")
    assert "(Choose TWO.)" in text_of(message)
    assert "Tick 2, then Submit" in text_of(message)


async def test_ticking_boxes_answers_nothing_and_submit_scores_all_or_nothing(slack_bot: SlackBot) -> None:
    message = await ask_fargate(slack_bot)

    ticks = [
        await slack_bot.click_with(slack_bot.tick_payload(message, picked, TS))
        for picked in (["AWS Fargate"], ["AWS Fargate", "Amazon S3 buckets"], RIGHT)
    ]
    assert [t.status for t in ticks] == [200, 200, 200]
    # A tick is only acknowledged: no reply, no count update, no answer recorded.
    assert all(slack_bot.api.attempts("respond/" + t.response_url.rsplit("/", 1)[1]) == [] for t in ticks)
    assert slack_bot.api.attempts("chat.update") == [] and recorded(slack_bot) == []

    right = await slack_bot.click_with(slack_bot.submit_payload(message, RIGHT, TS))
    [feedback] = await slack_bot.responses(right)
    assert feedback["response_type"] == "ephemeral"
    assert "Correct! +15 points." in text_of(feedback)
    assert ":white_check_mark: AWS Fargate" in text_of(feedback)
    assert ":white_check_mark: Amazon EC2 instances" in text_of(feedback)
    [update] = await slack_bot.api.wait_ok("chat.update")
    assert "1 answer so far" in text_of(update.body)

    bob = SlackUser("U2", "bob")
    half = await slack_bot.click_with(
        slack_bot.submit_payload(message, ["AWS Fargate", "Amazon S3 buckets"], TS, bob)
    )
    [miss] = await slack_bot.responses(half)
    assert "Not quite: all the right choices and only those score." in text_of(miss)
    assert ":white_check_mark: AWS Fargate\n" in text_of(miss) and ":x: Amazon S3 buckets\n" in text_of(miss)
    right_set = [
        f"*{c}*" for c in shown_choices(load_bank(BANK).by_id["fargate-launch-options"], 1) if c in RIGHT
    ]
    assert f"The right answers: {', '.join(right_set)}" in text_of(miss)
    assert sorted(recorded(slack_bot)) == [
        ("AWS Fargate\nAmazon EC2 instances", 1),
        ("AWS Fargate\nAmazon S3 buckets", 0),
    ]


async def test_one_submission_per_person_counts(slack_bot: SlackBot) -> None:
    message = await ask_fargate(slack_bot)
    first = await slack_bot.click_with(
        slack_bot.submit_payload(message, ["Amazon S3 buckets", "AWS Fargate"], TS)
    )
    await slack_bot.responses(first)

    again = await slack_bot.click_with(slack_bot.submit_payload(message, RIGHT, TS))

    [repeat] = await slack_bot.responses(again)
    assert "You already answered this one: not correct." in text_of(repeat)
    assert ":x: Amazon S3 buckets" in text_of(repeat)
    assert recorded(slack_bot) == [("AWS Fargate\nAmazon S3 buckets", 0)]


async def test_submitting_the_wrong_number_of_boxes_is_refused_and_loses_nothing(slack_bot: SlackBot) -> None:
    message = await ask_fargate(slack_bot)

    one = await slack_bot.click_with(slack_bot.submit_payload(message, ["AWS Fargate"], TS))
    none = await slack_bot.click_with(slack_bot.submit_payload(message, [], TS))

    [too_few] = await slack_bot.responses(one)
    [empty] = await slack_bot.responses(none)
    assert "Choose TWO: you picked 1. Nothing was recorded; pick again." in text_of(too_few)
    assert "Choose TWO: you picked 0." in text_of(empty)
    assert recorded(slack_bot) == []
    right = await slack_bot.click_with(slack_bot.submit_payload(message, RIGHT, TS))
    assert "Correct!" in text_of((await slack_bot.responses(right))[0])
