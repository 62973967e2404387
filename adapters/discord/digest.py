"""`/quiz-admin digest on|off|status`: the weekly digest on Discord (server managers only).

`on` turns its typed options into the words of the text grammar and parses them with
`bot.grammar_digest`, so Discord checks days, times and zones exactly as Slack does.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters.discord.command_journal import CommandJournal, Followups, Options
from adapters.discord.daily import complete_timezone
from adapters.discord.exchange import Exchange
from adapters.discord.turns import DiscordWork
from bot.app.commands import Commands
from bot.app.digest import DigestStatusReport
from bot.grammar_digest import DAY_NAMES, parse_digest

DAYS = [Choice(name=name.capitalize(), value=day) for day, name in DAY_NAMES.items()]


class DigestCommands:
    """Journaled before their defer (`command_journal`): the typed words in the row, parsed
    again by the one body of work for the live reply and for the recovery after a crash."""

    def __init__(self, commands: Commands, in_flight: DiscordWork, journal: CommandJournal) -> None:
        self.commands = commands
        self.in_flight = in_flight
        self.journal = journal
        journal.register("digest", self.carry_out, public=False)

    async def run(self, interaction: discord.Interaction, words: list[str]) -> None:
        """`words` as the text grammar has them (`on monday 09:00`, `off`, `status`); refused
        before anything is deferred when they do not parse."""
        command = parse_digest(words)
        if isinstance(command, str):
            exchange = Exchange(interaction)
            async with self.in_flight.track(), exchange.guard("digest"):
                await exchange.refuse(command)
            return
        await self.journal.run(interaction, "digest", {"words": list(words)}, self.in_flight)

    async def carry_out(self, replies: Exchange | Followups, options: Options) -> None:
        words = options["words"]
        command = parse_digest([str(word) for word in words] if isinstance(words, list) else [])
        if isinstance(command, str):
            await replies.refuse(command)
            return
        reply = await replies.execute(self.commands, command)
        if isinstance(reply, DigestStatusReport):
            await replies.send(reply.text, ephemeral=True)


def add_digest(admin: app_commands.Group, digest: DigestCommands) -> None:
    group = app_commands.Group(name="digest", description="The weekly digest in this channel", parent=admin)

    @group.command(name="on", description="Post the weekly digest in this channel")
    @app_commands.describe(
        weekday="Which day (Monday by default)",
        time="When, HH:MM on a 24-hour clock (09:00 by default)",
        timezone="The time zone of the time, e.g. Europe/Berlin (default: the server's)",
    )
    @app_commands.choices(weekday=DAYS)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def on(
        interaction: discord.Interaction,
        weekday: str | None = None,
        time: Range[str, 1, 20] | None = None,
        timezone: Range[str, 1, 100] | None = None,
    ) -> None:
        words = [word for word in (weekday, time, timezone) if word]
        await digest.run(interaction, ["on", *words])

    @on.autocomplete("timezone")
    async def complete_zone(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return complete_timezone(typed)

    @group.command(name="off", description="Stop the weekly digest in this channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def off(interaction: discord.Interaction) -> None:
        await digest.run(interaction, ["off"])

    @group.command(name="status", description="The weekly digest in this channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def status(interaction: discord.Interaction) -> None:
        await digest.run(interaction, ["status"])
