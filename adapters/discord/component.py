"""Discord as a `studybot serve` component: log in, sync the commands, keep the gateway open."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from adapters.discord.client import build_bot, sync_commands, use_endpoints
from adapters.discord.config import DiscordConfig
from adapters.discord.poster import DiscordPoster
from adapters.startup import Unreachable
from bot.bootstrap import Core
from bot.settings import SettingsError

DRAIN_SECONDS = 10.0

log = logging.getLogger(__name__)


class DiscordComponent:
    name = "discord"

    def __init__(self, config: DiscordConfig, core: Core) -> None:
        self.config = config
        self.bot = build_bot(config, core)
        self.client = self.bot.client
        self.poster: DiscordPoster = self.bot.poster
        self._connection: asyncio.Task[None] | None = None

    def ready(self) -> bool:
        """Connected to the gateway, past READY, and not closed."""
        return self.client.is_ready() and not self.client.is_closed()

    async def start(self) -> None:
        use_endpoints(self.config)
        try:
            await self.client.login(self.config.token)
            await sync_commands(self.bot.tree, self.config.guild_id)
        except BaseException as error:
            await self.client.close()
            if isinstance(error, discord.LoginFailure):
                raise SettingsError("DISCORD_TOKEN is not valid: Discord refused it") from error
            if isinstance(error, aiohttp.ClientConnectionError | OSError):
                raise Unreachable(
                    f"Discord cannot be reached at {discord.http.Route.BASE}: {error}"
                ) from error
            raise
        self._connection = asyncio.create_task(self.client.connect(), name="discord-gateway")
        self._connection.add_done_callback(_report_end)

    async def stop(self) -> None:
        """Let the interactions under way send their replies, then disconnect."""
        await self.bot.in_flight.drain(DRAIN_SECONDS)
        await self.client.close()
        if self._connection is not None:
            await asyncio.wait({self._connection})


def _report_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Discord gateway connection ended", exc_info=task.exception())
