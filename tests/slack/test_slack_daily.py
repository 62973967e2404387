"""The question of the day in Slack, through the real `serve()`, the Bolt app and the stand-in.

serve runs with a frozen clock and hands its DailyService to the harness; a test posts what
falls due with `bot.daily.post_due(...)` instead of waiting for the scheduler.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from slack_harness import BOT_TOKEN, FakeTime, SlackBot, SlackUser, button_for, buttons, running_bot, text_of
from slack_stand_in import Call, StandInSlack

from adapters.slack.daily_poster import SlackDailyPoster
from adapters.slack.pacing import ChannelPacer
from bot.app.commands import ADMINS_ONLY
from bot.daily.service import PostResult
from bot.models import Place
from tests.conftest import FrozenClock

MONDAY_MORNING = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
NINE_IN_BERLIN = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
ADMIN = SlackUser("UADMIN", "ada")
MEMBER = SlackUser("UMEMBER", "max")
SUBSCRIBE = "daily on ecs at 09:00 Europe/Berlin mon-fri"
ANNOUNCED = "The question of the day is "
SCHEDULE = "`ecs` at 09:00 Europe/Berlin (mon-fri); the answer is revealed at the next post."


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(MONDAY_MORNING)


@pytest.fixture
async def daily_bot(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, frozen: FrozenClock
) -> AsyncIterator[SlackBot]:
    slack_api.admins.add(ADMIN.id)
    async with running_bot(slack_api, tmp_path, frozen) as bot:
        yield bot


@pytest.fixture
def pacing(daily_bot: SlackBot) -> FakeTime:
    """The running poster's per-channel pacing, on a clock that moves only when it sleeps."""
    time = FakeTime()
    poster = daily_bot.daily.posters["slack"]
    assert isinstance(poster, SlackDailyPoster)
    poster.pacer = ChannelPacer(clock=time.monotonic, sleep=time.sleep)
    return time


async def reply_to(bot: SlackBot, text: str, user: SlackUser = ADMIN, channel: str | None = None) -> str:
    sent = await bot.slash(text, user, channel)
    assert sent.status == 200
    [reply] = await bot.responses(sent)
    assert reply["response_type"] == "ephemeral"
    return text_of(reply)


async def subscription_of(bot: SlackBot, channel: str = "C1") -> int:
    report = await bot.daily.status(Place("slack", bot.team, channel))
    assert report.subscription is not None
    return report.subscription.id


def daily_posts(bot: SlackBot, attempts: bool = False) -> list[Call]:
    """The messages posted by the question of the day, without the announcements of turning it
    on or off."""
    calls = bot.api.attempts("chat.postMessage") if attempts else bot.api.ok("chat.postMessage")
    return [c for c in calls if not c.body.get("text", "").startswith(ANNOUNCED)]


async def test_turning_it_on_and_off_is_announced_in_the_channel(daily_bot: SlackBot) -> None:
    await reply_to(daily_bot, SUBSCRIBE)
    [on] = daily_bot.api.ok("chat.postMessage")
    assert (on.body["channel"], on.body["text"]) == ("C1", "The question of the day is on in this channel")
    assert SCHEDULE in text_of(on.body)
    await reply_to(daily_bot, "daily off")
    [_, off] = daily_bot.api.ok("chat.postMessage")
    assert off.body["text"] == "The question of the day is off in this channel."
    assert ADMINS_ONLY in await reply_to(daily_bot, SUBSCRIBE, MEMBER)
    assert len(daily_bot.api.ok("chat.postMessage")) == 2


def requests(kind: str, outcome: str) -> float:
    labels = {"platform": "slack", "kind": kind, "outcome": outcome}
    return REGISTRY.get_sample_value("studybot_requests_total", labels) or 0.0


@pytest.mark.parametrize("role", ["admins", "owners"])
async def test_a_workspace_admin_or_owner_subscribes_and_sees_the_next_post(
    daily_bot: SlackBot, role: str
) -> None:
    getattr(daily_bot.api, role).add(MEMBER.id)

    reply = await reply_to(daily_bot, SUBSCRIBE, MEMBER)

    assert f"*Question of the day* in this channel: {SCHEDULE}" in reply
    assert "Next post: Monday 16 November 2026, 09:00 CET" in reply
    [asked] = daily_bot.api.ok("users.info")
    assert asked.body["user"] == MEMBER.id
    status = await reply_to(daily_bot, "daily status", SlackUser("U3", "cy"))
    assert SCHEDULE in status and "Next post: Monday 16 November 2026, 09:00 CET" in status
    assert len(daily_bot.api.attempts("users.info")) == 1


