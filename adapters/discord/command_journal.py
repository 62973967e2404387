"""Deferred slash commands journaled before their defer (issue 13, point 1: an acknowledgement
is a promise).

A command whose work is deferred is first written as a row of the delivery table, claimed by this
process (`bot.app.journal`, the journal Slack's commands use too), with what is needed to finish
it elsewhere: the interaction's application id and token (its followup webhook, valid for 15
minutes, hence the grace window), the server, channel and person, and the command with its
options. The interaction is deferred once the row is committed, or once the ack budget
(STUDYBOT_ACK_BUDGET_SECONDS) has passed, whichever comes first. The row is marked done when the
work ends; abandoned when stopping cut the work short and its person was told.

If the process dies first, the row's lease runs out and `CommandRecovery`, the delivery table's
handler for these rows, carries the command out in whichever Discord process claims it: the
result goes out as the interaction's followup (POST /webhooks/{application_id}/{token}), which
replaces the "thinking" placeholder; a failure tells the person in plain words.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

import discord

from adapters.discord.exchange import COMMANDS, FRIENDLY_FAILURE, NO_MENTIONS, Exchange, given, notice_text
from adapters.discord.people import PLATFORM, actor
from adapters.discord.turns import DiscordWork
from adapters.inflight import InFlight, settled_within
from bot.app import outbox
from bot.app.commands import Commands, Notice, Reply
from bot.app.journal import ABANDONED, DONE, RequestJournal
from bot.errors import QuizError, UserFacingError
from bot.grammar import Command
from bot.models import Actor

KIND = "discord_command"
# Discord takes an interaction's followups for 15 minutes.
GRACE = timedelta(minutes=14)

log = logging.getLogger(__name__)

Options = Mapping[str, outbox.JsonValue]


class Followups:
    """An interaction's replies once the process that deferred it is gone: followups through the
    interaction's webhook. The same calls as `Exchange` after its defer, so one body of work
    serves both."""

    def __init__(self, webhook: discord.Webhook, who: Actor, channel: str, public: bool) -> None:
        self.webhook = webhook
        self.actor = who
        self.channel = channel
        self._public_placeholder = public

    async def send(
        self,
        content: str | None = None,
        *,
        ephemeral: bool,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
        file: discord.File | None = None,
    ) -> discord.WebhookMessage:
        """A followup; an ephemeral one right after a public placeholder removes it first, as
        `Exchange.send` does, so only the person sees it. `file` goes with it (a deck export)."""
        if ephemeral and self._public_placeholder:
            await self.webhook.delete_message("@original")  # type: ignore[arg-type]  # Discord's alias
        self._public_placeholder = False
        extra = given(embed=embed, view=view, file=file)
        return await self.webhook.send(
            content or "", ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, wait=True, **extra
        )

    async def refuse(self, text: str) -> None:
        await self.send(text, ephemeral=True)

    async def execute(self, commands: Commands, command: Command) -> Reply:
        reply = await commands.execute(self.actor, self.channel, command)
        if isinstance(reply, Notice):
            await self.refuse(notice_text(reply))
        return reply


Work = Callable[[Exchange | Followups, Options], Awaitable[None]]


class CommandJournal:
    """Journals deferred commands, and carries out those of a process that died."""

    def __init__(self, journal: RequestJournal, budget: float) -> None:
        self.journal = journal
        self.budget = budget
        self.works: dict[str, tuple[Work, bool]] = {}
        self.marks = InFlight("Discord")
        """The rows' marks being written: stopping waits for them (`finish`), not counting
        them among the interactions unfinished, whose people already have their answer."""

    def register(self, name: str, work: Work, *, public: bool) -> None:
        """`name`'s work, carried out again from its options after a crash; `public`: deferred
        with a placeholder the channel sees."""
        self.works[name] = (work, public)

    async def run(
        self, interaction: discord.Interaction, name: str, options: Options, work: DiscordWork
    ) -> None:
        """Journal and defer the command, then carry it out in its turn (`Exchange.guard`, named
        after the command), and mark its row when it ends."""
        exchange = Exchange(interaction)
        await self.defer(exchange, name, options)
        carry_out, _ = self.works[name]
        try:
            async with work.track(), exchange.guard(name):
                await carry_out(exchange, options)
        finally:
            self.end(exchange)

    async def defer(self, exchange: Exchange, name: str, options: Options) -> None:
        """Journal the command, then defer it (within the ack budget, journaled or not)."""
        interaction = exchange.interaction
        key = str(interaction.id)
        _, public = self.works[name]
        row = self.journal.begin(KIND, key, PLATFORM, payload(interaction, name, options))
        await settled_within(row, self.budget)
        try:
            await exchange.defer(ephemeral=not public)
        except BaseException:
            await self.journal.end(key, ABANDONED)  # never acknowledged: nothing was promised
            raise

    def end(self, exchange: Exchange) -> None:
        """The work ended: mark its row done, or abandoned when stopping cut it short and its
        person was told (left open when they could not be, for another process to carry out)."""
        key = str(exchange.interaction.id)
        if not exchange.cut_short:
            self.marks.spawn(self.journal.end(key, DONE))
        elif exchange.told_unfinished:
            self.marks.spawn(self.journal.end(key, ABANDONED))

    async def finish(self, deadline: float) -> None:
        """Stopping: wait for the marks being written until `deadline` (the loop's clock); a
        row left unmarked is carried out again by another process."""
        await self.marks.drain(max(0.0, deadline - asyncio.get_running_loop().time()), "journal marks")
        self.journal.close()


def payload(interaction: discord.Interaction, name: str, options: Options) -> dict[str, outbox.JsonValue]:
    who = actor(interaction)
    return {
        "application_id": str(interaction.application_id),
        "token": interaction.token,
        "workspace": who.workspace,
        "workspace_name": who.workspace_name,
        "channel": str(interaction.channel_id),
        "user": who.user,
        "user_name": who.display_name,
        "is_admin": who.is_admin,
        "command": name,
        "options": dict(options),
    }


class CommandRecovery:
    """The delivery table's handler of journaled commands whose process died before finishing."""

    kind = KIND

    def __init__(self, commands: CommandJournal, client: discord.Client) -> None:
        self.commands = commands
        self.client = client

    async def deliver(self, due: outbox.Due) -> outbox.Outcome:
        fields = due.item.payload
        name = str(fields["command"])
        work, public = self.commands.works[name]
        who = Actor(
            platform=PLATFORM,
            workspace=str(fields["workspace"]),
            user=str(fields["user"]),
            display_name=str(fields["user_name"]),
            workspace_name=str(fields["workspace_name"]),
            is_admin=bool(fields["is_admin"]),
        )
        webhook = discord.Webhook.from_state(
            {"id": int(str(fields["application_id"])), "type": 3, "token": str(fields["token"])},
            state=self.client._connection,
        )
        replies = Followups(webhook, who, str(fields["channel"]), public)
        log.warning(
            "carrying out a Discord /%s command of %s deferred by a process that stopped before it "
            "finished (journal row %s)",
            name,
            who.workspace,
            due.id,
        )
        options = fields["options"]
        try:
            await work(replies, options if isinstance(options, dict) else {})
        except QuizError as error:
            await _tell(replies, error.said(COMMANDS))
        except UserFacingError as error:
            await _tell(replies, str(error))
        except Exception:
            log.exception("a recovered Discord command failed (journal row %s)", due.id)
            await _tell(replies, FRIENDLY_FAILURE)
        return outbox.Outcome.SENT


async def _tell(replies: Followups, text: str) -> None:
    try:
        await replies.refuse(text)
    except Exception:
        log.exception("telling a Discord user that their recovered command failed failed too")
