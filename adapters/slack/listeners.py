"""Bolt listeners: a Slack payload in, one core call, Block Kit out.

Every listener acknowledges its request, takes the few fields the work needs from the payload
(a small job record) and hands the work to `Background`, then returns. The app runs with
`process_before_response=True`, so Bolt answers Slack the moment the listener returns, with no
10 ms polling for the ack, and a slow database never makes Slack show "operation timed out".
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any, NamedTuple, TypeVar

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import action_ids, blocks, daily_blocks
from adapters.slack.action_ids import PICKS, SHOW_FLASHCARD, SUBMIT, numbers
from adapters.slack.admins import is_admin
from adapters.slack.background import BUSY, FRIENDLY_FAILURE, REFUSED_CLICK, Background, Kind, Outcome
from adapters.slack.config import ListedAdmins
from adapters.slack.debounce import Debouncer
from adapters.slack.deck_files import open_import_form, send_export
from adapters.slack.dm import post_exam
from adapters.slack.kit import Message
from bot.app.commands import DailyStopped, Notice
from bot.app.deck_commands import DeckImportForm
from bot.app.deck_ports import ExportedDeck
from bot.app.quiz import QuizService
from bot.bootstrap import Core
from bot.daily.models import DailyStatusReport
from bot.exam_models import ExamQuestion, ExamReport, ExamReview
from bot.grammar import DailyOn, parse
from bot.models import Actor, Period, Place, Posted, QuestionView, Scope

PLATFORM = "slack"
COMMAND = "/quiz"
HOME_EVENT = "app_home_opened"
CANNOT_POST = "I cannot post in this channel. Invite me with `/invite @Studybot`, or ask in a public channel."
CANNOT_POST_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}

log = logging.getLogger(__name__)

Body = dict[str, Any]
# A listener answers through `ack`, or returns the whole answer (a refused click's status).
Listener = Callable[[AsyncAck, Body, AsyncWebClient], Awaitable[BoltResponse | None]]
# The channel messages whose answer count is due for a chat.update: "channel:ts" to the question
# instance shown there, and the bot token (the workspace's) to update it with.
CountUpdates = Debouncer[str, tuple[int, str | None]]


# The jobs wait in memory while the work slots are busy, so they hold strings only (see
# `background`): the workspace's bot token rather than Bolt's per-request client, the actor's
# fields rather than an Actor.
class Command(NamedTuple):
    workspace: str
    user: str
    user_name: str
    workspace_name: str
    channel: str
    text: str
    response_url: str
    token: str | None
    trigger_id: str = ""
    """For a command that opens a modal (`/quiz deck import`)."""
    request: str = ""  # Slack's trigger_id: the command's key in the journal

    @property
    def actor(self) -> Actor:
        return Actor(PLATFORM, self.workspace, self.user, self.user_name, self.workspace_name)


class Click(NamedTuple):
    workspace: str
    user: str
    user_name: str
    workspace_name: str
    action_id: str
    value: str
    message: str  # the message clicked, as "channel:ts"
    response_url: str
    token: str | None

    @property
    def actor(self) -> Actor:
        return Actor(PLATFORM, self.workspace, self.user, self.user_name, self.workspace_name)


class HomeOpened(NamedTuple):
    workspace: str
    user: str
    token: str | None
    response_url: None = None


class Unreadable(NamedTuple):
    """A payload the listener could not read: its work fails with the error."""

    error: Exception
    response_url: str | None
    workspace: str = ""


AnyJob = TypeVar("AnyJob", Command, Click)


def message_ref(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def command_job(body: Body, client: AsyncWebClient) -> Command:
    return Command(
        body["team_id"],
        body["user_id"],
        body.get("user_name", ""),
        body.get("team_domain", ""),
        body["channel_id"],
        body.get("text", ""),
        body["response_url"],
        client.token,
        body.get("trigger_id", ""),
        str(body.get("trigger_id") or uuid.uuid4().hex),
    )


def click_workspace(body: Body) -> str:
    team = body.get("team") or {}
    return str(team.get("id") or body["user"].get("team_id", ""))


def click_job(body: Body, client: AsyncWebClient) -> Click:
    user = body["user"]
    team = body.get("team") or {}
    action = body["actions"][0]
    container = body.get("container") or {}
    return Click(
        click_workspace(body),
        user["id"],
        user.get("username") or user.get("name", ""),
        team.get("domain", ""),
        action["action_id"],
        action["value"],
        message_ref(container.get("channel_id", ""), container.get("message_ts", "")),
        body["response_url"],
        client.token,
    )


def ticked(body: Body, action_id: str) -> str:
    """The positions ticked in the checkboxes `action_id`, from the message state that Slack sends
    with every action, as "1,3"."""
    for block in ((body.get("state") or {}).get("values") or {}).values():
        element = block.get(action_id)
        if element is not None:
            values = [str(int(option["value"])) for option in element.get("selected_options") or []]
            return ",".join(values)
    return ""


def submit_job(body: Body, client: AsyncWebClient) -> Click:
    """A Submit click, carrying the boxes its clicker had ticked."""
    job = click_job(body, client)
    (instance_id,) = numbers(SUBMIT, job.action_id)
    return job._replace(value=ticked(body, action_ids.picks(instance_id)))


async def tick(ack: AsyncAck) -> None:
    """A box ticked or unticked: it counts for nothing until Submit, but Slack wants every action
    acknowledged."""
    await ack()


async def _unreadable(job: Unreadable) -> Outcome:
    raise job.error


def client_for(base: AsyncWebClient, token: str | None) -> AsyncWebClient:
    """A Web API client for one workspace's token, made when the work runs (as Bolt makes one
    per request): the base client's URL, session, timeout and retries."""
    return AsyncWebClient(
        token=token,
        base_url=base.base_url,
        timeout=base.timeout,
        session=base.session,
        retry_handlers=base.retry_handlers,
    )


