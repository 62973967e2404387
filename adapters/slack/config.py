"""The Slack part of the settings, checked at start-up: which mode, which credentials.

Only the standard library is imported here, so `studybot serve` can check the settings before
it touches the database or imports Slack's libraries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from bot.settings import Settings, SettingsError

# The bot scopes the app asks for; deploy/slack/manifest.yml lists the same ones. `users:read`
# tells workspace admins and owners, who may change the question of the day, from members.
# `im:history` lets members practise in a direct message with Studybot (adapters/slack/direct.py);
# `im:write` opens direct messages (adapters/slack/dm.py): for a mock exam started in a channel,
# and for study reminders; `files:write` lets the weekly digest upload its chart
# (files.getUploadURLExternal) and sends an admin the deck they export; `files:read` reads the
# deck file an admin chooses in the import form (Block Kit's file input needs it).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "im:history",
    "im:write",
    "files:write",
    "files:read",
)
# Slack user ids: U… for members, W… for members of an Enterprise Grid organisation; T… teams.
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
TEAM_ID = re.compile(r"^T[A-Z0-9]+$")


class Transport(StrEnum):
    HTTP = "http"
    SOCKET = "socket"


@dataclass(frozen=True)
class OAuthCredentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class ListedAdmins:
    """SLACK_ADMIN_USER_IDS: members who may change the question of the day besides workspace
    admins and owners. `T0123:U0456` lists a member in one workspace; a bare `U0456` lists them
    in every workspace, which only a single-workspace install (SLACK_BOT_TOKEN) accepts: with
    OAuth installs, every entry names its workspace."""

    everywhere: frozenset[str] = frozenset()
    in_workspace: frozenset[tuple[str, str]] = frozenset()

    def lists(self, workspace: str, user: str) -> bool:
        return user in self.everywhere or (workspace, user) in self.in_workspace


@dataclass(frozen=True)
class SlackConfig:
    """What the Slack component needs: one bot token, or OAuth credentials for many workspaces."""

    transport: Transport
    bot_token: str | None
    oauth: OAuthCredentials | None
    signing_secret: str | None
    app_token: str | None
    api_url: str | None
    admins: ListedAdmins = field(default_factory=ListedAdmins)
    workspace_posts_per_second: int = 1
    """How many posts one workspace takes per second (SLACK_WORKSPACE_POSTS_PER_SECOND)."""
    body_seconds: float = 10.0
    """How long a request's body may take to arrive (STUDYBOT_HTTP_BODY_TIMEOUT_SECONDS)."""
    queue_limit: int = 1000
    """Acknowledged requests that may wait for a work slot (STUDYBOT_WORK_QUEUE_LIMIT)."""
    ack_budget: float = 2.0
    """How long a click waits for its answer to be recorded (a command, for its journal row)
    before it is acknowledged (STUDYBOT_ACK_BUDGET_SECONDS)."""
    request_lease: float = 60.0
    """The lease of a journaled command (STUDYBOT_REQUEST_LEASE_SECONDS)."""


def slack_configured(settings: Settings) -> bool:
    return any(
        value is not None
        for value in (
            settings.slack_bot_token,
            settings.slack_client_id,
            settings.slack_app_token,
            settings.slack_signing_secret,
        )
    )


def _secret(settings: Settings, name: str) -> str | None:
    value = getattr(settings, name)
    text = value.get_secret_value().strip() if value is not None else ""
    return text or None


def _require_prefix(name: str, value: str | None, prefix: str, what: str) -> None:
    if value is not None and not value.startswith(prefix):
        raise SettingsError(f"{name.upper()} is not valid: {what} starts with '{prefix}'")


def _api_url(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"SLACK_API_URL is not valid: '{url}' is not an http(s) URL")
    return url if url.endswith("/") else url + "/"


def _admins(raw: str, oauth: bool) -> ListedAdmins:
    everywhere: set[str] = set()
    in_workspace: set[tuple[str, str]] = set()
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        team, _, user = entry.rpartition(":")
        if not USER_ID.match(user) or (team and not TEAM_ID.match(team)):
            raise SettingsError(
                f"SLACK_ADMIN_USER_IDS is not valid: '{entry}' is not a Slack user id (like U0123ABCD) "
                "or workspace:user (like T0123ABCD:U0123ABCD)"
            )
        if not team and oauth:
            raise SettingsError(
                f"SLACK_ADMIN_USER_IDS is not valid: '{entry}' names no workspace; with OAuth installs "
                f"write T0123ABCD:{entry} so it applies in that workspace only"
            )
        if team:
            in_workspace.add((team, user))
        else:
            everywhere.add(user)
    return ListedAdmins(frozenset(everywhere), frozenset(in_workspace))


def _oauth(settings: Settings) -> OAuthCredentials | None:
    client_id = (settings.slack_client_id or "").strip() or None
    client_secret = _secret(settings, "slack_client_secret")
    if client_id is None:
        if client_secret is not None:
            raise SettingsError("SLACK_CLIENT_ID is missing: it is needed with SLACK_CLIENT_SECRET")
        return None
    if client_secret is None:
        raise SettingsError("SLACK_CLIENT_SECRET is missing: OAuth installs need it with SLACK_CLIENT_ID")
    return OAuthCredentials(client_id, client_secret)


def slack_config(settings: Settings) -> SlackConfig:
    """The Slack settings checked together; the first problem raises SettingsError naming it."""
    bot_token = _secret(settings, "slack_bot_token")
    app_token = _secret(settings, "slack_app_token")
    signing_secret = _secret(settings, "slack_signing_secret")
    oauth = _oauth(settings)
    _require_prefix("slack_bot_token", bot_token, "xoxb-", "a bot token")
    _require_prefix("slack_app_token", app_token, "xapp-", "an app-level token")
    if bot_token is not None and oauth is not None:
        raise SettingsError(
            "SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID: use the bot token for one "
            "workspace or OAuth installs for many, not both"
        )
    if bot_token is None and oauth is None:
        raise SettingsError(
            "SLACK_BOT_TOKEN is missing: set it for one workspace (or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET for OAuth installs)"
        )
    transport = Transport.SOCKET if app_token is not None else Transport.HTTP
    if transport is Transport.SOCKET and oauth is not None:
        raise SettingsError(
            "SLACK_APP_TOKEN is set together with SLACK_CLIENT_ID: OAuth installs need HTTP mode; "
            "unset SLACK_APP_TOKEN"
        )
    if transport is Transport.HTTP and signing_secret is None:
        raise SettingsError("SLACK_SIGNING_SECRET is missing: it is required in HTTP mode")
    return SlackConfig(
        transport=transport,
        bot_token=bot_token,
        oauth=oauth,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=_api_url(settings.slack_api_url),
        admins=_admins(settings.slack_admin_user_ids, oauth is not None),
        workspace_posts_per_second=settings.slack_workspace_posts_per_second,
        body_seconds=settings.studybot_http_body_timeout_seconds,
        queue_limit=settings.studybot_work_queue_limit,
        ack_budget=settings.studybot_ack_budget_seconds,
        request_lease=settings.studybot_request_lease_seconds,
    )
