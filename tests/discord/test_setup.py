"""Settings, the invite link, intents and shards, and `studybot serve` with Slack beside Discord."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import aiohttp
import pytest

from adapters.cli import main
from adapters.discord.config import discord_config
from adapters.serve import serve
from bot.bootstrap import Core
from bot.settings import SettingsError, load_settings
from tests.discord.conftest import running, stand_in_settings
from tests.discord.payloads import ALICE, slash
from tests.discord.stand_in import DiscordStandIn
from tests.ports import free_port

GUILDS_INTENT = 1


@pytest.fixture
def clean_discord_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SLACK_*, DISCORD_* or STUDYBOT_* variable of the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "STUDYBOT_")):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"discord_token": " "}, "DISCORD_TOKEN is not set"),
        ({"discord_token": "Bot abc.def"}, "DISCORD_TOKEN is not valid"),
        (
            {"discord_api_url": "discord.com/api"},
            "DISCORD_API_URL is not valid: expected a http or https URL",
        ),
        (
            {"discord_gateway_url": "https://gateway"},
            "DISCORD_GATEWAY_URL is not valid: expected a ws or wss URL",
        ),
        ({"discord_shard_ids": "0"}, "DISCORD_SHARD_IDS is set without DISCORD_SHARD_COUNT"),
        ({"discord_shard_count": 2, "discord_shard_ids": "0,x"}, "DISCORD_SHARD_IDS is not valid"),
        (
            {"discord_shard_count": 2, "discord_shard_ids": "2"},
            "DISCORD_SHARD_IDS is not valid: .* from 0 to 1",
        ),
        ({"discord_shard_count": 2, "discord_shard_ids": "1,1"}, "DISCORD_SHARD_IDS is not valid"),
    ],
)
def test_a_bad_setting_is_named(clean_discord_env: None, settings: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=f"^{message}"):
        discord_config(load_settings(**{"discord_token": "abc.def", **settings}))


def test_a_malformed_shard_count_is_named(clean_discord_env: None) -> None:
    with pytest.raises(SettingsError, match="^DISCORD_SHARD_COUNT is not valid"):
        load_settings(discord_token="abc", discord_shard_count="two")


@pytest.fixture
def keep_root_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """`studybot serve` replaces the root logger's handlers in place; give it a copy to replace."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)


def test_serve_prints_one_line_naming_the_setting(
    clean_discord_env: None,
    keep_root_logging: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def")
    monkeypatch.setenv("DISCORD_GATEWAY_URL", "gateway.example")
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")

    assert main(["serve"]) == 2

    err = capsys.readouterr().err
    assert err.startswith("studybot: DISCORD_GATEWAY_URL is not valid")
    assert err.count("\n") == 1
    assert not (tmp_path / "never.db").exists()


async def test_a_token_discord_refuses_is_named(stand_in: DiscordStandIn, quiz_core: Core) -> None:
    settings = stand_in_settings(stand_in, discord_token="wrong-token")
    with pytest.raises(SettingsError, match="^DISCORD_TOKEN is not valid: Discord refused it"):
        async with running(stand_in, settings, quiz_core):
            pass
    (refused,) = stand_in.find("GET", "/users/@me", status=401)
    assert refused.status == 401


def test_the_invite_url_asks_for_both_scopes_and_the_needed_permissions(
    clean_discord_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "123456789012345678")

    assert main(["discord", "invite-url"]) == 0

    view_channel, send_messages, embed_links, read_message_history = 1 << 10, 1 << 11, 1 << 14, 1 << 16
    permissions = view_channel | send_messages | embed_links | read_message_history
    assert capsys.readouterr().out == (
        "https://discord.com/oauth2/authorize?client_id=123456789012345678"
        f"&scope=bot+applications.commands&permissions={permissions}\n"
    )


def test_the_invite_url_needs_the_application_id(
    clean_discord_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discord", "invite-url"]) == 2
    assert capsys.readouterr().err.startswith("studybot: DISCORD_APPLICATION_ID is not set")


async def test_only_the_guilds_intent_is_asked_for(stand_in: DiscordStandIn, discord_bot: object) -> None:
    (identify,) = stand_in.identifies
    assert identify["intents"] == GUILDS_INTENT
    assert identify["token"] == stand_in.token
    assert "shard" not in identify


async def test_shard_settings_start_an_auto_sharded_client(stand_in: DiscordStandIn, quiz_core: Core) -> None:
    settings = stand_in_settings(stand_in, discord_shard_count=4, discord_shard_ids="2")
    async with running(stand_in, settings, quiz_core) as component:
        (identify,) = stand_in.identifies
        assert identify["shard"] == [2, 4]
        assert identify["intents"] == GUILDS_INTENT
        (callback,) = await stand_in.interact(slash(ALICE, "quiz-help"))
        assert callback.body["type"] == 4
        assert component.client.shard_count == 4


TOPICS = "topics:\n  - id: ecs\n    name: Amazon ECS\n"
QUESTIONS = """questions:
  - id: ecs-is-a-service
    topics: [ecs]
    kind: true_false
    difficulty: easy
    domain: 3
    task: "3.3"
    verified: 2026-12-06
    prompt: Amazon ECS runs containers.
    answer: true
    explanation: ECS is the Elastic Container Service.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
"""


async def test_serve_runs_slack_and_discord_together(
    clean_discord_env: None, stand_in: DiscordStandIn, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "topics.yaml").write_text(TOPICS)
    (content / "ecs.yaml").write_text(QUESTIONS)
    port = free_port()
    settings = stand_in_settings(
        stand_in,
        studybot_database_url=f"sqlite:///{tmp_path / 'studybot.db'}",
        studybot_content_dir=content,
        studybot_http_port=port,
        slack_bot_token="xoxb-stand-in",
        slack_signing_secret="stand-in-secret",
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop, host="127.0.0.1"))
    try:
        await stand_in.wait_for(lambda: stand_in.identifies or server.done(), timeout=10)
        assert not server.done()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 200
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data="unsigned") as slack:
                assert slack.status == 401
        (callback,) = await stand_in.interact(slash(ALICE, "quiz-topics"))
        assert "`ecs` Amazon ECS · 1 question" in callback.body["data"]["embeds"][0]["description"]
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)


async def test_ready_once_the_gateway_is_ready_and_no_longer_after_stop(
    stand_in: DiscordStandIn, quiz_core: Core
) -> None:
    async with running(stand_in, stand_in_settings(stand_in), quiz_core) as component:
        await asyncio.wait_for(component.client.wait_until_ready(), 10)
        assert component.ready()
    assert not component.ready()