def acked(
    kind: Kind,
    what: str,
    job_of: Callable[[Body, AsyncWebClient], AnyJob],
    work: Callable[[AnyJob], Awaitable[Outcome]],
    make: Callable[[Iterable[Any]], AnyJob],
    background: Background,
) -> Listener:
    """Ack, keep what the work needs, queue the work, return. A payload that cannot be read
    fails like any work does: an ephemeral message and a log line. Work the queue does not take
    (busy, or stopping) is refused at once: a command in its acknowledgement, which costs no
    call to Slack, a click with `REFUSED_CLICK` and the reason through its response_url."""
    route = background.route(kind, what, work, make)
    unreadable = background.route(kind, what, _unreadable, Unreadable._make)

    async def listener(ack: AsyncAck, body: Body, client: AsyncWebClient) -> BoltResponse | None:
        try:
            job = job_of(body, client)
        except Exception as error:
            bad = Unreadable(error, body.get("response_url"))
            refusal, response_url = background.offer(unreadable, bad), bad.response_url
        else:
            refusal, response_url = background.offer(route, job), job.response_url
        if refusal is None:
            await ack()
        elif kind == "command":
            await ack(text=refusal)
        else:
            return background.refuse_click(response_url, refusal)
        return None

    return listener


def count_updates(service: QuizService, background: Background, base: AsyncWebClient) -> CountUpdates:
    """Show the number of answers on the channel message, at most once a second per message
    (Slack would rate-limit an update per click); the answer stays hidden. The view is read when
    an update is sent, so the last update shows the count after the last answer."""

    async def update(ref: str, shown: tuple[int, str | None]) -> None:
        instance_id, token = shown
        channel, _, ts = ref.partition(":")
        view = await service.question_view(instance_id)
        await client_for(base, token).chat_update(channel=channel, ts=ts, **blocks.question(view))

    return Debouncer(update, background.inflight.spawn)


