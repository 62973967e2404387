"""One typed settings object, read from the environment (and an optional `.env` file) at start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

REPO_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


def default_database_path() -> Path:
    """Where the embedded SQLite file lives unless STUDYBOT_DATABASE_URL says otherwise."""
    return Path.home() / ".local" / "share" / "studybot" / "studybot.db"


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
    # How often a process checks (or takes over) scheduler leadership, syncs subscriptions
    # changed by other processes and resends abandoned daily claims.
    studybot_scheduler_check_seconds: int = Field(default=10, ge=1, le=3600)
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
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} is not valid: {message}") from error
