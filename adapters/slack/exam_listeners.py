"""The mock exam's buttons in Slack: a click on the exam message in the person's direct
messages goes to the core and the message is updated in place with the next screen."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import exam_blocks
from adapters.slack.answer_clicks import AnswerKind, recorded_first
from adapters.slack.background import Background
from adapters.slack.exam_blocks import EXAM_ACTION, EXAM_PICKS, picks_id
from adapters.slack.listeners import Body, Click, click_job, client_for, tick, ticked
from adapters.slack.recordings import Recordings
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


NOT_SAVED = "Your click on the exam was not saved: something went wrong on our side. Please click again."


def register_exam(
    app: AsyncApp, core: Core, background: Background, budget: float, recordings: Recordings
) -> None:
    """An exam click is saved before its ack, like an answer (`answer_clicks`); the message is
    updated with the next screen after."""
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

    async def show(click: Click, screen: ExamScreen) -> None:
        channel, _, ts = click.message.partition(":")
        client = client_for(app.client, click.token)
        await client.chat_update(channel=channel, ts=ts, **exam_blocks.screen(screen))

    kind = AnswerKind("exam", exam_job, step, show, NOT_SAVED)
    app.action(EXAM_ACTION)(recorded_first(kind, background, budget, recordings))
    app.action(EXAM_PICKS)(tick)
