"""`studybot serve`: every configured platform adapter, behind one HTTP server.

Each platform contributes a `Component`: routes on the shared aiohttp application (Slack's
events, OAuth) and/or background work (Discord's gateway connection). The core is built once
and shared by all of them.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable
from typing import Protocol

from aiohttp import web

from adapters import early_signals
from adapters.discord.config import discord_config, discord_configured
from adapters.http_guard import ConnectionGuard, connection_cap, listen, raise_file_limit
from adapters.inflight import within
from adapters.ops import ReadyCheck, add_routes, timed
from adapters.rejections import MalformedHttp, RejectionLog
from adapters.scheduling import schedulers_for
from adapters.slack.config import slack_config, slack_configured
from adapters.startup import Unreachable
from bot.app.dashboard_model import Chart
from bot.app.digest import DigestPoster
from bot.app.outbox_job import OutboxJob
from bot.bootstrap import Core, build_core, freeze_long_lived, register_digest
from bot.clock import Clock, SystemClock
from bot.daily.models import DailyPoster
from bot.daily.scheduler import DailyScheduler
from bot.daily.service import DailyService
from bot.dashboard_links import links_from
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

# The last seconds of the stop grace (at most a fifth of it) go to closing the HTTP server and the
# database: the platforms finish their work by then.
CLOSE_RESERVE_SECONDS = 2.0


class Component(Protocol):
    name: str

    @property
    def poster(self) -> DailyPoster:
        """Posts the question of the day to this platform's channels."""
        ...

    async def start(self) -> None: ...

    def refuse_new_work(self) -> None:
        """Stopping: answer new requests "restarting" instead of taking them."""
        ...

    async def stop(self, deadline: float) -> None:
        """Finish the work taken, then disconnect; never past `deadline` (the loop's clock)."""
        ...

    def readiness(self) -> dict[str, bool]:
        """Connected to the platform and able to take requests, by check name."""
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


