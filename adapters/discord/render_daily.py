"""The question of the day as Discord shows it: a channel's subscription, and the reveal."""

from __future__ import annotations

import discord

from adapters.discord.markdown import safe
from adapters.discord.render import COLOUR, RIGHT, long_date, percent, shown_name
from bot.daily.models import DailyStatusReport, Reveal
from bot.daily.rules import format_time

WEEKDAY_NAMES = {"mon-sun": "every day", "mon-fri": "Monday to Friday", "sat,sun": "Saturday and Sunday"}
START = "/quiz-admin daily on"
NONE_HERE = f"No question of the day in this channel. A server manager can start one with {START}."


def weekdays(cron_days: str) -> str:
    return WEEKDAY_NAMES.get(cron_days, cron_days)


def status(report: DailyStatusReport, title: str = "Question of the day") -> discord.Embed:
    """Topic, time, days and reveal; the next post in the reader's own time zone, or why paused."""
    subscription = report.subscription
    if subscription is None:
        return discord.Embed(title=title, description=NONE_HERE, colour=COLOUR)
    embed = discord.Embed(title=title, colour=COLOUR)
    embed.add_field(name="Topic", value=subscription.topic_id or "all topics")
    embed.add_field(
        name="Time", value=f"{format_time(subscription.hour, subscription.minute)} {subscription.timezone}"
    )
    embed.add_field(name="Days", value=weekdays(subscription.weekdays))
    reveal = format_time(*subscription.reveal) if subscription.reveal else "with the next question"
    embed.add_field(name="Answer revealed", value=reveal)
    if subscription.paused_reason:
        embed.colour = discord.Colour.red()
        embed.add_field(
            name="Paused",
            value=f"{safe(subscription.paused_reason)}\nFix it, then turn it on again with {START}.",
            inline=False,
        )
    elif report.next_post is not None:
        unix = int(report.next_post.timestamp())
        embed.add_field(name="Next question", value=f"<t:{unix}:F> (<t:{unix}:R>)", inline=False)
    return embed


def reveal(result: Reveal) -> discord.Embed:
    """The answer, why, and how the channel did; names are shown, never pinged."""
    embed = discord.Embed(
        title=f"The answer to the question of the day — {long_date(result.daily_date)}",
        description=f"{safe(result.prompt)}\n\n**{safe(result.answer)}**\n{safe(result.explanation)}",
        colour=RIGHT,
    )
    embed.add_field(
        name="How the channel did",
        value=f"{result.answered} answered, {percent(result.share_correct)} correct",
        inline=False,
    )
    if result.first_correct:
        embed.add_field(
            name="First correct", value=", ".join(shown_name(n) for n in result.first_correct), inline=False
        )
    if result.teams:
        lines = (
            f"**{shown_name(t.name)}** · {t.answered} answered, {t.correct} correct" for t in result.teams
        )
        embed.add_field(name="Teams", value="\n".join(lines), inline=False)
    embed.set_footer(text=f"Source: {result.source}")
    return embed