async def test_members_are_refused_and_counted(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, frozen: FrozenClock
) -> None:
    before = {outcome: requests("command", outcome) for outcome in ("ok", "refused", "error")}
    async with running_bot(slack_api, tmp_path, frozen) as bot:
        assert ADMINS_ONLY in await reply_to(bot, SUBSCRIBE, MEMBER)
        assert ADMINS_ONLY in await reply_to(bot, "daily off", MEMBER)
        assert "No question of the day in this channel" in await reply_to(bot, "daily status", MEMBER)
        assert (await bot.daily.status(Place("slack", "T1", "C1"))).subscription is None
    # Stopping lets the acknowledged work finish, so every request has been counted.
    after = {outcome: requests("command", outcome) for outcome in ("ok", "refused", "error")}
    assert {k: after[k] - before[k] for k in after} == {"ok": 1, "refused": 2, "error": 0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("daily on ecs at 25:00", "'25:00' is not a time: use HH:MM on a 24-hour clock"),
        ("daily on ecs at 09:00 Mars/Base", "is not a time zone I know: use a name like Europe/Berlin"),
        ("daily on ecx at 09:00 Europe/Berlin", "No topic 'ecx'. Did you mean ecs?"),
    ],
)
async def test_bad_times_zones_and_topics_get_their_message(
    daily_bot: SlackBot, text: str, message: str
) -> None:
    assert message in await reply_to(daily_bot, text)
    assert "No question of the day" in await reply_to(daily_bot, "daily status")


async def test_members_listed_in_the_settings_are_admins_without_asking_slack(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, frozen: FrozenClock
) -> None:
    async with running_bot(slack_api, tmp_path, frozen, slack_admin_user_ids=f"U7, {MEMBER.id}") as bot:
        assert SCHEDULE in await reply_to(bot, SUBSCRIBE, MEMBER)
        assert "off in this channel" in await reply_to(bot, "daily off", MEMBER)
    assert slack_api.attempts("users.info") == []


async def test_an_admin_check_slack_refuses_is_explained(daily_bot: SlackBot) -> None:
    daily_bot.api.reject_next("users.info", "missing_scope")

    reply = await reply_to(daily_bot, SUBSCRIBE)

    assert "could not check whether you are a workspace admin: Slack answered missing_scope" in reply
    assert "users:read" in reply


async def test_an_admin_check_slack_answers_with_a_page_not_json_is_explained(daily_bot: SlackBot) -> None:
    daily_bot.api.fail_next("users.info", 502)  # the body is plain text, as from a proxy

    reply = await reply_to(daily_bot, SUBSCRIBE)

    assert (
        "I could not check whether you are a workspace admin: Slack answered HTTP 502. Try again in a "
        "moment, or ask whoever runs Studybot to list you in SLACK_ADMIN_USER_IDS."
    ) in reply


async def test_only_workspace_admins_rename_and_delete_teams(daily_bot: SlackBot) -> None:
    await reply_to(daily_bot, "team join Night Owls", MEMBER)
    refused = await reply_to(daily_bot, "team rename Night Owls to Owls", MEMBER)
    assert "Only workspace admins can rename a team." in refused
    assert "The team Night Owls is now called Owls." in await reply_to(
        daily_bot, "team rename Night Owls to Owls"
    )
    assert "The team Owls was deleted; its 1 member is in no team now." in await reply_to(
        daily_bot, "team delete owls"
    )
    assert [c.body["user"] for c in daily_bot.api.ok("users.info")] == [MEMBER.id, ADMIN.id, ADMIN.id]


async def test_daily_off_stops_it_and_status_says_so(daily_bot: SlackBot) -> None:
    await reply_to(daily_bot, SUBSCRIBE)

    assert "The question of the day is off in this channel." in await reply_to(daily_bot, "daily off")
    assert "No question of the day in this channel" in await reply_to(daily_bot, "daily status")
    assert "no question of the day" in await reply_to(daily_bot, "daily off")


