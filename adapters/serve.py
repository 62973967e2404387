"""`studybot serve`: every configured platform adapter, behind one HTTP server.

Each platform contributes a `Component`: routes on the shared aiohttp application (Slack's
events, OAuth) and/or background work (Discord's gateway connection). The core is built once
and shared by all of them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from aiohttp import web

from adapters.discord.config import discord_config, discord_configured
from adapters.slack.config import slack_config, slack_configured
from bot.bootstrap import build_service
from bot.service import QuizService
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


class Component(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def check_platforms(settings: Settings) -> None:
    """Stop on a bad platform setting before the database is opened."""
    if slack_configured(settings):
        slack_config(settings)
    if discord_configured(settings):
        discord_config(settings)


def build_components(settings: Settings, service: QuizService, app: web.Application) -> list[Component]:
    """The adapters the settings configure; a platform's modules are imported only when used."""
    components: list[Component] = []
    if slack_configured(settings):
        from adapters.slack.component import SlackComponent

        components.append(SlackComponent(slack_config(settings), service, app))
    if discord_configured(settings):
        from adapters.discord.component import DiscordComponent

        components.append(DiscordComponent(discord_config(settings), service))
    if not components:
        raise SettingsError(
            "no platform is configured: set SLACK_BOT_TOKEN (or SLACK_CLIENT_ID for OAuth installs) "
            "and SLACK_SIGNING_SECRET, or DISCORD_TOKEN"
        )
    return components


async def serve(settings: Settings, stop: asyncio.Event | None = None, host: str = "0.0.0.0") -> None:
    """Run until `stop` is set or SIGTERM/SIGINT arrives, then shut down in order."""
    stop = stop or asyncio.Event()
    check_platforms(settings)
    service = await build_service(settings)
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    try:
        components = build_components(settings, service, app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, settings.studybot_http_port)
        await site.start()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        for component in components:
            await component.start()
            log.info("%s started", component.name)
        log.info("serving on port %s", settings.studybot_http_port)
        await stop.wait()
        for component in reversed(components):
            await component.stop()
        await runner.cleanup()
    finally:
        await service.database.dispose()
