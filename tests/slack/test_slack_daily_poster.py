"""The Slack DailyPoster against the stand-in: which token it posts with, and which of Slack's
answers pause a subscription (permanent) or leave it to be tried again (transient)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_harness import BOT_TOKEN, DAILY_QUESTION, FakeTime
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.web.async_client import AsyncWebClient
from slack_stand_in import StandInSlack

from adapters.slack.app import retry_handlers
from adapters.slack.daily_poster import ATTEMPTS, SERVER_ERROR_WAIT_SECONDS, SlackDailyPoster, backoff
from adapters.slack.installs import DatabaseInstallationStore
from adapters.slack.pacing import ChannelPacer, WorkspaceLimiter
from bot.daily.models import PermanentDeliveryError, TransientDeliveryError
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.models import Place


def client(api: StandInSlack, token: str | None) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=api.api_url, retry_handlers=retry_handlers())


def poster(
    api: StandInSlack, installs: DatabaseInstallationStore | None = None, pace: FakeTime | None = None
) -> SlackDailyPoster:
    pace = pace or FakeTime()
    token = None if installs is not None else BOT_TOKEN
    return SlackDailyPoster(
        client(api, token),
        installs,
        ChannelPacer(clock=pace.monotonic, sleep=pace.sleep),
        WorkspaceLimiter(2, clock=pace.monotonic, sleep=pace.sleep),
        sleep=pace.sleep,
    )


@pytest.fixture
async def installs(tmp_path: Path) -> AsyncIterator[DatabaseInstallationStore]:
    database = Database(f"sqlite:///{tmp_path / 'installs.db'}")
    try:
        await upgrade(database)
        store = DatabaseInstallationStore("1.2", database)
        installed = Bot(
            app_id="A1",
            team_id="T9",
            bot_token="xoxb-installed",
            bot_id="B9",
            bot_user_id="UBOT",
            installed_at=time.time(),
        )
        await store.async_save_bot(installed)
        yield store
    finally:
        await database.dispose()


async def test_a_single_workspace_post_uses_the_bot_token_and_returns_the_message(
    slack_api: StandInSlack,
) -> None:
    ref = await poster(slack_api).post_question(Place("slack", "T1", "C1"), DAILY_QUESTION)

    [posted] = slack_api.ok("chat.postMessage")
    assert (posted.token, posted.body["channel"]) == (BOT_TOKEN, "C1")
    assert ref == "C1:1700000000.000001"


async def test_with_oauth_each_workspace_gets_its_installations_token(
    slack_api: StandInSlack, installs: DatabaseInstallationStore
) -> None:
    await poster(slack_api, installs).post_question(Place("slack", "T9", "C9"), DAILY_QUESTION)
    [posted] = slack_api.ok("chat.postMessage")
    assert posted.token == "xoxb-installed"

    with pytest.raises(PermanentDeliveryError, match=r"not installed in the workspace \(no_installation\)"):
        await poster(slack_api, installs).post_question(Place("slack", "T5", "C5"), DAILY_QUESTION)
    assert len(slack_api.attempts("chat.postMessage")) == 1


async def test_a_remembered_token_is_reused_then_fetched_again_when_slack_refuses_it(
    slack_api: StandInSlack, installs: DatabaseInstallationStore
) -> None:
    daily = poster(slack_api, installs)
    for channel in ("C1", "C2"):
        await daily.post_question(Place("slack", "T9", channel), DAILY_QUESTION)
    reinstalled = Bot(
        app_id="A1",
        team_id="T9",
        bot_token="xoxb-reinstalled",
        bot_id="B9",
        bot_user_id="UBOT",
        installed_at=time.time() + 1,
    )
    await installs.async_save_bot(reinstalled)
    slack_api.reject_next("chat.postMessage", "invalid_auth")
    await daily.post_question(Place("slack", "T9", "C3"), DAILY_QUESTION)
    tokens = [call.token for call in slack_api.attempts("chat.postMessage")]
    assert tokens == ["xoxb-installed", "xoxb-installed", "xoxb-installed", "xoxb-reinstalled"]


@pytest.mark.parametrize(
    "code",
    [
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "missing_scope",
        "team_not_found",
    ],
)
async def test_errors_that_will_not_go_away_are_permanent_and_name_the_code(
    slack_api: StandInSlack, code: str
) -> None:
    slack_api.refuse_channel("C1", code)

    with pytest.raises(PermanentDeliveryError, match=rf"^Slack refused the post: .+ \({code}\)$"):
        await poster(slack_api).post_question(Place("slack", "T1", "C1"), DAILY_QUESTION)


async def test_other_errors_are_transient(slack_api: StandInSlack) -> None:
    slack_api.refuse_channel("C1", "fatal_error")

    with pytest.raises(TransientDeliveryError, match="fatal_error"):
        await poster(slack_api).post_question(Place("slack", "T1", "C1"), DAILY_QUESTION)


async def test_rate_limits_and_server_errors_are_tried_again_and_give_their_turn_back(
    slack_api: StandInSlack,
) -> None:
    pace = FakeTime()
    slack_api.fail_next("chat.postMessage", 429, 500)

    daily = poster(slack_api, pace=pace)
    ref = await daily.post_question(Place("slack", "T1", "C1"), DAILY_QUESTION)

    assert [c.status for c in slack_api.attempts("chat.postMessage")] == [429, 500, 200]
    assert ref == "C1:1700000000.000001"
    # Retry-After: 0 from the stand-in, then the wait after a server error (at the second try).
    # The workspace takes two posts a second, but refused posts posted nothing: no wait for
    # the next turn.
    assert pace.sleeps == pytest.approx([0.0, backoff(2)])
    # The post Slack took counts: the next one waits for its turn.
    await daily.post_question(Place("slack", "T1", "C2"), DAILY_QUESTION)
    assert pace.sleeps == pytest.approx([0.0, backoff(2), 0.5])


async def test_a_post_that_keeps_failing_becomes_transient_after_the_last_attempt(
    slack_api: StandInSlack,
) -> None:
    slack_api.fail_next("chat.postMessage", *[500] * ATTEMPTS)

    pace = FakeTime()
    with pytest.raises(TransientDeliveryError, match="500"):
        await poster(slack_api, pace=pace).post_question(Place("slack", "T1", "C1"), DAILY_QUESTION)
    assert len(slack_api.attempts("chat.postMessage")) == ATTEMPTS
    # Waits that double, from the first one.
    assert pace.sleeps == pytest.approx([SERVER_ERROR_WAIT_SECONDS * 2**n for n in range(ATTEMPTS - 1)])
