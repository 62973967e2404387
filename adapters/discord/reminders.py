"""Study reminders through Discord: a direct message (the DM channel discord.py opens with
`create_dm`), paced with the daily poster's posts. Discord refusing it for good (403, e.g.
50007 "Cannot send messages to this user": the person closed DMs from server members) pauses
the person's reminders; anything else after discord.py's own retries is tried again later."""

from __future__ import annotations

import discord

from adapters import learning_text
from adapters.discord.exchange import NO_MENTIONS
from adapters.discord.pace import Pace
from bot.app.reminders import DirectResult
from bot.learning_models import ReminderMessage


class DiscordReminders:
    """`DirectMessages` for Discord.

    Every request takes its own turn of the pace (Discord's global limit counts requests, not
    messages): opening the DM channel is one, sending is another. The channel opened for a
    person is remembered (discord.py keeps only the latest 128), so a person's later reminders
    are one request each."""

    def __init__(self, client: discord.Client, pace: Pace) -> None:
        self.client = client
        self.pace = pace
        self._dm_channels: dict[str, int] = {}

    async def send_reminder(self, workspace: str, user: str, reminder: ReminderMessage) -> DirectResult:
        text = learning_text.reminder(reminder).replace("/quiz review", "/quiz-review")
        try:
            channel = await self._dm_channel(user)
            await self.pace.turn()
            await channel.send(text, allowed_mentions=NO_MENTIONS)
        except (discord.Forbidden, discord.NotFound):
            return DirectResult.CLOSED
        except discord.HTTPException:
            return DirectResult.RETRY
        return DirectResult.SENT

    async def _dm_channel(self, user: str) -> discord.abc.Messageable:
        known = self._dm_channels.get(user)
        if known is not None:
            return self.client.get_partial_messageable(known, type=discord.ChannelType.private)
        await self.pace.turn()
        opened = await self.client.create_dm(discord.Object(id=int(user)))
        self._dm_channels[user] = opened.id
        return opened
