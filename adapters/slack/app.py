"""Build the Bolt app: the Web API client (base URL, retries), credentials, listeners."""

from __future__ import annotations

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import installs
from adapters.slack.answer_clicks import register_answers
from adapters.slack.background import Background
from adapters.slack.command_journal import CommandJournal, register_command, token_lookup
from adapters.slack.config import BOT_SCOPES, SlackConfig
from adapters.slack.deck_listeners import register_decks
from adapters.slack.dedupe import RecentDeliveries, skip_redeliveries
from adapters.slack.direct import register_direct
from adapters.slack.direct_journal import DirectJournal
from adapters.slack.exam_listeners import register_exam
from adapters.slack.listeners import CountUpdates, register
from adapters.slack.recordings import Recordings
from adapters.slack.report_listeners import register_reports
from adapters.slack.web_logging import skip_unwanted_debug_lines
from bot.app.journal import RequestJournal
from bot.bootstrap import Core
from bot.db.database import Database

# Attempts after the first, shared by all handlers: a 429 then a 500 then success is fine.
API_RETRIES = 3


def retry_handlers() -> list[AsyncRetryHandler]:
    """429 (waiting for Retry-After), 500/503 and dropped connections are tried again."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=API_RETRIES),
        AsyncRateLimitErrorRetryHandler(max_retry_count=API_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=API_RETRIES),
    ]


def web_client(config: SlackConfig, session: aiohttp.ClientSession) -> AsyncWebClient:
    """Bolt copies this client for each request (with the workspace's token), session included."""
    skip_unwanted_debug_lines()
    if config.api_url is None:
        return AsyncWebClient(token=config.bot_token, session=session, retry_handlers=retry_handlers())
    return AsyncWebClient(
        token=config.bot_token, base_url=config.api_url, session=session, retry_handlers=retry_handlers()
    )


def _oauth_settings(config: SlackConfig, database: Database) -> AsyncOAuthSettings | None:
    if config.oauth is None:
        return None
    return AsyncOAuthSettings(
        client_id=config.oauth.client_id,
        client_secret=config.oauth.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installs.DatabaseInstallationStore(config.oauth.client_id, database),
        installation_store_bot_only=True,
        state_store=installs.state_store(database),
    )


def build_app(
    config: SlackConfig,
    core: Core,
    client: AsyncWebClient,
    background: Background,
    counts: CountUpdates,
    commands: CommandJournal,
    recordings: Recordings,
    direct_journal: RequestJournal,
) -> AsyncApp:
    """The Bolt app for these settings. Bolt does not check signatures itself: in HTTP mode the
    gate in front of it (`gate.py`) has checked them on the raw bytes before anything was parsed,
    and Socket Mode connections are authenticated by the app-level token. Bolt answers each request
    when its listener returns (`process_before_response`): the listeners ack and leave the work
    to `background`; an answer click is recorded before its ack (`answer_clicks`)."""
    oauth = _oauth_settings(config, core.database)
    app = AsyncApp(
        name="studybot",
        client=client,
        process_before_response=True,
        signing_secret=config.signing_secret or "",
        request_verification_enabled=False,
        oauth_settings=oauth,
        installation_store=oauth.installation_store if oauth is not None else None,
        installation_store_bot_only=True if oauth is not None else None,
    )
    app.use(skip_redeliveries(RecentDeliveries()))
    # Bolt tries its listeners' matchers in the order they were registered, on every request:
    # the answer buttons, most of the traffic, come first (no two listeners match one request).
    register_answers(app, core.quiz, background, counts, config.ack_budget, recordings)
    quiz = register(app, core, config.admins, background, counts)
    store = oauth.installation_store if oauth is not None else None
    assert store is None or isinstance(store, installs.DatabaseInstallationStore)
    register_command(app, commands, quiz, core.outbox, token_lookup(config.bot_token, store))
    direct = DirectJournal(direct_journal, config.ack_budget, token_lookup(config.bot_token, store))
    register_direct(app, core, config.admins, background, direct)
    register_exam(app, core, background, config.ack_budget, recordings)
    register_reports(app, core, background, config.ack_budget)
    register_decks(app, core, config.admins, commands, token_lookup(config.bot_token, store))
    return app