async def test_the_daily_question_is_posted_scores_double_and_is_revealed_before_the_next(
    daily_bot: SlackBot, frozen: FrozenClock, pacing: FakeTime
) -> None:
    bot = daily_bot
    ann, bob = SlackUser("U1", "ann"), SlackUser("U2", "bob")
    await reply_to(bot, SUBSCRIBE)
    await reply_to(bot, "team join <!channel> & <@U1>", ann)
    await reply_to(bot, "team join Ops", bob)
    subscription = await subscription_of(bot)

    frozen.moment = NINE_IN_BERLIN
    assert await bot.daily.post_due(subscription, NINE_IN_BERLIN) is PostResult.POSTED

    [question] = daily_posts(bot)
    assert (question.body["channel"], question.token) == ("C1", BOT_TOKEN)
    assert question.body["blocks"][0]["text"]["text"] == "Question of the day · Monday 16 November 2026"
    assert 'What does the "ECS" in Amazon ECS stand for?' in text_of(question.body)
    choices = buttons(question.body)
    assert len(choices) == 4
    ts = "1700000000.000001"
    right = button_for(question.body, "Elastic Container Service")
    wrong = button_for(question.body, "Elastic Compute Service")
    correct = await bot.click(right["action_id"], right["value"], ts, ann)
    [feedback] = await bot.responses(correct)
    assert "Correct! +20 points." in text_of(feedback)  # 10 for an easy question, doubled
    assert "daily streak: 1" in text_of(feedback)
    [miss] = await bot.responses(await bot.click(wrong["action_id"], wrong["value"], ts, bob))
    assert "Not quite" in text_of(miss)
    await bot.api.wait_ok("chat.update", 2)

    frozen.moment = NINE_IN_BERLIN + timedelta(days=1)
    pacing.now += timedelta(days=1).total_seconds()
    assert await bot.daily.post_due(subscription, frozen.moment) is PostResult.POSTED

    _, reveal, tomorrow = daily_posts(bot)
    shown = text_of(reveal.body)
    assert reveal.body["channel"] == "C1"
    assert "Answer to the question of the day · Monday 16 November" in shown
    assert "Answer: *Elastic Container Service*" in shown
    assert "2 answered, 50% correct." in shown
    assert "First correct: ann" in shown
    team_rows = [line.split() for line in shown.splitlines() if line.startswith(("&lt;", "Ops"))]
    assert team_rows == [["&lt;!channel&gt;", "&amp;", "&lt;@U1&gt;", "1", "1"], ["Ops", "1", "0"]]
    assert "<!channel>" not in json.dumps(reveal.body) and "<@U1>" not in json.dumps(reveal.body)
    assert tomorrow.body["blocks"][0]["text"]["text"] == "Question of the day · Tuesday 17 November 2026"
    # The reveal and the next question share a channel: the question waited a second for it.
    assert pacing.sleeps == [pytest.approx(1.0)]


async def test_an_archived_channel_is_paused_while_the_other_is_posted(
    daily_bot: SlackBot, frozen: FrozenClock, pacing: FakeTime
) -> None:
    bot = daily_bot
    await reply_to(bot, SUBSCRIBE, channel="C1")
    await reply_to(bot, SUBSCRIBE, channel="C2")
    archived, working = await subscription_of(bot, "C1"), await subscription_of(bot, "C2")
    bot.api.refuse_channel("C1", "is_archived")

    frozen.moment = NINE_IN_BERLIN
    results = await asyncio.gather(
        bot.daily.post_due(archived, NINE_IN_BERLIN), bot.daily.post_due(working, NINE_IN_BERLIN)
    )

    assert results == [PostResult.FAILED, PostResult.POSTED]
    [posted] = [c for c in daily_posts(bot) if c.body["channel"] == "C2"]
    assert len(buttons(posted.body)) == 4
    status = await reply_to(bot, "daily status", channel="C1")
    assert "Paused: Slack refused the post: the channel is archived (is_archived)." in status
    assert "Next post" not in status
    tomorrow = NINE_IN_BERLIN + timedelta(days=1)
    frozen.moment = tomorrow
    assert await bot.daily.post_due(archived, tomorrow) is PostResult.PAUSED
    assert len([c for c in daily_posts(bot, attempts=True) if c.body["channel"] == "C1"]) == 1
    assert pacing.sleeps == []


async def test_a_rate_limited_daily_post_is_retried_into_exactly_one_message(
    daily_bot: SlackBot, frozen: FrozenClock, pacing: FakeTime
) -> None:
    await reply_to(daily_bot, SUBSCRIBE)
    daily_bot.api.fail_next("chat.postMessage", 429)

    frozen.moment = NINE_IN_BERLIN
    assert (
        await daily_bot.daily.post_due(await subscription_of(daily_bot), NINE_IN_BERLIN) is PostResult.POSTED
    )

    assert [c.status for c in daily_posts(daily_bot, attempts=True)] == [429, 200]
    assert len(daily_posts(daily_bot)) == 1
