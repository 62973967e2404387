"""Study reminders through the Discord stand-in: a DM channel opened for the person, the message
sent there; a 403 (DMs closed) is reported closed (the core pauses them)."""

from __future__ import annotations

import asyncio
import bisect

from adapters.discord.component import DiscordComponent
from adapters.discord.pace import POSTS_PER_SECOND, Pace
from adapters.discord.reminders import DiscordReminders
from bot.app.reminders import DirectResult
from bot.learning_models import ReminderMessage
from tests.discord.stand_in import DiscordStandIn


async def test_a_reminder_is_sent_in_the_persons_dm_channel(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    reminders = DiscordReminders(discord_bot.bot.client, Pace(per_second=1000))
    assert await reminders.send_reminder("1", "4242", ReminderMessage(due=2, streak=5)) is DirectResult.SENT
    [opened] = stand_in.find("POST", r"/users/@me/channels")
    assert opened.body == {"recipient_id": 4242}
    dm = stand_in.dm_channels["4242"]
    [sent] = stand_in.find("POST", rf"/channels/{dm}/messages")
    assert sent.body["content"] == "2 cards are due for review. Your streak: 5. Start with /quiz-review"


async def test_closed_direct_messages_are_reported_closed(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    stand_in.fail("POST", r"/channels/\d+/messages", 403, 50007, "Cannot send messages to this user")
    reminders = DiscordReminders(discord_bot.bot.client, Pace(per_second=1000))
    assert await reminders.send_reminder("1", "4343", ReminderMessage(due=1, streak=0)) is DirectResult.CLOSED


DISCORD_GLOBAL_LIMIT = 50
"""Requests a second Discord takes from one bot, all routes together."""


def busiest_second(arrivals: list[float]) -> int:
    """The most requests that arrived within any one second."""
    times = sorted(arrivals)
    return max(bisect.bisect_left(times, start + 1.0) - index for index, start in enumerate(times))


async def test_a_burst_of_reminders_stays_under_discords_global_limit(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    """Each reminder to someone new is two requests (the DM channel, then the message): both take
    a turn of the pace (40 a second), so the stand-in sees no more than Discord takes in any second
    (with one turn for both: 80)."""
    reminders = DiscordReminders(discord_bot.bot.client, Pace())
    people = [str(5000 + n) for n in range(int(POSTS_PER_SECOND))]
    results = await asyncio.gather(
        *(reminders.send_reminder("1", person, ReminderMessage(due=1, streak=0)) for person in people)
    )
    assert set(results) == {DirectResult.SENT}
    opened = stand_in.find("POST", r"/users/@me/channels")
    sent = stand_in.find("POST", r"/channels/\d+/messages")
    assert len(opened) == len(sent) == len(people)
    assert busiest_second([request.at for request in opened + sent]) <= DISCORD_GLOBAL_LIMIT


async def test_a_persons_next_reminder_reuses_their_dm_channel(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    reminders = DiscordReminders(discord_bot.bot.client, Pace(per_second=1000))
    for _ in range(2):
        await reminders.send_reminder("1", "6060", ReminderMessage(due=1, streak=1))
    assert len(stand_in.find("POST", r"/users/@me/channels")) == 1
    assert len(stand_in.find("POST", rf"/channels/{stand_in.dm_channels['6060']}/messages")) == 2
