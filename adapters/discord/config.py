"""The Discord part of the settings, checked once at start: each problem names its variable.

Only the standard library is imported here, so `studybot serve` checks these settings before it
opens the database or imports discord.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.settings import Settings, SettingsError


@dataclass(frozen=True)
class DiscordConfig:
    token: str
    application_id: int | None
    guild_id: int | None
    api_url: str | None
    gateway_url: str | None
    shard_count: int | None
    shard_ids: tuple[int, ...]
    queue_limit: int = 1000
    """Acknowledged interactions that may wait for a work slot (STUDYBOT_WORK_QUEUE_LIMIT)."""
    ack_budget: float = 2.0
    """How long a click waits for its answer to be recorded before it is acknowledged
    (STUDYBOT_ACK_BUDGET_SECONDS; Discord allows 3 s)."""
    request_lease: float = 60.0
    """How long a deferred command's journal row is held without renewal before another
    process carries it out (STUDYBOT_REQUEST_LEASE_SECONDS)."""

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None


def discord_configured(settings: Settings) -> bool:
    return settings.discord_token is not None


def _token(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise SettingsError("DISCORD_TOKEN is not set: copy the bot token from the Discord developer portal")
    if any(ch.isspace() for ch in token):
        raise SettingsError("DISCORD_TOKEN is not valid: give the bot token alone, without 'Bot ' or spaces")
    return token


def _url(name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise SettingsError(f"{name} is not valid: expected a {' or '.join(schemes)} URL, got '{value}'")
    return value


def _shard_ids(raw: str | None, count: int | None) -> tuple[int, ...]:
    if not raw or not raw.strip():
        return ()
    if count is None:
        raise SettingsError("DISCORD_SHARD_IDS is set without DISCORD_SHARD_COUNT: set the total shard count")
    try:
        ids = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise SettingsError(
            f"DISCORD_SHARD_IDS is not valid: expected shard numbers separated by commas, got '{raw}'"
        ) from None
    if any(not 0 <= i < count for i in ids) or len(set(ids)) != len(ids):
        raise SettingsError(
            f"DISCORD_SHARD_IDS is not valid: each shard number must be unique and from 0 to {count - 1}"
        )
    return ids


def discord_config(settings: Settings) -> DiscordConfig:
    """The checked Discord settings; raises SettingsError naming the first bad variable."""
    return DiscordConfig(
        token=_token(settings),
        application_id=settings.discord_application_id,
        guild_id=settings.discord_guild_id,
        api_url=_url("DISCORD_API_URL", settings.discord_api_url, ("http", "https")),
        gateway_url=_url("DISCORD_GATEWAY_URL", settings.discord_gateway_url, ("ws", "wss")),
        shard_count=settings.discord_shard_count,
        shard_ids=_shard_ids(settings.discord_shard_ids, settings.discord_shard_count),
        queue_limit=settings.studybot_work_queue_limit,
        ack_budget=settings.studybot_ack_budget_seconds,
        request_lease=settings.studybot_request_lease_seconds,
    )


def application_id(settings: Settings) -> int:
    if settings.discord_application_id is None:
        raise SettingsError(
            "DISCORD_APPLICATION_ID is not set: copy the Application ID from the Discord developer portal"
        )
    return settings.discord_application_id
