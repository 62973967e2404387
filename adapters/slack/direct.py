"""Practising in a direct message with Studybot (the App Home's Messages tab): whatever a member
writes there is read as a `/quiz` command (`ecs`, `quiz ecs`, `leaderboard`), and the question or
the reply goes back to that conversation, where its buttons work as in a channel."""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inflight import being_cancelled
from adapters.slack import blocks
from adapters.slack.admins import is_admin
from adapters.slack.background import FRIENDLY_FAILURE, Background, Outcome
from adapters.slack.config import ListedAdmins
from adapters.slack.deck_files import upload_export
from adapters.slack.direct_journal import GRACE, DirectJournal, DirectRecovery, journaled
from adapters.slack.listeners import PLATFORM, client_for, message_ref
from bot.app.commands import Notice
from bot.app.deck_ports import ExportedDeck
from bot.app.journal import ABANDONED
from bot.bootstrap import Core
from bot.errors import UserFacingError
from bot.grammar import parse
from bot.models import Actor, Posted

log = logging.getLogger(__name__)


class DirectMessage(NamedTuple):
    workspace: str
    user: str
    channel: str
    text: str
    token: str | None
    response_url: None = None
    """A message has none: the reply goes back as a message (`_answer`)."""
    key: str = ""
    """The event's id: its journal row's key (`direct_journal`); none, no row."""


def register_direct(
    app: AsyncApp, core: Core, admins: ListedAdmins, background: Background, journal: DirectJournal
) -> None:
    """Answer the members who write to Studybot in its Messages tab; each message journaled
    before its ack (`direct_journal`)."""

    async def answer(message: DirectMessage) -> Outcome:
        """Answer in the conversation; a failure is told there too, since a message has no
        response_url for the work queue to tell it through."""
        client = client_for(app.client, message.token)
        try:
            return await carry_out(message, client)
        except Exception:
            log.exception("answering a Slack direct message of %s failed", message.workspace)
            try:
                await client.chat_postMessage(channel=message.channel, **blocks.reply_text(FRIENDLY_FAILURE))
            except Exception:
                log.exception("telling a Slack user that their direct message failed failed too")
            return "error"

    async def carry_out(message: DirectMessage, client: AsyncWebClient) -> Outcome:
        actor = Actor(PLATFORM, message.workspace, message.user, "")

        async def slack_admin() -> bool:
            return await is_admin(client, actor.workspace, actor.user, admins)

        try:
            result = await core.commands.execute(actor, message.channel, parse(message.text), slack_admin)
        except UserFacingError as error:
            await client.chat_postMessage(channel=message.channel, **blocks.reply_text(str(error)))
            return "refused"
        if isinstance(result, Posted):
            posted = await client.chat_postMessage(
                channel=message.channel, **blocks.question(result.question)
            )
            ref = message_ref(posted["channel"], posted["ts"])
            await core.quiz.set_message_ref(result.question.instance_id, ref)
            return "ok"
        if isinstance(result, ExportedDeck):
            # An admin's deck export asked for here: the file is shared in this conversation.
            refusal = await upload_export(client, message.channel, result)
            if refusal is None:
                return "ok"
            result = Notice(refusal)
        await client.chat_postMessage(channel=message.channel, **blocks.reply(result))
        return "refused" if isinstance(result, Notice) else "ok"

    async def answer_journaled(message: DirectMessage) -> Outcome:
        """Answer, then mark the row done, whatever the outcome; not when stopping cut the work
        short: its person cannot be told, so its row stays open for another process."""
        try:
            return await answer(message)
        finally:
            if message.key and not being_cancelled():
                background.inflight.spawn(journal.journal.end(message.key))

    async def recovered(fields: dict[str, Any], token: str | None) -> Outcome:
        return await answer(
            DirectMessage(fields["workspace"], fields["user"], fields["channel"], fields["text"], token)
        )

    route = background.route("event", "direct message", answer_journaled, DirectMessage._make)
    core.outbox.register(DirectRecovery(recovered, journal.token_of), grace=GRACE)

    async def direct_message(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        """Only what a person wrote: not Studybot's own messages, edits or other subtypes; an
        event without a workspace, user or conversation is acknowledged and dropped. Work the
        queue refuses (busy, stopping) is answered in the conversation (a message has no
        response_url), as many at once as other refusals (`Background.send_soon`)."""
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        team, user, channel = body.get("team_id"), event.get("user"), event.get("channel")
        if not (isinstance(team, str) and isinstance(user, str) and isinstance(channel, str)):
            return
        text = event.get("text")
        event_id = body.get("event_id")
        key = event_id if isinstance(event_id, str) else ""
        job = DirectMessage(team, user, channel, text if isinstance(text, str) else "", client.token, key=key)
        if key and not await journaled(journal.journal, journal.budget, key, job._asdict()):
            return  # delivered twice: the first delivery answers it
        refusal = background.offer(route, job)
        if refusal is None:
            return
        if key:
            background.inflight.spawn(journal.journal.end(key, ABANDONED))
        reply = blocks.reply_text(refusal)
        background.send_soon(lambda: client.chat_postMessage(channel=channel, **reply))

    app.event("message")(direct_message)
