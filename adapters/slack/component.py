"""The Slack component of `studybot serve`: routes on the shared HTTP server, or Socket Mode."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import build_app
from adapters.slack.config import SlackConfig, Transport
from adapters.slack.inflight import InFlight
from bot.service import QuizService

EVENTS_PATH = "/slack/events"
# How long stopping waits for acknowledged requests to finish their work.
DRAIN_SECONDS = 10.0


def mount(bolt: AsyncApp, web_app: web.Application) -> None:
    """`/slack/events` for commands, clicks and events; the install pages in OAuth mode."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    web_app.router.add_post(EVENTS_PATH, events)
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

    def __init__(self, config: SlackConfig, service: QuizService, web_app: web.Application) -> None:
        self.config = config
        self.inflight = InFlight()
        self.bolt = build_app(config, service, self.inflight)
        self._socket: AsyncSocketModeHandler | None = None
        if config.transport is Transport.HTTP:
            mount(self.bolt, web_app)

    async def start(self) -> None:
        if self.config.transport is Transport.SOCKET:
            self._socket = AsyncSocketModeHandler(self.bolt, self.config.app_token)
            await self._socket.connect_async()

    async def stop(self) -> None:
        """Take no new requests over Socket Mode, then let the acknowledged ones finish."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.inflight.drain(DRAIN_SECONDS)
