"""One typed settings object, read from the environment (and an optional `.env` file) at start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DATABASE_URL_FORMS = "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
REPO_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


def default_database_path() -> Path:
    """Where the embedded SQLite file lives unless STUDYBOT_DATABASE_URL says otherwise."""
    return Path.home() / ".local" / "share" / "studybot" / "studybot.db"


ENV_FILE: Path | None = Path(".env")
"""The optional file of settings read at start; the test suite sets it to None so that a
developer's own `.env` never reaches a test."""


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it, in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    studybot_database_url: str = ""
    studybot_content_dir: Path = REPO_CONTENT_DIR
    studybot_default_timezone: str = "UTC"
    studybot_http_port: int = Field(default=3000, ge=1, le=65535)
    studybot_log_format: Literal["text", "json"] = "text"
    studybot_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    studybot_daily_grace_minutes: int = Field(default=120, ge=0, le=24 * 60)
    # Spaced repetition (README: spaced repetition): the recall FSRS aims for when it schedules
    # a card, and how many questions a review introduces a day.
    studybot_desired_retention: float = Field(default=0.9, ge=0.7, le=0.99)
    studybot_new_cards_per_day: int = Field(default=10, ge=0, le=500)
    # How often a process checks (or takes over) scheduler leadership, syncs subscriptions
    # changed by other processes and resends abandoned daily claims.
    studybot_scheduler_check_seconds: int = Field(default=10, ge=1, le=3600)
    # The HTTP server's defences against slow and many clients (adapters/http_guard.py): how
    # long a request's headers may take to arrive (and an idle keep-alive connection may stay),
    # how long its body may take, and how many connections it holds (fewer if the open-file
    # limit is lower).
    studybot_http_header_timeout_seconds: float = Field(default=15.0, gt=0, le=600)
    studybot_http_body_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    studybot_http_max_connections: int = Field(default=1000, ge=1, le=100_000)
    # Acknowledged requests that may wait for a work slot; past it people are told "busy".
    studybot_work_queue_limit: int = Field(default=1000, ge=1, le=1_000_000)
    # How long a click waits for its answer to be recorded before it is acknowledged (Slack and
    # Discord allow 3 s): past it, it is acknowledged first and its person told the outcome after.
    studybot_ack_budget_seconds: float = Field(default=2.0, gt=0, le=2.8)
    # A command journaled before its ack is leased by the process that took it (renewed every
    # third of it); if that process dies, another (or the restart) carries it out this long after.
    studybot_request_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    # How long stopping (SIGTERM, SIGINT) may take: the queued work finishes within it, what
    # cannot is counted and its users told. Keep it under the orchestrator's own grace
    # (Kubernetes' terminationGracePeriodSeconds, 30 s by default; ECS stopTimeout).
    studybot_stop_grace_seconds: float = Field(default=25.0, gt=0, le=3600)
    # How often the delivery table (bot/app/outbox.py) is checked for rows due.
    studybot_outbox_check_seconds: float = Field(default=5, gt=0, le=3600)

    # The team dashboard (issue 19): served by `studybot serve` when on; links are signed with
    # the secret key and expire after the given hours; STUDYBOT_PUBLIC_URL is where people open them.
    studybot_dashboard: bool = False
    studybot_secret_key: SecretStr | None = None
    studybot_public_url: str = "http://localhost:3000"
    studybot_dashboard_link_hours: int = Field(default=24, ge=1, le=24 * 30)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str | None = None
    slack_admin_user_ids: str = ""
    # Posts per second one workspace takes from Studybot (question of the day); the default and
    # why: adapters/slack/pacing.py.
    slack_workspace_posts_per_second: int = Field(default=1, ge=1, le=100)

    discord_token: SecretStr | None = None
    discord_application_id: int | None = None
    discord_guild_id: int | None = None
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_shard_ids: str | None = None

    @field_validator("studybot_default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone '{value}'") from error
        return value

    @field_validator("studybot_database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError as error:
            raise ValueError(f"'{value}' is not a database URL: {DATABASE_URL_FORMS}") from error
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"'{backend}' databases are not supported: {DATABASE_URL_FORMS}")
        return value

    @property
    def daily_grace(self) -> timedelta:
        """How late a missed question of the day may still be posted after a restart."""
        return timedelta(minutes=self.studybot_daily_grace_minutes)

    def secrets(self) -> list[str]:
        """Every secret value set, so that logs can mask them wherever they appear."""
        values = [v.get_secret_value() for v in self.__dict__.values() if isinstance(v, SecretStr)]
        password = make_url(self.database_url).password
        return [v for v in (*values, password) if v]

    def dashboard_secret(self) -> str:
        """The key dashboard links are signed with; the dashboard does not start without one."""
        key = self.studybot_secret_key.get_secret_value() if self.studybot_secret_key else ""
        if len(key) < 16:
            raise SettingsError(
                "STUDYBOT_SECRET_KEY must be set (at least 16 characters) to serve or link the dashboard"
            )
        return key

    @property
    def database_url(self) -> str:
        return self.studybot_database_url or f"sqlite:///{default_database_path()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad one raises SettingsError naming the variable."""
    try:
        return Settings(_env_file=ENV_FILE, **overrides)  # type: ignore[arg-type,call-arg]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} is not valid: {message}") from error
