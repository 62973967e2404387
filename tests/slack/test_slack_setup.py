"""Settings that stop start-up with one clear message, and the manifest matching the code."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from aiohttp import web
from slack_harness import BOT_TOKEN, SIGNING_SECRET, settings_for
from slack_stand_in import StandInSlack

from adapters.cli import main
from adapters.serve import serve
from adapters.slack.component import EVENTS_PATH, SlackComponent
from adapters.slack.config import BOT_SCOPES, Transport, slack_config
from adapters.slack.listeners import COMMAND, HOME_EVENT
from adapters.slack.pacing import WINDOW_SECONDS
from bot.bank import load_bank
from bot.bootstrap import compose
from bot.clock import SystemClock
from bot.db.database import Database
from bot.settings import SettingsError, load_settings
from tests.conftest import CONTENT_DIR

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack" / "manifest.yml"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"slack_bot_token": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxp-user-token", "slack_signing_secret": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": BOT_TOKEN, "slack_app_token": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"slack_client_id": "1.2", "slack_signing_secret": SIGNING_SECRET}, "SLACK_CLIENT_SECRET"),
        (
            {"slack_bot_token": BOT_TOKEN, "slack_client_id": "1.2", "slack_client_secret": "s"},
            "SLACK_BOT_TOKEN",
        ),
        (
            {
                "slack_bot_token": BOT_TOKEN,
                "slack_signing_secret": SIGNING_SECRET,
                "slack_api_url": "ftp://x",
            },
            "SLACK_API_URL",
        ),
        (
            {
                "slack_bot_token": BOT_TOKEN,
                "slack_signing_secret": SIGNING_SECRET,
                "slack_admin_user_ids": "U123ABC, @ann",
            },
            "SLACK_ADMIN_USER_IDS",
        ),
    ],
)
def test_a_missing_or_malformed_setting_is_named(
    slack_clean_env: None, values: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        slack_config(load_settings(**values))

    message = str(raised.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_the_modes_follow_the_settings(slack_clean_env: None) -> None:
    http = slack_config(
        load_settings(
            slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url="http://h:1/api"
        )
    )
    socket = slack_config(load_settings(slack_bot_token=BOT_TOKEN, slack_app_token="xapp-1-test"))
    oauth = slack_config(
        load_settings(slack_client_id="1.2", slack_client_secret="s", slack_signing_secret=SIGNING_SECRET)
    )

    assert (http.transport, http.api_url) == (Transport.HTTP, "http://h:1/api/")
    assert (socket.transport, socket.signing_secret) == (Transport.SOCKET, None)
    assert oauth.bot_token is None and oauth.oauth is not None and oauth.oauth.client_id == "1.2"


async def test_serve_stops_before_touching_the_database(slack_clean_env: None, tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    settings = settings_for(StandInSlack(), database, 3999, slack_signing_secret=None)

    with pytest.raises(SettingsError, match="^SLACK_SIGNING_SECRET is missing"):
        await serve(settings)

    assert not database.exists()


@pytest.fixture
def root_logging() -> Iterator[None]:
    """`studybot serve` configures the process's logging; the other tests get theirs back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_command_line_prints_one_line_naming_the_setting(
    slack_clean_env: None,
    root_logging: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")

    assert main(["serve"]) == 2

    assert capsys.readouterr().err == (
        "studybot: SLACK_SIGNING_SECRET is missing: it is required in HTTP mode\n"
    )
    assert not (tmp_path / "never.db").exists()


def test_the_manifest_matches_what_the_code_registers() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())

    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["url"].endswith(EVENTS_PATH)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    # users:read only to tell workspace admins and owners (question of the day) from members;
    # im:history only for the direct messages members write to Studybot; im:write only to open
    # the direct messages study reminders and mock exams go to; files:write only for the weekly
    # digest's chart and an admin's deck export; files:read only for the deck import form's file.
    assert set(BOT_SCOPES) == {
        "commands",
        "chat:write",
        "chat:write.public",
        "users:read",
        "im:history",
        "im:write",
        "files:write",
        "files:read",
    }
    assert "user" not in manifest["oauth_config"]["scopes"]
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == [HOME_EVENT, "message.im"]
    assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert settings["interactivity"] == {"is_enabled": True, "request_url": command["url"]}
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert (home["messages_tab_enabled"], home["messages_tab_read_only_enabled"]) == (True, False)


async def test_the_workspace_rate_reaches_the_daily_poster(slack_clean_env: None, tmp_path: Path) -> None:
    settings = load_settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_workspace_posts_per_second=4
    )
    database = Database(f"sqlite:///{tmp_path / 'rate.db'}")
    core = compose(database, load_bank(CONTENT_DIR), SystemClock())
    component = SlackComponent(slack_config(settings), core, web.Application())
    interval = component.poster.limiter.interval
    await component.stop(asyncio.get_running_loop().time() + 10)
    await database.dispose()
    assert interval == pytest.approx(WINDOW_SECONDS / 4)
