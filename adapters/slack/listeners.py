"""Bolt listeners: a Slack payload in, one core call, Block Kit out.

Every listener acknowledges its request, takes the few fields the work needs from the payload
(a small job record) and hands the work to `Background`, then returns. The app runs with
`process_before_response=True`, so Bolt answers Slack the moment the listener returns, with no
10 ms polling for the ack, and a slow database never makes Slack show "operation timed out".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.action_ids import ANSWER, SELF_GRADE, SHOW_FLASHCARD, numbers
from adapters.slack.admins import is_admin
from adapters.slack.background import FRIENDLY_FAILURE, Background, Kind, Outcome, Work
from adapters.slack.debounce import Debouncer
from bot.commands import Notice, run
from bot.daily.service import DailyService
from bot.grammar import DailyOff, DailyOn, parse
from bot.models import Actor, Period, Place, Posted, QuestionView, Scope
from bot.service import QuizService

PLATFORM = "slack"
COMMAND = "/quiz"
HOME_EVENT = "app_home_opened"
CANNOT_POST = "I cannot post in this channel. Invite me with `/invite @Studybot`, or ask in a public channel."
CANNOT_POST_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}

log = logging.getLogger(__name__)

Body = dict[str, Any]
Listener = Callable[[AsyncAck, Body, AsyncWebClient], Awaitable[None]]
# The channel messages whose answer count is due for a chat.update: "channel:ts" to the question
# instance shown there, and the client (the workspace's token) to update it with.
CountUpdates = Debouncer[str, tuple[int, AsyncWebClient]]


@dataclass(frozen=True, slots=True)
class Command:
    actor: Actor
    channel: str
    text: str
    response_url: str
    client: AsyncWebClient


@dataclass(frozen=True, slots=True)
class Click:
    actor: Actor
    action_id: str
    value: str
    message: str
    """The message clicked, as "channel:ts"."""
    response_url: str
    client: AsyncWebClient


Job = TypeVar("Job", Command, Click)


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


def command_job(body: Body, client: AsyncWebClient) -> Command:
    return Command(
        command_actor(body), body["channel_id"], body.get("text", ""), body["response_url"], client
    )


def click_job(body: Body, client: AsyncWebClient) -> Click:
    action = body["actions"][0]
    container = body.get("container") or {}
    message = message_ref(container.get("channel_id", ""), container.get("message_ts", ""))
    return Click(
        action_actor(body), action["action_id"], action["value"], message, body["response_url"], client
    )


def _failed(error: Exception) -> Work:
    async def work() -> Outcome:
        raise error

    return work


def acked(
    kind: Kind,
    what: str,
    job_of: Callable[[Body, AsyncWebClient], Job],
    work: Callable[[Job], Awaitable[Outcome]],
    background: Background,
) -> Listener:
    """Ack, keep what the work needs, start the work, return. A payload that cannot be read
    fails like any work does: an ephemeral message and a log line."""

    async def listener(ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
        await ack()
        try:
            job = job_of(body, client)
        except Exception as error:
            background.start(kind, what, _failed(error), body.get("response_url"))
            return
        background.start(kind, what, partial(work, job), job.response_url)

    return listener


def count_updates(service: QuizService, background: Background) -> CountUpdates:
    """Show the number of answers on the channel message, at most once a second per message
    (Slack would rate-limit an update per click); the answer stays hidden. The view is read when
    an update is sent, so the last update shows the count after the last answer."""

    async def update(ref: str, shown: tuple[int, AsyncWebClient]) -> None:
        instance_id, client = shown
        channel, _, ts = ref.partition(":")
        view = await service.question_view(instance_id)
        await client.chat_update(channel=channel, ts=ts, **blocks.question(view))

    return Debouncer(update, background.inflight.spawn)


def register(
    app: AsyncApp,
    service: QuizService,
    daily: DailyService,
    admins: frozenset[str],
    background: Background,
    counts: CountUpdates,
) -> None:
    """Add Studybot's command, button and App Home listeners to a Bolt app. `admins` are the
    members who may change the question of the day besides workspace admins and owners."""
    tell = background.replies

    async def post_question(command: Command, view: QuestionView) -> Outcome:
        try:
            posted = await command.client.chat_postMessage(channel=command.channel, **blocks.question(view))
        except SlackApiError as error:
            if error.response.get("error") not in CANNOT_POST_ERRORS:
                raise
            await tell(command.response_url, blocks.reply_text(CANNOT_POST))
            return "refused"
        await service.set_message_ref(view.instance_id, message_ref(posted["channel"], posted["ts"]))
        return "ok"

    async def quiz(command: Command) -> Outcome:
        actor = command.actor
        if isinstance(parse(command.text), DailyOn | DailyOff):
            actor = replace(actor, is_admin=await is_admin(command.client, actor.user, admins))
        result = await run(service, actor, command.channel, command.text, daily)
        if isinstance(result, Posted):
            return await post_question(command, result.question)
        await tell(command.response_url, blocks.reply(result))
        return "refused" if isinstance(result, Notice) else "ok"

    async def answer(click: Click) -> Outcome:
        instance_id, index = numbers(ANSWER, click.action_id)
        result = await service.answer_choice(click.actor, instance_id, index)
        await tell(click.response_url, blocks.outcome(result))
        if not result.repeat:
            counts.submit(click.message, (instance_id, click.client))
        return "ok"

    async def show_flashcard(click: Click) -> Outcome:
        (instance_id,) = numbers(SHOW_FLASHCARD, click.action_id)
        card = await service.show_flashcard(click.actor, instance_id)
        await tell(click.response_url, blocks.flashcard(card, click.message))
        return "ok"

    async def self_grade(click: Click) -> Outcome:
        instance_id, knew = numbers(SELF_GRADE, click.action_id)
        result = await service.answer_self_grade(click.actor, instance_id, bool(knew))
        await tell(click.response_url, blocks.outcome(result), replace_original=True)
        if not result.repeat:
            counts.submit(click.value, (instance_id, click.client))
        return "ok"

    async def home(actor: Actor, client: AsyncWebClient) -> Outcome:
        outcome: Outcome = "ok"
        try:
            stats = await service.stats(actor)
            board = await service.leaderboard(Place(PLATFORM, actor.workspace), Period.WEEK, Scope.PEOPLE)
            view = blocks.home(stats, board)
        except Exception:
            log.exception("Slack App Home failed for %s", actor.user)
            outcome = "error"
            view = blocks.home_failure(FRIENDLY_FAILURE)
        await client.views_publish(user_id=actor.user, view={"type": "home", "blocks": view})
        return outcome

    async def app_home_opened(event: Body, body: Body, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        actor = Actor(PLATFORM, body["team_id"], event["user"], "")
        background.start("event", "App Home", partial(home, actor, client), None)

    app.command(COMMAND)(acked("command", "command", command_job, quiz, background))
    app.action(ANSWER)(acked("action", "answer", click_job, answer, background))
    app.action(SHOW_FLASHCARD)(acked("action", "flashcard", click_job, show_flashcard, background))
    app.action(SELF_GRADE)(acked("action", "self-grade", click_job, self_grade, background))
    app.event(HOME_EVENT)(app_home_opened)
