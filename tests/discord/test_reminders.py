"""Study reminders through the Discord stand-in: a DM channel opened for the person, the message
sent there; a 403 (DMs closed) is reported closed (the core pauses them)."""

from __future__ import annotations

from adapters.discord.component import DiscordComponent
from adapters.discord.pace import Pace
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
