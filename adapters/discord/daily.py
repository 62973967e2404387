"""The question of the day commands: `/quiz-admin daily on|off|status` and `/quiz-daily`.

`on` turns its options back into the core's text grammar
(`daily on [TOPIC|all] at HH:MM [TIMEZONE] [WEEKDAYS] [reveal HH:MM]`), so the core parses and
checks times, zones, days and topics and words the messages. Each option becomes exactly one
word of that text, so no option can smuggle in another.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

import discord
from discord.app_commands import Choice

from adapters.discord import render_daily
from adapters.discord.exchange import COMMANDS, Exchange
from adapters.discord.people import actor, place
from adapters.inflight import InFlight
from bot.commands import DailyStopped, Notice, run
from bot.daily.models import DailyStatusReport
from bot.daily.service import DailyService
from bot.service import QuizService

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


def daily_on_text(
    topic: str | None, time: str, timezone: str | None, weekdays: str | None, reveal: str | None
) -> str:
    """The options as the core's grammar; a time zone typed with spaces gets underscores."""
    words = ["daily", "on", _word(topic or ALL_TOPICS, " "), "at", _word(time)]
    if timezone:
        words.append(_word(timezone, "_"))
    if weekdays:
        words.append(_word(weekdays))
    if reveal:
        words += ["reveal", _word(reveal)]
    return " ".join(words)


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
    def __init__(self, service: QuizService, daily: DailyService, in_flight: InFlight) -> None:
        self.service = service
        self.daily = daily
        self.in_flight = in_flight

    def complete_topic(self, typed: str) -> list[Choice[str]]:
        everything = Choice(name="all · every topic", value=ALL_TOPICS)
        topics = [
            Choice(name=f"{t.id} · {t.name}"[:100], value=t.id)
            for t in self.service.complete_topic(typed, MAX_CHOICES - 1)
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
        exchange = Exchange(interaction)
        await exchange.defer(ephemeral=True)
        async with self.in_flight.track(), exchange.guard("daily on"):
            text = daily_on_text(topic, time, timezone, weekdays, reveal)
            reply = await run(self.service, actor(interaction), str(interaction.channel_id), text, self.daily)
            match reply:
                case DailyStatusReport():
                    embed = render_daily.status(reply, "The question of the day is on here")
                    await exchange.send(ephemeral=True, embed=embed)
                case Notice(message, refusal):
                    await exchange.refuse(message if refusal is None else refusal.said(COMMANDS))
                case _:
                    raise AssertionError(f"daily on answered {reply!r}")

    async def off(self, interaction: discord.Interaction) -> None:
        exchange = Exchange(interaction)
        await exchange.defer(ephemeral=True)
        async with self.in_flight.track(), exchange.guard("daily off"):
            await self.daily.unsubscribe(actor(interaction), str(interaction.channel_id))
            await exchange.send(DailyStopped.text, ephemeral=True)

    async def status(self, interaction: discord.Interaction) -> None:
        exchange = Exchange(interaction)
        await exchange.defer(ephemeral=True)
        async with self.in_flight.track(), exchange.guard("daily status"):
            report = await self.daily.status(place(interaction))
            await exchange.send(ephemeral=True, embed=render_daily.status(report))
