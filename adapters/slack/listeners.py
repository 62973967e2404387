"""Bolt listeners: a Slack payload in, one core call, Block Kit out.

Every command and click is acknowledged before any other work (see `acked`): Bolt sends the
HTTP 200 (or the Socket Mode ack) as soon as `ack()` is called and the rest of the listener runs
on, so a slow database never makes Slack show "operation timed out".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inflight import InFlight
from adapters.slack import blocks
from adapters.slack.action_ids import ANSWER, SELF_GRADE, SHOW_FLASHCARD, numbers
from adapters.slack.admins import is_admin
from bot.commands import Notice, run
from bot.daily.service import DailyService
from bot.errors import UserFacingError
from bot.grammar import DailyOff, DailyOn, parse
from bot.metrics import REQUESTS
from bot.models import Actor, Period, Place, Posted, QuestionView, Scope
from bot.service import QuizService

PLATFORM = "slack"
COMMAND = "/quiz"
HOME_EVENT = "app_home_opened"
FRIENDLY_FAILURE = "Something went wrong on our side. Try again in a moment."
CANNOT_POST = "I cannot post in this channel. Invite me with `/invite @Studybot`, or ask in a public channel."
CANNOT_POST_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}

log = logging.getLogger(__name__)

Body = dict[str, Any]
Kind = Literal["command", "action", "event"]
Outcome = Literal["ok", "refused", "error"]
# What a listener's work did: carried out, or refused with a message to the user.
Work = Callable[[Body, AsyncRespond, AsyncWebClient], Awaitable[Outcome]]
Listener = Callable[[AsyncAck, Body, AsyncRespond, AsyncWebClient], Awaitable[None]]


def count(kind: Kind, outcome: Outcome) -> None:
    REQUESTS.labels(platform=PLATFORM, kind=kind, outcome=outcome).inc()


def command_actor(body: Body) -> Actor:
    return Actor(
        PLATFORM, body["team_id"], body["user_id"], body.get("user_name", ""), body.get("team_domain", "")
    )


def action_actor(body: Body) -> Actor:
    user = body["user"]
    team = body.get("team") or {}
    workspace = team.get("id") or user.get("team_id", "")
    return Actor(
        PLATFORM, workspace, user["id"], user.get("username") or user.get("name", ""), team.get("domain", "")
    )


def message_ref(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


async def _tell(respond: AsyncRespond, message: dict[str, Any]) -> None:
    await respond(response_type="ephemeral", replace_original=False, **message)


def acked(kind: Kind, what: str, work: Work, inflight: InFlight) -> Listener:
    """Ack first, then work; a failure reaches the user as an ephemeral message and the log.
    Every request is counted by kind and outcome."""

    async def listener(ack: AsyncAck, body: Body, respond: AsyncRespond, client: AsyncWebClient) -> None:
        async with inflight.track():
            await ack()
            outcome: Outcome = "error"
            try:
                outcome = await work(body, respond, client)
            except UserFacingError as error:
                outcome = "refused"
                await _tell(respond, blocks.reply_text(str(error)))
            except Exception:
                log.exception("Slack %s failed", what)
                await _tell(respond, blocks.reply_text(FRIENDLY_FAILURE))
            finally:
                count(kind, outcome)

    return listener


async def _post_question(
    service: QuizService, client: AsyncWebClient, respond: AsyncRespond, channel: str, view: QuestionView
) -> Outcome:
    try:
        posted = await client.chat_postMessage(channel=channel, **blocks.question(view))
    except SlackApiError as error:
        if error.response.get("error") not in CANNOT_POST_ERRORS:
            raise
        await _tell(respond, blocks.reply_text(CANNOT_POST))
        return "refused"
    await service.set_message_ref(view.instance_id, message_ref(posted["channel"], posted["ts"]))
    return "ok"


async def _refresh_count(service: QuizService, client: AsyncWebClient, ref: str, instance_id: int) -> None:
    """Show the new number of answers on the channel message; the answer stays hidden."""
    channel, _, ts = ref.partition(":")
    view = await service.question_view(instance_id)
    await client.chat_update(channel=channel, ts=ts, **blocks.question(view))


def _clicked_message(body: Body) -> str:
    container = body["container"]
    return message_ref(container["channel_id"], container["message_ts"])


def register(
    app: AsyncApp, service: QuizService, daily: DailyService, admins: frozenset[str], inflight: InFlight
) -> None:
    """Add Studybot's command, button and App Home listeners to a Bolt app. `admins` are the
    members who may change the question of the day besides workspace admins and owners."""

    async def quiz(body: Body, respond: AsyncRespond, client: AsyncWebClient) -> Outcome:
        channel = body["channel_id"]
        text = body.get("text", "")
        actor = command_actor(body)
        if isinstance(parse(text), DailyOn | DailyOff):
            actor = replace(actor, is_admin=await is_admin(client, actor.user, admins))
        result = await run(service, actor, channel, text, daily)
        if isinstance(result, Posted):
            return await _post_question(service, client, respond, channel, result.question)
        await _tell(respond, blocks.reply(result))
        return "refused" if isinstance(result, Notice) else "ok"

    async def answer(body: Body, respond: AsyncRespond, client: AsyncWebClient) -> Outcome:
        instance_id, index = numbers(ANSWER, body["actions"][0]["action_id"])
        result = await service.answer_choice(action_actor(body), instance_id, index)
        await _tell(respond, blocks.outcome(result))
        if not result.repeat:
            await _refresh_count(service, client, _clicked_message(body), instance_id)
        return "ok"

    async def show_flashcard(body: Body, respond: AsyncRespond, client: AsyncWebClient) -> Outcome:
        (instance_id,) = numbers(SHOW_FLASHCARD, body["actions"][0]["action_id"])
        card = await service.show_flashcard(action_actor(body), instance_id)
        await _tell(respond, blocks.flashcard(card, _clicked_message(body)))
        return "ok"

    async def self_grade(body: Body, respond: AsyncRespond, client: AsyncWebClient) -> Outcome:
        action = body["actions"][0]
        instance_id, knew = numbers(SELF_GRADE, action["action_id"])
        result = await service.answer_self_grade(action_actor(body), instance_id, bool(knew))
        await respond(response_type="ephemeral", replace_original=True, **blocks.outcome(result))
        if not result.repeat:
            await _refresh_count(service, client, action["value"], instance_id)
        return "ok"

    async def app_home_opened(event: Body, body: Body, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        user = event["user"]
        actor = Actor(PLATFORM, body["team_id"], user, "")
        async with inflight.track():
            outcome: Outcome = "ok"
            try:
                stats = await service.stats(actor)
                board = await service.leaderboard(Place(PLATFORM, actor.workspace), Period.WEEK, Scope.PEOPLE)
                home = blocks.home(stats, board)
            except Exception:
                log.exception("Slack App Home failed for %s", user)
                outcome = "error"
                home = blocks.home_failure(FRIENDLY_FAILURE)
            count("event", outcome)
            await client.views_publish(user_id=user, view={"type": "home", "blocks": home})

    app.command(COMMAND)(acked("command", "command", quiz, inflight))
    app.action(ANSWER)(acked("action", "answer", answer, inflight))
    app.action(SHOW_FLASHCARD)(acked("action", "flashcard", show_flashcard, inflight))
    app.action(SELF_GRADE)(acked("action", "self-grade", self_grade, inflight))
    app.event(HOME_EVENT)(app_home_opened)
