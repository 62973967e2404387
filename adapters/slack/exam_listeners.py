"""The mock exam's buttons in Slack: a click on the exam message in the person's direct
messages goes to the core and the message is updated in place with the next screen."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import exam_blocks
from adapters.slack.background import Background, Outcome
from adapters.slack.exam_blocks import EXAM_ACTION, EXAM_PICKS, picks_id
from adapters.slack.listeners import Body, Click, acked, click_job, client_for, tick, ticked
from bot.app.exam import ExamScreen
from bot.bootstrap import Core


def exam_job(body: Body, client: AsyncWebClient) -> Click:
    """A click on the exam message; Save answer carries the boxes ticked, as "0,3"."""
    job = click_job(body, client)
    match = EXAM_ACTION.match(job.action_id)
    if match is not None and match.group(2) == "save":
        exam_id, position = int(match.group(1)), int(match.group(3))
        return job._replace(value=ticked(body, picks_id(exam_id, position)))
    return job


def register_exam(app: AsyncApp, core: Core, background: Background) -> None:
    exams = core.exam

    async def step(click: Click) -> ExamScreen:
        match = EXAM_ACTION.match(click.action_id)
        assert match is not None  # the listener's pattern matched it
        exam_id, verb, position = int(match.group(1)), match.group(2), int(match.group(3))
        actor = click.actor
        match verb:
            case "answer":
                return await exams.choose(actor, exam_id, position, [int(match.group(4) or 0)])
            case "save":
                picks = [int(value) for value in click.value.split(",") if value]
                return await exams.choose(actor, exam_id, position, picks)
            case "next":
                return await exams.go(actor, exam_id, position + 1)
            case "back":
                return await exams.go(actor, exam_id, max(position - 1, 0))
            case "flag":
                return await exams.flag(actor, exam_id, position)
            case "go":
                return await exams.go(actor, exam_id, position)
            case "review":
                return await exams.review(actor, exam_id)
        return await exams.submit(actor, exam_id)

    async def clicked(click: Click) -> Outcome:
        screen = await step(click)
        channel, _, ts = click.message.partition(":")
        client = client_for(app.client, click.token)
        await client.chat_update(channel=channel, ts=ts, **exam_blocks.screen(screen))
        return "ok"

    app.action(EXAM_ACTION)(acked("action", "exam", exam_job, clicked, Click._make, background))
    app.action(EXAM_PICKS)(tick)
