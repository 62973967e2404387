"""The Slack component of `studybot serve`: routes on the shared HTTP server, or Socket Mode."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.inflight import InFlight, within
from adapters.rejections import RejectionLog
from adapters.slack.app import build_app, web_client
from adapters.slack.background import Background, Replies
from adapters.slack.command_journal import CommandJournal
from adapters.slack.config import SlackConfig, Transport
from adapters.slack.daily_poster import SlackDailyPoster
from adapters.slack.gate import Gate
from adapters.slack.gate import handler as gate_handler
from adapters.slack.installs import DatabaseInstallationStore
from adapters.slack.listeners import count_updates, shed_refused
from adapters.slack.pacing import ChannelPacer, WorkspaceLimiter
from adapters.slack.recordings import RECORDING_LIMIT, Recordings
from adapters.slack.reminders import SlackReminders
from adapters.work_queue import WORK_SLOTS
from bot.app.journal import RequestJournal
from bot.bootstrap import Core

EVENTS_PATH = "/slack/events"
# The last seconds of the stop grace (at most a quarter of it) go to telling the people whose
# requests could not be finished.
TELL_RESERVE_SECONDS = 3.0
# Web API calls and response_url replies; slack_sdk gives each call its own timeout too.
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)
# Connections to Slack at once: one for every work slot and every refusal being told, and as
# many again for answer-count updates and posts, so no piece of work waits for a connection
# behind another workspace's (aiohttp's default pool of 100, fewer than the 128 slots, made
# another workspace's reply queue behind a flood's for a slow Slack's answer time and more).
SLACK_CONNECTIONS = 2 * WORK_SLOTS


def mount(
    bolt: AsyncApp,
    web_app: web.Application,
    config: SlackConfig,
    background: Background,
    recordings: Recordings,
) -> None:
    """`/slack/events` for commands, clicks and events, behind the gate that checks signatures
    and bodies (Bolt's own check is off: the gate's runs first, on the raw bytes); the install
    pages in OAuth mode."""

    async def dispatch(request: AsyncBoltRequest) -> web.StreamResponse:
        return await to_aiohttp_response(await bolt.async_dispatch(request))

    gate = Gate(config.signing_secret, config.body_seconds, shed=shed_refused(background, recordings.full))
    web_app.router.add_post(EVENTS_PATH, gate_handler(gate, dispatch, RejectionLog()))
    flow = bolt.oauth_flow
    if flow is None:
        return

    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    web_app.router.add_get(flow.install_path, install)
    web_app.router.add_get(flow.redirect_uri_path, redirect)


class SlackComponent:
    name = "slack"

    def __init__(self, config: SlackConfig, core: Core, web_app: web.Application) -> None:
        self.config = config
        self.inflight = InFlight("Slack")
        # One session (one connection pool) for every call to Slack from this process.
        self.session = aiohttp.ClientSession(
            timeout=HTTP_TIMEOUT, connector=aiohttp.TCPConnector(limit=SLACK_CONNECTIONS)
        )
        self.background = Background(self.inflight, Replies(self.session), WORK_SLOTS, config.queue_limit)
        client = web_client(config, self.session)
        self.counts = count_updates(core.quiz, self.background, client)
        self.journal = RequestJournal(core.outbox, timedelta(seconds=config.request_lease))
        commands = CommandJournal(self.journal, self.background, config.ack_budget)
        # Direct messages' rows: never marked abandoned by stopping, which cannot tell their people.
        self.direct_journal = RequestJournal(core.outbox, timedelta(seconds=config.request_lease))
        # Answer clicks being recorded at once: past it, the next click is told "busy".
        self.recordings = Recordings.with_share(min(config.queue_limit, RECORDING_LIMIT))
        self.bolt = build_app(
            config, core, client, self.background, self.counts, commands, self.recordings, self.direct_journal
        )
        self.poster = SlackDailyPoster(
            self.bolt.client,
            _studybots_own(self.bolt.installation_store),
            ChannelPacer(),
            WorkspaceLimiter(config.workspace_posts_per_second),
        )
        core.reminders.messengers[self.name] = SlackReminders(self.poster)
        self._socket: AsyncSocketModeHandler | None = None
        self._started = False
        if config.transport is Transport.HTTP:
            mount(self.bolt, web_app, config, self.background, self.recordings)

    async def start(self) -> None:
        """Socket Mode: connect (serve gives up on it when asked to stop meanwhile)."""
        if self.config.transport is Transport.SOCKET:
            self._socket = AsyncSocketModeHandler(self.bolt, self.config.app_token)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]  # slack_bolt leaves it unannotated
        self._started = True

    def ready(self) -> bool:
        """HTTP mode: started (the routes are served); Socket Mode: the socket is connected."""
        if self.config.transport is Transport.HTTP:
            return self._started
        if self._socket is None:
            return False
        client = self._socket.client
        session = client.current_session
        return not client.closed and not client.stale and session is not None and not session.closed

    def readiness(self) -> dict[str, bool]:
        """Connected, and the queue of acknowledged work has room (not ready while it is full)."""
        return {self.name: self.ready(), "slack_queue": self.background.has_room()}

    def refuse_new_work(self) -> None:
        """Stopping: every new request is answered "restarting" at once."""
        self.background.closed = True

    async def stop(self, deadline: float) -> None:
        """Take no new requests, let the acknowledged ones finish until `deadline` (the answer
        counts due go out without waiting out their interval), tell the people whose requests
        could not be finished, then close the session. Nothing here waits past `deadline`."""
        loop = asyncio.get_running_loop()
        self._started = False
        self.refuse_new_work()
        if self._socket is not None:
            socket, self._socket = self._socket, None
            closing = socket.close_async()  # type: ignore[no-untyped-call]  # slack_bolt leaves it unannotated
            await within(closing, deadline, "closing the Slack socket")
        self.counts.flush()
        tell_reserve = min(TELL_RESERVE_SECONDS, max(0.0, deadline - loop.time()) / 4)
        await self.background.drain(deadline - tell_reserve, deadline)
        await within(self.journal.abandon_open(), deadline, "marking the unfinished commands told")
        await self.inflight.drain(max(0.0, deadline - loop.time()), "answer-count updates")
        self.direct_journal.close()
        await self.session.close()


def _studybots_own(store: AsyncInstallationStore | None) -> DatabaseInstallationStore | None:
    """In OAuth mode Bolt's installation store is the one `build_app` gave it, Studybot's own,
    whose `bot_tokens` the daily poster looks tokens up with, many workspaces at a time."""
    if store is not None and not isinstance(store, DatabaseInstallationStore):
        raise TypeError(f"unexpected Slack installation store: {type(store).__name__}")
    return store
