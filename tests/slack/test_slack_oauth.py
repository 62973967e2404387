"""OAuth installs: Bolt's install pages on our server, installations kept in our database."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_harness import DAILY_QUESTION, SlackBot, running_bot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_stand_in import StandInSlack
from sqlalchemy import MetaData

from bot.models import Place

OAUTH = {"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": "client-secret"}


@pytest.fixture
async def slack_oauth_bot(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> AsyncIterator[SlackBot]:
    async with running_bot(slack_api, tmp_path, **OAUTH) as bot:
        yield bot


def rows(bot: SlackBot, table: str) -> list[sqlite3.Row]:
    with sqlite3.connect(bot.database) as connection:
        connection.row_factory = sqlite3.Row
        return list(connection.execute(f"SELECT * FROM {table}"))


# slack_sdk 3.47 sends oauth.v2.access with aiohttp's BasicAuth, deprecated since aiohttp 3.14.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_a_workspace_installs_the_app_then_uses_it(slack_oauth_bot: SlackBot) -> None:
    bot = slack_oauth_bot
    async with bot.http.get(bot.url + "slack/install") as page:
        assert page.status == 200
        html = await page.text()
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    state = cookie.split("=", 1)[1]
    authorize = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', html)
    assert authorize is not None
    assert f"state={state}" in authorize.group(1)
    scopes = (
        "scope=commands,chat:write,chat:write.public,users:read,im:history,im:write,files:write,files:read"
    )
    assert scopes in authorize.group(1).replace("%2C", ",").replace("%3A", ":")
    assert [row["state"] for row in rows(bot, "slack_oauth_states")] == [state]

    callback = f"{bot.url}slack/oauth_redirect?code=the-code&state={state}"
    async with bot.http.get(callback, headers={"Cookie": cookie}) as done:
        assert done.status == 200
    [exchange] = bot.api.ok("oauth.v2.access")
    assert exchange.body["code"] == "the-code"
    [installed] = rows(bot, "slack_bots")
    assert (installed["team_id"], installed["bot_token"]) == ("T9", "xoxb-installed")
    assert rows(bot, "slack_oauth_states") == []

    bot.team = "T9"
    await bot.slash("ecs")
    [posted] = await bot.api.wait_ok("chat.postMessage")
    assert posted.token == "xoxb-installed"

    # The question of the day posts with the installation's token too.
    await bot.daily.posters["slack"].post_question(Place("slack", "T9", "C9"), DAILY_QUESTION)
    assert [call.token for call in bot.api.ok("chat.postMessage")] == ["xoxb-installed", "xoxb-installed"]


async def test_a_workspace_that_never_installed_the_app_is_refused(slack_oauth_bot: SlackBot) -> None:
    slack_oauth_bot.team = "T404"

    sent = await slack_oauth_bot.slash("ecs")

    assert sent.status == 200
    assert slack_oauth_bot.api.attempts("chat.postMessage") == []


async def test_migration_0002_has_every_column_of_slack_sdks_stores(slack_oauth_bot: SlackBot) -> None:
    metadata = MetaData()
    expected = {
        "slack_bots": AsyncSQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots"),
        "slack_installations": AsyncSQLAlchemyInstallationStore.build_installations_table(
            metadata, "slack_installations"
        ),
        "slack_oauth_states": AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(
            metadata, "slack_oauth_states"
        ),
    }
    with sqlite3.connect(slack_oauth_bot.database) as connection:
        for name, table in expected.items():
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({name})")}
            assert columns == {column.name for column in table.columns}, name
