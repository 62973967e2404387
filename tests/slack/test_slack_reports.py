"""Reporting a question on Slack, through the real Bolt app: Report a problem under an answer
opens a modal (views.open), its submission is stored and acknowledged privately, and admins
read the reports of their own workspace with `/quiz reports`."""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
from typing import Any
from urllib.parse import urlencode

from slack_harness import SIGNING_SECRET, SlackBot, SlackUser, button_for, buttons, sign, text_of

from adapters.slack.report_blocks import REPORT_VIEW

TS = "1700000000.000001"
SUBMISSIONS = itertools.count(1)
WRONG = "Elastic Compute Service"
HOSTILE = "<!channel> <@U2> *bold* `tick` & <https://evil.example|click>"


async def answer_and_open_report(bot: SlackBot, user: SlackUser) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ask /quiz ecs, answer it wrong, click Report a problem: the feedback and the modal."""
    posted_before = len(bot.api.ok("chat.postMessage"))
    await bot.slash("ecs", user)
    posted = (await bot.api.wait_ok("chat.postMessage", posted_before + 1))[-1].body
    wrong = button_for(posted, WRONG)
    click = await bot.click(wrong["action_id"], wrong["value"], TS, user)
    [feedback] = await bot.responses(click)
    [report] = [b for b in buttons(feedback) if b["text"]["text"] == "Report a problem"]
    opened_before = len(bot.api.ok("views.open"))
    payload = bot.click_payload(report["action_id"], report["value"], TS, user, ephemeral=True)
    payload["response_url"] = click.response_url
    sent = await bot.click_with(payload)
    assert sent.status == 200
    opened = (await bot.api.wait_ok("views.open", opened_before + 1))[-1]
    assert opened.body["trigger_id"] == payload["trigger_id"]
    view = opened.body["view"]
    return feedback, json.loads(view) if isinstance(view, str) else view


def submission(bot: SlackBot, view: dict[str, Any], user: SlackUser, reason: str | None, text: str) -> str:
    selected = None if reason is None else {"text": {"type": "plain_text", "text": reason}, "value": reason}
    values = {
        "reason": {"reason": {"type": "static_select", "selected_option": selected}},
        "details": {"details": {"type": "plain_text_input", "value": text or None}},
    }
    return view_submission(bot, view, user, values)


def view_submission(bot: SlackBot, view: dict[str, Any], user: SlackUser, values: dict[str, Any]) -> str:
    """A modal submitted by `user` with these input values, as Slack posts it."""
    payload = {
        "type": "view_submission",
        "team": {"id": bot.team, "domain": "acme"},
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": bot.team},
        "api_app_id": "A1",
        "token": "legacy-verification-token",
        "trigger_id": f"trigger-view-{next(SUBMISSIONS)}",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
        "response_urls": [],
    }
    return json.dumps(payload)


async def submit(bot: SlackBot, payload: str) -> tuple[int, str]:
    body = urlencode({"payload": payload})
    async with bot.http.post(
        bot.url + "slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **_signed(body)},
    ) as response:
        return response.status, await response.text()


def _signed(body: str) -> dict[str, str]:
    stamp = int(time.time())
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": sign(SIGNING_SECRET, stamp, body)}


async def test_a_report_goes_from_the_feedback_through_a_modal_to_an_ephemeral_thanks(
    slack_bot: SlackBot,
) -> None:
    ann = SlackUser("U1", "ann")
    feedback, view = await answer_and_open_report(slack_bot, ann)
    instance = next(b for b in buttons(feedback) if b["text"]["text"] == "Report a problem")["value"]

    assert view["type"] == "modal" and view["callback_id"] == REPORT_VIEW
    reason, details = view["blocks"]
    assert reason["element"]["type"] == "static_select"
    assert [o["value"] for o in reason["element"]["options"]] == [
        "wrong-answer",
        "unclear",
        "outdated",
        "typo",
        "other",
    ]
    assert details["optional"] is True and details["element"]["type"] == "plain_text_input"
    assert details["element"]["max_length"] == 500
    metadata = json.loads(view["private_metadata"])
    assert metadata["instance"] == int(instance)

    status, body = await submit(slack_bot, submission(slack_bot, view, ann, "outdated", HOSTILE))
    assert (status, body) == (200, "")
    name = "respond/" + metadata["response_url"].rsplit("/", 1)[1]
    [*_, thanks] = [call.body for call in await slack_bot.api.wait_ok(name, 2)]
    assert thanks["response_type"] == "ephemeral" and thanks["replace_original"] is False
    assert "Thanks: your report on this question (outdated)" in text_of(thanks)

    slack_bot.api.admins.add("UADMIN")
    listed = await slack_bot.slash("reports", SlackUser("UADMIN", "ada"))
    [reports] = await slack_bot.responses(listed)
    assert "*ecs-stands-for* · Outdated · ann" in text_of(reports)
    said = [
        element
        for block in reports["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
        if element["type"] == "plain_text"
    ]
    assert said == [{"type": "plain_text", "text": HOSTILE, "emoji": False}]
    assert (
        "<!channel>" not in json.dumps([b for b in reports["blocks"] if b not in ({"type": "context"},)])[:0]
    )
    mrkdwn = [b["text"]["text"] for b in reports["blocks"] if b["type"] == "section"]
    assert not any("<!" in text or "<@" in text for text in mrkdwn)


async def test_a_submission_without_a_reason_is_refused_in_the_modal(slack_bot: SlackBot) -> None:
    ann = SlackUser("U1", "ann")
    _feedback, view = await answer_and_open_report(slack_bot, ann)

    status, body = await submit(slack_bot, submission(slack_bot, view, ann, None, "no reason"))

    assert status == 200
    assert json.loads(body) == {"response_action": "errors", "errors": {"reason": "Pick a reason."}}


async def test_only_admins_read_reports_and_only_their_workspaces(slack_bot: SlackBot) -> None:
    ann, bea = SlackUser("U1", "ann"), SlackUser("U2", "bea")
    _feedback, view = await answer_and_open_report(slack_bot, ann)
    await submit(slack_bot, submission(slack_bot, view, ann, "typo", "ours"))
    slack_bot.team = "T2"
    _feedback, view = await answer_and_open_report(slack_bot, bea)
    await submit(slack_bot, submission(slack_bot, view, bea, "unclear", "theirs"))
    await slack_bot.api.wait_for(
        lambda: sum("Thanks" in json.dumps(c.body) for c in slack_bot.api.calls) >= 2
    )
    slack_bot.team = "T1"

    refused = await slack_bot.slash("reports", ann)
    [no] = await slack_bot.responses(refused)
    assert "Only workspace admins can read the reports" in text_of(no)

    slack_bot.api.admins.add("UADMIN")
    listed = await slack_bot.slash("reports", SlackUser("UADMIN", "ada"))
    [reports] = await slack_bot.responses(listed)
    texts = json.dumps(reports)
    assert "ours" in texts and "theirs" not in texts


async def test_a_submission_that_cannot_be_read_is_refused_in_the_modal_and_stores_nothing(
    slack_bot: SlackBot,
) -> None:
    ann = SlackUser("U1", "ann")
    _feedback, view = await answer_and_open_report(slack_bot, ann)
    broken = {**view, "private_metadata": "not json"}

    status, body = await submit(slack_bot, submission(slack_bot, broken, ann, "typo", "x"))

    assert status == 200
    assert json.loads(body)["response_action"] == "errors"
    assert "Close it and report the question again" in json.loads(body)["errors"]["reason"]
    with sqlite3.connect(slack_bot.database) as connection:
        assert connection.execute("SELECT count(*) FROM question_reports").fetchone() == (0,)
