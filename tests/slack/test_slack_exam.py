"""A mock exam in Slack, through the real Bolt app against the stand-in Slack: it runs in the
person's direct messages, one message updated in place; a multiple-response question is
answered with checkboxes and Save answer, scored all or nothing in the report."""

from __future__ import annotations

import sqlite3
from typing import Any

from slack_harness import SlackBot, buttons, text_of

from adapters.slack.exam_blocks import report
from tests.exam_reports import all_missed

RIGHT = ["AWS Fargate", "Amazon EC2 instances"]
DM = "DU1"


def in_dm(payload: dict[str, Any], ts: str) -> dict[str, Any]:
    payload["container"]["channel_id"] = DM
    payload["container"]["message_ts"] = ts
    payload["channel"] = {"id": DM, "name": "directmessage"}
    return payload


def button_named(message: dict[str, Any], text: str) -> dict[str, Any]:
    [found] = [b for b in buttons(message) if b["type"] == "button" and b["text"]["text"].endswith(text)]
    return found


class ExamInSlack:
    def __init__(self, bot: SlackBot, message: dict[str, Any], ts: str) -> None:
        self.bot, self.message, self.ts = bot, message, ts
        self.updates = 0

    async def click(self, text: str) -> dict[str, Any]:
        button = button_named(self.message, text)
        payload = self.bot.click_payload(button["action_id"], button["value"], self.ts)
        return await self._send(in_dm(payload, self.ts))

    async def save(self, ticked: list[str]) -> dict[str, Any]:
        payload = self.bot.click_payload(button_named(self.message, "Save answer")["action_id"], "", self.ts)
        payload["state"] = self.bot.tick_payload(self.message, ticked, self.ts)["state"]
        return await self._send(in_dm(payload, self.ts))

    async def _send(self, payload: dict[str, Any]) -> dict[str, Any]:
        sent = await self.bot.click_with(payload)
        assert sent.status == 200
        self.updates += 1
        updates = await self.bot.api.wait_ok("chat.update", self.updates)
        self.message = updates[-1].body
        assert (self.message["channel"], self.message["ts"]) == (DM, self.ts)
        return self.message


def exams(bot: SlackBot) -> list[tuple[str, int | None, int | None]]:
    with sqlite3.connect(bot.database) as connection:
        return connection.execute("SELECT state, correct, score FROM exams").fetchall()


async def test_an_exam_in_direct_messages_with_checkboxes_to_its_report(slack_bot: SlackBot) -> None:
    sent = await slack_bot.slash("exam")
    [ephemeral] = await slack_bot.responses(sent)
    assert "Your exam is in your direct messages with Studybot." in text_of(ephemeral)
    [opened] = await slack_bot.api.wait_ok("conversations.open")
    assert opened.body["users"] == "U1"
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    assert posted.body["channel"] == DM
    assert "The bank has 2 exam-style questions here, so the exam has 2." in text_of(posted.body)
    exam = ExamInSlack(slack_bot, posted.body, "1700000000.000001")
    assert "Question 1 of 2 · 03:00 left" in text_of(exam.message)

    for number in (1, 2):
        if any(b["type"] == "checkboxes" for b in buttons(exam.message)):
            assert len(buttons(exam.message)[0]["options"]) == 5
            refused = await slack_bot.click_with(
                in_dm(
                    slack_bot.click_payload(
                        button_named(exam.message, "Save answer")["action_id"], "", exam.ts
                    )
                    | {"state": slack_bot.tick_payload(exam.message, ["AWS Fargate"], exam.ts)["state"]},
                    exam.ts,
                )
            )
            [slip] = await slack_bot.responses(refused)
            assert "Choose TWO: you picked 1. Nothing was recorded; pick again." in text_of(slip)
            shown = await exam.save(RIGHT)
            assert "your answer: " in text_of(shown) and f"{number} answered" in text_of(shown)
        else:
            shown = await exam.click("Elastic Container Service")
            assert f"{number} answered" in text_of(shown)
        if number == 1:
            flagged = await exam.click("Flag for review")
            assert "1 flagged" in text_of(flagged)
            await exam.click("Next")
    review = await exam.click("Review and submit")
    assert "1. answered · :triangular_flag_on_post: flagged" in text_of(review)
    assert "Go to 1" in [b["text"]["text"] for b in buttons(review)]
    report = await exam.click("Submit exam")
    assert "Score: 1000 / 1000" in str(report["blocks"][0])
    assert ":white_check_mark: PASS" in text_of(report) and "2/2 (100%) right" in text_of(report)
    assert exams(slack_bot) == [("submitted", 2, 1000)]


async def test_a_partial_multiple_response_answer_is_missed_in_the_report(slack_bot: SlackBot) -> None:
    await slack_bot.slash("exam fargate")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    exam = ExamInSlack(slack_bot, posted.body, "1700000000.000001")
    await exam.save(["AWS Fargate", "Amazon S3 buckets"])
    await exam.click("Review and submit")
    report = await exam.click("Submit exam")
    text = text_of(report)
    assert ":x: FAIL" in text and "0/1 (0%) right" in text
    assert "Your answer: AWS Fargate; Amazon S3 buckets" in text
    assert "Right answer: *AWS Fargate; Amazon EC2 instances*" in text
    assert exams(slack_bot) == [("submitted", 0, 100)]


async def test_exam_history_and_stop_answer_privately(slack_bot: SlackBot) -> None:
    none = await slack_bot.slash("exam stop")
    [refusal] = await slack_bot.responses(none)
    assert "You have no exam in progress." in text_of(refusal)
    await slack_bot.slash("exam ecs")
    await slack_bot.api.wait_ok("chat.postMessage")
    stop = await slack_bot.slash("exam stop")
    [stopped] = await slack_bot.responses(stop)
    assert "Exam abandoned" in text_of(stopped)
    history = await slack_bot.slash("exam history")
    [shown] = await slack_bot.responses(history)
    assert "No exams submitted yet." in text_of(shown)
    assert exams(slack_bot) == [("abandoned", None, None)]


async def test_without_a_direct_message_the_exam_waits_and_says_why(slack_bot: SlackBot) -> None:
    slack_bot.api.reject_next("conversations.open", "missing_scope")
    refused = await slack_bot.slash("exam")
    [reply] = await slack_bot.responses(refused)
    assert "I cannot open a direct message with you" in text_of(reply) and "im:write" in text_of(reply)
    assert slack_bot.api.ok("chat.postMessage") == []
    again = await slack_bot.slash("exam")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    assert "You have an exam in progress: here it is." in text_of(posted.body)
    [told] = await slack_bot.responses(again)
    assert "Your exam is in your direct messages" in text_of(told)


def test_a_report_of_65_missed_questions_fits_slack_limits() -> None:
    message = report(all_missed())
    assert len(message["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")
