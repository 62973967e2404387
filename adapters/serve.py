"""`studybot serve`: every configured platform adapter, behind one HTTP server.

Each platform contributes a `Component`: routes on the shared aiohttp application (Slack's
events, OAuth) and/or background work (Discord's gateway connection). The core is built once
and shared by all of them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Protocol

from aiohttp import web

from adapters.discord.config import discord_config, discord_configured
from adapters.ops import add_routes, timed
from adapters.slack.config import slack_config, slack_configured
from bot.app.dashboard_model import Chart
from bot.app.digest import DigestPoster
from bot.app.outbox_job import OutboxJob
from bot.bootstrap import Core, build_core, freeze_long_lived, register_digest
from bot.clock import Clock, SystemClock
from bot.daily.leadership import Leadership, SoleLeader
from bot.daily.models import DailyPoster
from bot.daily.scheduler import DailyScheduler
from bot.daily.service import DailyService
from bot.dashboard_links import links_from
from bot.db.database import Database
from bot.db.leader import AdvisoryLockLeader
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


class Component(Protocol):
    name: str

    @property
    def poster(self) -> DailyPoster:
        """Posts the question of the day to this platform's channels."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def ready(self) -> bool:
        """Connected to the platform and able to take requests."""
        ...


def check_platforms(settings: Settings) -> None:
    """Stop on a bad platform setting before the database is opened."""
    if slack_configured(settings):
        slack_config(settings)
    if discord_configured(settings):
        discord_config(settings)
    if settings.studybot_dashboard:
        settings.dashboard_secret()


def build_components(settings: Settings, core: Core, app: web.Application) -> list[Component]:
    """The adapters the settings configure; a platform's modules are imported only when used."""
    components: list[Component] = []
    if slack_configured(settings):
        from adapters.slack.component import SlackComponent

        components.append(SlackComponent(slack_config(settings), core, app))
    if discord_configured(settings):
        from adapters.discord.component import DiscordComponent

        components.append(DiscordComponent(discord_config(settings), core))
    if not components and not settings.studybot_dashboard:
        raise SettingsError(
            "no platform is configured: set SLACK_BOT_TOKEN (or SLACK_CLIENT_ID for OAuth installs) "
            "and SLACK_SIGNING_SECRET, or DISCORD_TOKEN (or STUDYBOT_DASHBOARD=true for the dashboard alone)"
        )
    return components


def draw_png(chart: Chart, width: int, height: int) -> bytes:
    """The digest's chart (pygal is imported on the first digest, not at start-up)."""
    from adapters.web.charts import png

    return png(chart, width, height)


def add_dashboard(settings: Settings, core: Core, app: web.Application, clock: Clock) -> None:
    """The team dashboard's routes, when it is on (its modules and pygal are imported only then)."""
    if not settings.studybot_dashboard:
        return
    from adapters.web.app import DashboardRoutes

    DashboardRoutes(core.dashboard, links_from(settings), clock).add_to(app)


def leadership_for(database: Database) -> Leadership:
    """On PostgreSQL one process of many runs the scheduler; a SQLite file has one process."""
    return SoleLeader() if database.is_sqlite else AdvisoryLockLeader(database.engine)


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    host: str = "0.0.0.0",
    clock: Clock | None = None,
    started: Callable[[DailyService], None] | None = None,
) -> None:
    """Run until `stop` is set or SIGTERM/SIGINT arrives, then shut down in order: the
    scheduler first, then each platform (finishing the work it acknowledged), then HTTP.

    `clock` and `started` are for tests: a frozen clock, and a callback given the question of
    the day's service once everything runs, so a test can post what falls due by hand."""
    stop = stop or asyncio.Event()
    check_platforms(settings)
    core = await build_core(settings, clock)
    app = web.Application(middlewares=[timed])
    try:
        components = build_components(settings, core, app)
        for component in components:
            core.daily.posters[component.name] = component.poster
            core.outbox.deliver_to(component.name)
        posters = {c.name: c.poster for c in components if isinstance(c.poster, DigestPoster)}
        register_digest(core, posters, draw_png)
        outbox_job = OutboxJob(core.outbox, settings.studybot_outbox_check_seconds)
        scheduler = DailyScheduler(
            core.daily, core.uow, leadership_for(core.database), settings.studybot_scheduler_check_seconds
        )
        checks = [(c.name, c.ready) for c in components] + [("scheduler", scheduler.ready)]
        add_routes(app, core.database.ping, checks)
        add_dashboard(settings, core, app, clock or SystemClock())
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
        await scheduler.start()
        outbox_job.start()
        freeze_long_lived()
        if started is not None:
            started(core.daily)
        log.info("serving on port %s", settings.studybot_http_port)
        await stop.wait()
        log.info("stopping")
        outbox_job.stop()
        await scheduler.stop()
        for component in reversed(components):
            await component.stop()
        await runner.cleanup()
    finally:
        await core.close()
