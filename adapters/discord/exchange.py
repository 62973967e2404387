"""One interaction's replies: the initial response within Discord's three seconds, then followups.

Handlers defer before any work that touches the database (a command's journal row aside, written
within the ack budget: `command_journal`), so the initial response never waits long for it;
`guard` turns every failure into an ephemeral message for the user and a log line, and counts
the interaction once in the request metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Any

import discord

from adapters.discord.people import actor
from adapters.discord.turns import DiscordWork, ticket_to_wait_with
from adapters.work_queue import RESTARTING as RESTARTING  # Discord's tests name it here
from bot.app.commands import Commands, Notice, Reply
from bot.errors import Command as CommandName
from bot.errors import QuizError, UserFacingError
from bot.grammar import Command
from bot.metrics import REQUESTS

NO_MENTIONS = discord.AllowedMentions.none()
# The commands a refusal may point to, as this adapter's slash commands spell them.
COMMANDS = {
    CommandName.TEAM_JOIN: "/quiz-team join",
    CommandName.TEAM_CREATE: "/quiz-team create",
    CommandName.TEAM_LIST: "/quiz-team list",
    CommandName.TOPICS: "/quiz-topics",
    CommandName.DECK_LIST: "/quiz-admin deck list",
}
FRIENDLY_FAILURE = "Something went wrong on our side, sorry. Nothing was saved; please try again."
UNFINISHED = (
    "Studybot had to restart before it finished this, so it may not have been carried out. Please try again."
)
_COUNTED = "studybot.counted"
_KINDS = {
    discord.InteractionType.component: "action",
    discord.InteractionType.autocomplete: "autocomplete",
}

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    ERROR = "error"


def given(**parts: object) -> dict[str, Any]:
    """A message's optional parts (embed, view, file) that were given: discord.py's overloads
    want each keyword spelled out, so those left out are not passed at all."""
    return {name: part for name, part in parts.items() if part is not None}


def notice_text(notice: Notice) -> str:
    """A refusal of the core, in this adapter's spelling of the commands it points to."""
    return notice.text if notice.refusal is None else notice.refusal.said(COMMANDS)


def count(interaction: discord.Interaction, outcome: Outcome) -> None:
    """Count an interaction in `studybot_requests_total`, once however many paths report it."""
    if interaction.extras.get(_COUNTED):
        return
    interaction.extras[_COUNTED] = True
    kind = _KINDS.get(interaction.type, "command")
    REQUESTS.labels(platform="discord", kind=kind, outcome=outcome.value).inc()


class Exchange:
    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction
        self.outcome = Outcome.OK
        self._public_placeholder = False
        self.cut_short = False
        """Stopping cancelled the work (`guard`); `told_unfinished`: its person was told."""
        self.told_unfinished = False

    async def defer(self, *, ephemeral: bool) -> None:
        """Answer at once with a "thinking" placeholder that the next `send` replaces."""
        await self.interaction.response.defer(ephemeral=ephemeral, thinking=True)
        self._public_placeholder = not ephemeral

    async def send(
        self,
        content: str | None = None,
        *,
        ephemeral: bool,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
        file: discord.File | None = None,
    ) -> discord.Message | None:
        """Reply: as the initial response if there was none yet, else as a followup.

        An ephemeral reply right after a public placeholder removes the placeholder first, so only
        the user sees it; once a followup replaced the placeholder, nothing is removed. Returns the
        message when sent as a followup.
        """
        extra = given(embed=embed, view=view, file=file)
        if not self.interaction.response.is_done():
            await self.interaction.response.send_message(
                content, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra
            )
            return None
        if ephemeral and self._public_placeholder:
            await self.interaction.delete_original_response()
        self._public_placeholder = False
        # discord.py's overloads want each keyword spelled out; `extra` leaves out what was not given.
        return await self.interaction.followup.send(  # type: ignore[call-overload,no-any-return]
            content, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, wait=True, **extra
        )

    async def refuse(self, text: str) -> None:
        """Tell the user, only them, why the request was not carried out."""
        self.outcome = Outcome.REFUSED
        await self.send(text, ephemeral=True)

    async def execute(self, commands: Commands, command: Command) -> Reply:
        """Hand a command built from the interaction's typed options to the core; a refusal is
        sent at once (and returned, so the caller sends nothing more)."""
        channel = str(self.interaction.channel_id)
        reply = await commands.execute(actor(self.interaction), channel, command)
        if isinstance(reply, Notice):
            await self.refuse_notice(reply)
        return reply

    async def refuse_notice(self, notice: Notice) -> None:
        """A refusal of the core, in this adapter's spelling of the commands it points to."""
        await self.refuse(notice_text(notice))

    @asynccontextmanager
    async def guard(self, action: str) -> AsyncIterator[None]:
        """Acknowledged work waits for its turn in its server's queue, if the interaction check
        gave it one (work before the acknowledgement, which must come within Discord's three
        seconds, runs at once: a modal, a reply from memory, a name checked before deferring);
        then refusals reach the user as they are; any other error as a friendly line, and the
        log; work cut short by stopping (cancelled, waiting or under way) tells the user it may
        not have been done."""
        ticket = ticket_to_wait_with(self.interaction)
        try:
            async with contextlib.nullcontext() if ticket is None else ticket.turn():
                yield
        except asyncio.CancelledError:
            self.outcome = Outcome.ERROR
            self.cut_short = True
            told = False
            with contextlib.suppress(Exception):
                await self.send(UNFINISHED, ephemeral=True)
                told = True
            self.told_unfinished = told
            if ticket is not None:
                ticket.tell(told)
            raise
        except QuizError as error:
            await self.refuse(error.said(COMMANDS))
        except UserFacingError as error:
            await self.refuse(str(error))
        except Exception:
            self.outcome = Outcome.ERROR
            log.exception("discord %s failed (interaction %s)", action, self.interaction.id)
            await self.send(FRIENDLY_FAILURE, ephemeral=True)
        finally:
            count(self.interaction, self.outcome)


async def refused(interaction: discord.Interaction, work: DiscordWork) -> bool:
    """Answer a new interaction at once instead of starting its work, while the process is
    stopping ("restarting") or its server's queue is full ("busy"): seen by the user alone,
    counted as refused; True when it was refused. Autocomplete is never queued (it answers
    from memory), only emptied while stopping."""
    if interaction.type is discord.InteractionType.autocomplete:
        if not work.closed:
            return False
        count(interaction, Outcome.REFUSED)
        await interaction.response.autocomplete([])
        return True
    refusal = work.take_place(interaction)
    if refusal is None:
        return False
    count(interaction, Outcome.REFUSED)
    await Exchange(interaction).send(refusal, ephemeral=True)
    return True
