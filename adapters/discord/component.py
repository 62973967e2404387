"""Discord as a `studybot serve` component: log in, sync the commands, keep the gateway open."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from adapters.discord.client import build_bot, sync_commands, use_endpoints
from adapters.discord.config import DiscordConfig
from adapters.discord.poster import DiscordPoster
from adapters.inflight import within
from adapters.startup import Unreachable
from bot.bootstrap import Core
from bot.settings import SettingsError

# The last seconds of the stop grace (at most a quarter of it) go to telling the people whose
# interactions could not be finished.
TELL_RESERVE_SECONDS = 3.0

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

    def readiness(self) -> dict[str, bool]:
        """Connected, and the queue of acknowledged work has room (not ready while it is full)."""
        return {self.name: self.ready(), "discord_queue": self.bot.in_flight.queue.has_room()}

    def refuse_new_work(self) -> None:
        """Stopping: new interactions are answered "restarting" at once."""
        self.bot.in_flight.closed = True

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

    async def stop(self, deadline: float) -> None:
        """Let the queued interactions and those under way finish until `deadline` (the loop's
        clock), less the last seconds kept for telling the people whose work was cut short
        (counted exactly in the log); then disconnect. A gateway or API that does not answer
        holds nothing up past `deadline`."""
        loop = asyncio.get_running_loop()
        self.refuse_new_work()
        wind_down = min(TELL_RESERVE_SECONDS, max(0.0, deadline - loop.time()) / 4)
        await self.bot.in_flight.queue.drain(deadline - wind_down, deadline)
        await self.bot.in_flight.drain(
            max(0.0, deadline - loop.time() - wind_down), "interactions", wind_down
        )
        await within(self.client.close(), deadline, "closing the Discord connection")
        connection = self._connection
        if connection is not None and not await within(asyncio.wait({connection}), deadline, "the gateway"):
            connection.cancel()
        await self.bot.commands.finish(deadline)


def _report_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Discord gateway connection ended", exc_info=task.exception())