def register(
    app: AsyncApp,
    core: Core,
    admins: ListedAdmins,
    background: Background,
    counts: CountUpdates,
) -> Callable[[Command], Awaitable[Outcome]]:
    """Add Studybot's button and App Home listeners to a Bolt app; the work of a `/quiz`
    command is returned, for the journaled listener (`command_journal`). `admins` are the
    members who may change the question of the day besides workspace admins and owners."""
    tell = background.replies
    quiz_service, standings = core.quiz, core.standings

    async def post_question(command: Command, client: AsyncWebClient, view: QuestionView) -> Outcome:
        try:
            posted = await client.chat_postMessage(channel=command.channel, **blocks.question(view))
        except SlackApiError as error:
            if error.response.get("error") not in CANNOT_POST_ERRORS:
                raise
            await tell(command.response_url, blocks.reply_text(CANNOT_POST))
            return "refused"
        await quiz_service.set_message_ref(view.instance_id, message_ref(posted["channel"], posted["ts"]))
        return "ok"

    async def announce(client: AsyncWebClient, channel: str, announcement: Message) -> None:
        try:
            await client.chat_postMessage(channel=channel, **announcement)
        except SlackApiError as error:
            log.warning("could not announce the question of the day in %s: %s", channel, error)

    async def quiz(command: Command) -> Outcome:
        client = client_for(app.client, command.token)
        actor = command.actor
        parsed = parse(command.text)

        async def slack_admin() -> bool:
            return await is_admin(client, actor.workspace, actor.user, admins)

        result = await core.commands.execute(actor, command.channel, parsed, slack_admin)
        if isinstance(result, Posted):
            return await post_question(command, client, result.question)
        if isinstance(result, ExamQuestion | ExamReview | ExamReport):
            return await post_exam(client, tell, command.user, command.channel, command.response_url, result)
        if isinstance(result, DeckImportForm):
            return await open_import_form(
                client, tell, command.trigger_id, command.channel, command.response_url, result.name
            )
        if isinstance(result, ExportedDeck):
            return await send_export(client, tell, command.user, command.response_url, result)
        if isinstance(parsed, DailyOn) and isinstance(result, DailyStatusReport):
            await announce(client, command.channel, daily_blocks.announcement(result))
        elif isinstance(result, DailyStopped):
            await announce(client, command.channel, daily_blocks.announcement(None))
        await tell(command.response_url, blocks.reply(result))
        return "refused" if isinstance(result, Notice) else "ok"

    async def show_flashcard(click: Click) -> Outcome:
        (instance_id,) = numbers(SHOW_FLASHCARD, click.action_id)
        card = await quiz_service.show_flashcard(click.actor, instance_id)
        await tell(click.response_url, blocks.flashcard(card))
        return "ok"

    async def home(opened: HomeOpened) -> Outcome:
        actor = Actor(PLATFORM, opened.workspace, opened.user, "")
        outcome: Outcome = "ok"
        try:
            stats = replace(await standings.stats(actor), readiness=await core.learning.readiness(actor))
            board = await standings.leaderboard(Place(PLATFORM, actor.workspace), Period.WEEK, Scope.PEOPLE)
            view = blocks.home(stats, board)
        except Exception:
            log.exception("Slack App Home failed for %s", actor.user)
            outcome = "error"
            view = blocks.home_failure(FRIENDLY_FAILURE)
        await client_for(app.client, opened.token).views_publish(
            user_id=actor.user, view={"type": "home", "blocks": view}
        )
        return outcome

    home_route = background.route("event", "App Home", home, HomeOpened._make)

    async def app_home_opened(event: Body, body: Body, client: AsyncWebClient) -> None:
        """A home tab opened by someone; an event without a user or workspace has no one to show
        a home to, and is acknowledged and dropped."""
        user, team = event.get("user"), body.get("team_id")
        if event.get("tab") != "home" or not isinstance(user, str) or not isinstance(team, str):
            return
        background.offer(home_route, HomeOpened(team, user, client.token))

    app.action(PICKS)(tick)
    app.action(SHOW_FLASHCARD)(
        acked("action", "flashcard", click_job, show_flashcard, Click._make, background)
    )
    app.event(HOME_EVENT)(app_home_opened)
    return quiz


def shed_refused(
    background: Background, clicks_busy: Callable[[str], bool] = lambda _workspace: False
) -> Callable[[Body], web.StreamResponse | None]:
    """Before Bolt: a command or click the queue would refuse anyway (busy, restarting), or a
    click while its workspace has too many answers being recorded (`clicks_busy`, counted when
    true), is answered here, as its listener would answer it; anything else goes on to Bolt."""

    def shed(body: Body) -> web.StreamResponse | None:
        try:
            if body.get("command") == COMMAND:
                kind: Kind = "command"
                workspace = str(body["team_id"])
            elif body.get("type") == "block_actions":
                kind, workspace = "action", click_workspace(body)
            else:
                return None
        except (KeyError, AttributeError, TypeError):
            return None  # Bolt's listener reports it
        busy = kind == "action" and clicks_busy(workspace)
        refusal = BUSY if busy else background.refuse_early(kind, workspace)
        if refusal is None:
            return None
        if kind == "command":
            return web.Response(text=refusal)
        response_url = body.get("response_url")
        background.tell_soon(response_url if isinstance(response_url, str) else None, refusal)
        return web.Response(status=REFUSED_CLICK, text=refusal)

    return shed
