"""`/quiz` commands journaled before their ack (issue 13, point 1: an acknowledgement is a
promise).

The listener writes the command as a row of the delivery table, claimed by this process
(`bot.app.journal`), and acknowledges it once the row is committed, if the database answers
within the ack budget (STUDYBOT_ACK_BUDGET_SECONDS); past it, it acknowledges first, as before.
The work then waits in `Background` like any acknowledged request and marks the row done when it
ends, whatever its outcome (its person was shown it). If the process dies first, the row's lease
runs out and `CommandRecovery`, the delivery table's handler for these rows, carries the command
out in whichever process claims it: the question is posted, the reply reaches the person's
response_url (valid for 30 minutes, hence the grace window).

Stopping tells the people whose commands could not be finished, then marks their rows
abandoned, so that no other process carries them out after they were told to try again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inflight import being_cancelled, settled_within
from adapters.slack import blocks
from adapters.slack.background import FRIENDLY_FAILURE, Background, Outcome
from adapters.slack.installs import DatabaseInstallationStore
from adapters.slack.listeners import COMMAND, Body, Command, Listener, acked, command_job
from bot.app import outbox
from bot.app.journal import ABANDONED, RequestJournal
from bot.errors import UserFacingError

KIND = "slack_command"
PLATFORM = "slack"
# Slack takes replies at a command's response_url for 30 minutes.
GRACE = timedelta(minutes=25)
_FIELDS = ("workspace", "user", "user_name", "workspace_name", "channel", "text", "response_url", "request")

log = logging.getLogger(__name__)

Work = Callable[[Command], Awaitable[Outcome]]
TokenOf = Callable[[str], Awaitable[str | None]]


def register_command(
    app: AsyncApp, commands: CommandJournal, work: Work, runner: outbox.OutboxRunner, token_of: TokenOf
) -> None:
    """`/quiz`, journaled; its rows recovered by the delivery runner."""
    unreadable = acked("command", "command", command_job, work, Command._make, commands.background)
    app.command(COMMAND)(commands.listener(work, unreadable))
    runner.register(CommandRecovery(work, token_of, commands.background), grace=GRACE)


def token_lookup(bot_token: str | None, store: DatabaseInstallationStore | None) -> TokenOf:
    """A workspace's bot token when a command is recovered: the one token, or its installation's."""

    async def token_of(workspace: str) -> str | None:
        if store is None:
            return bot_token
        return (await store.bot_tokens([workspace])).get(workspace)

    return token_of


def payload(command: Command) -> dict[str, outbox.JsonValue]:
    """What a row keeps of a command: its fields but the bot token (looked up when recovered)."""
    return {name: getattr(command, name) for name in _FIELDS}


def command_of(row: outbox.Due, token: str | None) -> Command:
    fields: dict[str, Any] = {name: str(row.item.payload[name]) for name in _FIELDS}
    return Command(token=token, **fields)


class CommandJournal:
    def __init__(self, journal: RequestJournal, background: Background, budget: float) -> None:
        self.journal = journal
        self.background = background
        self.budget = budget

    def listener(self, work: Work, unreadable: Listener) -> Listener:
        """Journal, ack, queue the work (which marks the row done when it ends). A payload that
        cannot be read goes to `unreadable`; a refusal (busy, stopping) is the ack's text."""
        background, journal = self.background, self.journal

        async def journaled(command: Command) -> Outcome:
            """The work, then its row marked done; not when stopping cut it short: stopping
            tells its person, then marks the row abandoned (`RequestJournal.abandon_open`)."""
            try:
                return await work(command)
            finally:
                if not being_cancelled():
                    background.inflight.spawn(journal.end(command.request))

        route = background.route("command", "command", journaled, Command._make)

        async def listener(ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
            try:
                command = command_job(body, client)
            except Exception:
                await unreadable(ack, body, client)
                return
            refusal = background.refuse_early("command", command.workspace)
            if refusal is None:
                row = journal.begin(KIND, command.request, PLATFORM, payload(command))
                if await settled_within(row, self.budget) and not row.exception() and row.result() is None:
                    await ack()  # delivered twice: the first delivery carries it out
                    return
                refusal = background.offer(route, command)
                if refusal is not None:
                    background.inflight.spawn(journal.end(command.request, ABANDONED))
            await ack(text=refusal) if refusal is not None else await ack()

        return listener


class CommandRecovery:
    """The delivery table's handler of journaled commands whose process died before finishing."""

    kind = KIND

    def __init__(self, work: Work, token_of: TokenOf, background: Background) -> None:
        self.work = work
        self.token_of = token_of
        self.background = background

    async def deliver(self, due: outbox.Due) -> outbox.Outcome:
        workspace = str(due.item.payload["workspace"])
        token = await self.token_of(workspace)
        command = command_of(due, token)
        log.warning(
            "carrying out a /quiz command of %s acknowledged by a process that stopped before it "
            "finished (journal row %s)",
            workspace,
            due.id,
        )
        try:
            await self.work(command)
        except UserFacingError as error:
            await self._tell(command, str(error))
        except Exception:
            log.exception("a recovered Slack command failed (journal row %s)", due.id)
            await self._tell(command, FRIENDLY_FAILURE)
        return outbox.Outcome.SENT

    async def _tell(self, command: Command, text: str) -> None:
        try:
            await self.background.replies(command.response_url, blocks.reply_text(text))
        except Exception:
            log.exception("telling a Slack user that their recovered command failed failed too")
