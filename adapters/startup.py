"""Start-up mistakes told in one line: a missing extra, an unusable database or content folder,
a platform that cannot be reached. `studybot` prints these instead of a traceback."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import Settings, SettingsError

# The extra that installs each optional module (pyproject.toml's optional dependencies).
EXTRA_OF_MODULE = {
    "slack_bolt": "slack",
    "slack_sdk": "slack",
    "aiohttp": "slack",
    "discord": "discord",
    "asyncpg": "postgres",
}
WHAT_NEEDS = {"slack": "Slack", "discord": "Discord", "postgres": "PostgreSQL"}


class Unreachable(Exception):
    """A platform or server could not be reached at start; the message says which and where."""


def missing_extra(error: ModuleNotFoundError, settings: Settings | None) -> str | None:
    """The line for a module of an extra that is not installed; None for any other module."""
    module = (error.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(module)
    if extra is None:
        return None
    if (
        module == "aiohttp"
        and settings is not None
        and settings.discord_token
        and not settings.slack_bot_token
    ):
        extra = "discord"  # discord.py brings aiohttp too
    return (
        f"{WHAT_NEEDS[extra]} support is not installed (no module '{module}'): "
        f"pip install 'studybot[{extra}]'"
    )


def where(settings: Settings) -> str:
    """The database as a person would name it: the SQLite file, or the URL without password."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database or "").expanduser())
    return url.render_as_string(hide_password=True)


def check_database_path(settings: Settings, option: str) -> None:
    """A SQLite path that names a folder, or lies under a file, cannot be opened: say so."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    path = Path(url.database).expanduser()
    if path.is_dir():
        raise SettingsError(f"{option}: {path} is a folder; give a file in it, like {path / 'studybot.db'}")
    blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise SettingsError(f"{option}: {path} cannot be created, as {blocked} is a file and not a folder")


def check_content_dir(settings: Settings) -> None:
    folder = settings.studybot_content_dir
    if not (folder / "topics.yaml").is_file():
        raise SettingsError(
            f"STUDYBOT_CONTENT_DIR: no question bank in {folder} (no topics.yaml there); "
            "set STUDYBOT_CONTENT_DIR to the folder that holds it"
        )
