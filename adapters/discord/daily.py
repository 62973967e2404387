"""The question of the day commands: `/quiz-admin daily on|off|status` and `/quiz-daily`.

`on` builds the core's `DailyOn` command from its typed options (`bot.grammar.daily_on` checks
times, zones and days as the text grammar does); the core decides who may run it.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

import discord
from discord.app_commands import Choice

from adapters.discord import people, render_daily
from adapters.discord.command_journal import CommandJournal, Followups, Options
from adapters.discord.exchange import Exchange
from adapters.discord.turns import DiscordWork
from bot.app.commands import Commands, DailyStopped
from bot.app.quiz import QuizService
from bot.daily.models import DailyStatusReport
from bot.grammar import DailyOff, DailyStatus, daily_on

MAX_CHOICES = 25
ALL_TOPICS = "all"
WEEKDAYS = (
    Choice(name="every day", value="daily"),
    Choice(name="weekdays (Monday to Friday)", value="mon-fri"),
    Choice(name="weekends (Saturday and Sunday)", value="sat,sun"),
)


@cache
def timezones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _word(text: str, joiner: str = "") -> str:
    return joiner.join(text.split())


def complete_timezone(typed: str) -> list[Choice[str]]:
    """Zones containing what was typed (any case, spaces as underscores), those starting so first."""
    key = _word(typed, "_").casefold()
    matches = [zone for zone in timezones() if key in zone.casefold()]
    matches.sort(key=lambda zone: not zone.casefold().startswith(key))
    return [Choice(name=zone, value=zone) for zone in matches[:MAX_CHOICES]]


def complete_weekdays(typed: str) -> list[Choice[str]]:
    """The usual choices, and what was typed as it is (`mon,wed,fri`) when it is none of them."""
    key = typed.strip().casefold()
    presets = [c for c in WEEKDAYS if key in c.name.casefold() or key in c.value]
    if key and all(c.value != key for c in WEEKDAYS):
        return [Choice(name=typed.strip()[:100], value=typed.strip()[:100]), *presets]
    return presets


class DailyCommands:
    """Each journaled before its defer (`command_journal`, options in the row), one body of work
    for the live reply and for the recovery after a crash."""

    def __init__(
        self, quiz: QuizService, commands: Commands, in_flight: DiscordWork, journal: CommandJournal
    ) -> None:
        self.quiz = quiz
        self.commands = commands
        self.in_flight = in_flight
        self.journal = journal
        journal.register("daily on", self.turn_on, public=False)
        journal.register("daily off", self.turn_off, public=False)
        journal.register("daily status", self.show_status, public=False)

    async def complete_topic(self, interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        everything = Choice(name="all · every topic", value=ALL_TOPICS)
        topics = [
            Choice(name=f"{t.id} · {t.name}"[:100], value=t.id)
            for t in await self.quiz.complete_topic(people.place(interaction), typed, MAX_CHOICES - 1)
        ]
        return [everything, *topics] if ALL_TOPICS.startswith(typed.strip().casefold()) else topics

    async def on(
        self,
        interaction: discord.Interaction,
        topic: str | None,
        time: str,
        timezone: str | None,
        weekdays: str | None,
        reveal: str | None,
    ) -> None:
        options = {"topic": topic, "time": time, "timezone": timezone, "weekdays": weekdays, "reveal": reveal}
        await self.journal.run(interaction, "daily on", options, self.in_flight)

    async def turn_on(self, replies: Exchange | Followups, options: Options) -> None:
        def text(name: str) -> str | None:
            value = options.get(name)
            return value if isinstance(value, str) else None

        time = str(options["time"])
        command = daily_on(text("topic"), time, text("timezone"), text("weekdays"), text("reveal"))
        reply = await replies.execute(self.commands, command)
        if isinstance(reply, DailyStatusReport):
            embed = render_daily.status(reply, "The question of the day is on here")
            await replies.send(ephemeral=True, embed=embed)

    async def off(self, interaction: discord.Interaction) -> None:
        await self.journal.run(interaction, "daily off", {}, self.in_flight)

    async def turn_off(self, replies: Exchange | Followups, _options: Options) -> None:
        reply = await replies.execute(self.commands, DailyOff())
        if isinstance(reply, DailyStopped):
            await replies.send(reply.text, ephemeral=True)

    async def status(self, interaction: discord.Interaction) -> None:
        """`/quiz-admin daily status` and `/quiz-daily`."""
        await self.journal.run(interaction, "daily status", {}, self.in_flight)

    async def show_status(self, replies: Exchange | Followups, _options: Options) -> None:
        report = await replies.execute(self.commands, DailyStatus())
        if isinstance(report, DailyStatusReport):
            await replies.send(ephemeral=True, embed=render_daily.status(report))
