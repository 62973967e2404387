"""`/quiz-admin digest on|off|status`: the weekly digest on Discord (server managers only).

`on` turns its typed options into the words of the text grammar and parses them with
`bot.grammar_digest`, so Discord checks days, times and zones exactly as Slack does.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters.discord.daily import complete_timezone
from adapters.discord.exchange import Exchange
from adapters.inflight import InFlight
from bot.app.commands import Commands
from bot.app.digest import DigestStatusReport
from bot.grammar_digest import DAY_NAMES, DigestCommand, DigestOff, DigestStatus, parse_digest

DAYS = [Choice(name=name.capitalize(), value=day) for day, name in DAY_NAMES.items()]


class DigestCommands:
    def __init__(self, commands: Commands, in_flight: InFlight) -> None:
        self.commands = commands
        self.in_flight = in_flight

    async def run(self, interaction: discord.Interaction, command: DigestCommand | str) -> None:
        exchange = Exchange(interaction)
        async with self.in_flight.track(), exchange.guard("digest"):
            if isinstance(command, str):
                await exchange.refuse(command)
                return
            await exchange.defer(ephemeral=True)
            reply = await exchange.execute(self.commands, command)
            if isinstance(reply, DigestStatusReport):
                await exchange.send(reply.text, ephemeral=True)


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
        await digest.run(interaction, parse_digest(["on", *words]))

    @on.autocomplete("timezone")
    async def complete_zone(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return complete_timezone(typed)

    @group.command(name="off", description="Stop the weekly digest in this channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def off(interaction: discord.Interaction) -> None:
        await digest.run(interaction, DigestOff())

    @group.command(name="status", description="The weekly digest in this channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def status(interaction: discord.Interaction) -> None:
        await digest.run(interaction, DigestStatus())