class Lifecycle:
    """Whether the process still takes work: /readyz turns 503 the moment stopping begins."""

    def __init__(self, components: list[Component]) -> None:
        self.components = components
        self.stopping = False

    def begin_stopping(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for component in self.components:
            component.refuse_new_work()

    def accepting(self) -> bool:
        return not self.stopping


async def _start(lifecycle: Lifecycle, schedulers: list[DailyScheduler], outbox_job: OutboxJob) -> None:
    for component in lifecycle.components:
        await component.start()
        log.info("%s started", component.name)
    for scheduler in schedulers:
        await scheduler.start()
    outbox_job.start()


async def _started_unless_stopped(starting: asyncio.Task[None], stop: asyncio.Event, grace: float) -> bool:
    """Wait for start-up, or give it up when asked to stop meanwhile (a platform that cannot be
    reached would otherwise hold the process for as long as it retries)."""
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if starting.done():
        stopping.cancel()
        starting.result()
        return True
    starting.cancel()
    await asyncio.wait({starting}, timeout=grace)
    log.info("stopped while starting")
    return False


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    host: str = "0.0.0.0",
    clock: Clock | None = None,
    started: Callable[[DailyService], None] | None = None,
) -> None:
    """Run until `stop` is set or SIGTERM/SIGINT arrives, then shut down in order within
    STUDYBOT_STOP_GRACE_SECONDS: /readyz turns 503 and new work is refused at once; the
    delivery table's job and the scheduler stop, then each platform finishes the work it
    acknowledged (what cannot finish is counted and its users told), then HTTP. A second signal
    while stopping cancels it all at once (asyncio.CancelledError out of here), for whoever
    pressed Ctrl-C twice.

    `clock` and `started` are for tests: a frozen clock, and a callback given the question of
    the day's service once everything runs, so a test can post what falls due by hand."""
    stop = stop or asyncio.Event()
    close_by: float | None = None  # the end of the stop grace, once stopping began
    check_platforms(settings)
    core = await build_core(settings, clock)
    file_limit = raise_file_limit()
    guard = ConnectionGuard(connection_cap(settings.studybot_http_max_connections, file_limit))
    app = web.Application(middlewares=[guard.middleware, timed])
    grace = settings.studybot_stop_grace_seconds
    malformed = MalformedHttp(RejectionLog())
    logging.getLogger("aiohttp.server").addFilter(malformed)
    try:
        components = build_components(settings, core, app)
        for component in components:
            core.daily.posters[component.name] = component.poster
            core.outbox.deliver_to(component.name)
        posters = {c.name: c.poster for c in components if isinstance(c.poster, DigestPoster)}
        register_digest(core, posters, draw_png, core.commands.dashboard_links)
        outbox_job = OutboxJob(core.outbox, settings.studybot_outbox_check_seconds)
        schedulers = schedulers_for(settings, core, [c.name for c in components])
        lifecycle = Lifecycle(components)
        add_routes(app, core.database.probe_write, _checks(lifecycle, schedulers, outbox_job))
        add_dashboard(settings, core, app, clock or SystemClock())
        runner = web.AppRunner(
            app,
            access_log=None,
            keepalive_timeout=settings.studybot_http_header_timeout_seconds,
            shutdown_timeout=min(grace, 5.0),
            # A request turned away before its body was read (too slow, too large) closes its
            # connection at once, instead of aiohttp reading the rest for up to 10 s more.
            lingering_time=0.0,
        )
        await runner.setup()
        loop = asyncio.get_running_loop()
        try:
            listener = await listen(runner, guard, host, settings.studybot_http_port)
        except OSError as error:
            # The port is taken or refused: close what was opened (the platforms' sessions), then
            # say so in one line (`studybot` prints it).
            deadline = loop.time() + 1.0
            for component in components:
                await within(component.stop(deadline), deadline + 1.0, f"stopping {component.name}")
            await runner.cleanup()
            why = "the port is already in use" if error.errno == errno.EADDRINUSE else error.strerror
            raise Unreachable(
                f"cannot serve HTTP on {host}:{settings.studybot_http_port}: {why or error} "
                "(STUDYBOT_HTTP_PORT chooses another port)"
            ) from error

        main = asyncio.current_task()

        def on_signal() -> None:
            if lifecycle.stopping and main is not None:
                log.warning("a second signal: stopping at once, without finishing the work under way")
                main.cancel()
                return
            lifecycle.begin_stopping()
            stop.set()

        for signum in early_signals.STOP_SIGNALS:
            loop.add_signal_handler(signum, on_signal)
        if early_signals.received():
            log.info("a stop signal arrived while starting")
            on_signal()
        starting = asyncio.ensure_future(_start(lifecycle, schedulers, outbox_job))
        if await _started_unless_stopped(starting, stop, grace):
            freeze_long_lived()
            if started is not None:
                started(core.daily)
            log.info(
                "serving on port %s (at most %d connections, open-file limit %d)",
                settings.studybot_http_port,
                guard.cap,
                file_limit,
            )
            await stop.wait()
        lifecycle.begin_stopping()
        close_by = loop.time() + grace
        deadline = close_by - min(CLOSE_RESERVE_SECONDS, grace / 5)
        log.info("stopping")
        await _stop_jobs(outbox_job, schedulers, loop.time() + grace / 3)
        for component in reversed(components):
            await within(component.stop(deadline), close_by, f"stopping {component.name}")
        listener.close()
        await within(runner.cleanup(), close_by, "closing the HTTP server")
    finally:
        logging.getLogger("aiohttp.server").removeFilter(malformed)
        if close_by is None:
            await core.close()
        else:
            await within(core.close(), close_by, "closing the database")


async def _stop_jobs(outbox_job: OutboxJob, schedulers: list[DailyScheduler], deadline: float) -> None:
    """Stop the delivery job and the schedulers at once, each letting its run under way send
    and record what it holds until `deadline`; those never started have nothing to stop."""
    await asyncio.gather(
        within(outbox_job.stop(), deadline, "stopping the delivery job"),
        *(within(s.stop(), deadline, f"stopping the scheduler of {s.platform}") for s in schedulers),
    )


def _checks(
    lifecycle: Lifecycle, schedulers: list[DailyScheduler], outbox_job: OutboxJob
) -> list[tuple[str, ReadyCheck]]:
    """/readyz: not stopping, each platform's own checks, the schedulers and the delivery job."""
    checks: list[tuple[str, ReadyCheck]] = [("accepting", lifecycle.accepting)]
    for component in lifecycle.components:
        for name in component.readiness():
            checks.append((name, _one_of(component, name)))
    return [*checks, ("scheduler", lambda: outbox_job.ready() and all(s.ready() for s in schedulers))]


def _one_of(component: Component, name: str) -> ReadyCheck:
    return lambda: component.readiness()[name]
