"""The question of the day in Discord: the commands, the posts through the stand-in, failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.discord.component import DiscordComponent
from bot.bootstrap import Core
from bot.daily.service import DailyService, PostResult
from bot.models import Mode, Place
from bot.questions import Difficulty
from bot.scoring import score_answer
from tests.conftest import FrozenClock
from tests.discord.conftest import ECS_CHOICES, RIGHT
from tests.discord.payloads import (
    ADMIN,
    ALICE,
    BOB,
    Person,
    choice_id,
    click,
    group,
    labels,
    option,
    slash,
    subcommand,
)
from tests.discord.stand_in import CHANNEL_ID, EPHEMERAL, GUILD_ID, DiscordStandIn

OTHER_CHANNEL = 900000000000000005
# Wednesday 18 November 2026 is the frozen clock's day; the first weekday post is Thursday's.
THURSDAY_9_BERLIN = datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
FRIDAY_9_BERLIN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
ECS_MON_FRI = (
    option("topic", "ecs"),
    option("time", "09:00"),
    option("timezone", "Europe/Berlin"),
    option("weekdays", "mon-fri"),
)


def daily(person: Person, action: str, *options: dict[str, Any], channel: int = CHANNEL_ID) -> dict[str, Any]:
    return slash(person, "quiz-admin", group("daily", subcommand(action, *options)), channel=channel)


async def reply(stand_in: DiscordStandIn, interaction: dict[str, Any]) -> dict[str, Any]:
    """The deferred, ephemeral answer to a command."""
    callback, followup = await stand_in.interact(interaction, followups=1)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.body["flags"] & EPHEMERAL
    assert followup.body["allowed_mentions"] == {"parse": []}
    return followup.body


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}


async def subscription_id(daily: DailyService, channel: int = CHANNEL_ID) -> int:
    report = await daily.status(Place("discord", str(GUILD_ID), str(channel)))
    assert report.subscription is not None
    return report.subscription.id


def channel_posts(stand_in: DiscordStandIn, channel: int = CHANNEL_ID, status: int = 200) -> list[Any]:
    return stand_in.find("POST", rf"/channels/{channel}/messages", status)


async def post(daily: DailyService, clock: FrozenClock, due: datetime, channel: int = CHANNEL_ID) -> Any:
    clock.moment = due
    return await daily.post_due(await subscription_id(daily, channel), due)


def stored(stand_in: DiscordStandIn, request: Any) -> dict[str, Any]:
    return next(m for m in stand_in.messages.values() if m["embeds"] == request.body["embeds"])


def command(stand_in: DiscordStandIn, name: str) -> dict[str, Any]:
    return next(c for c in stand_in.commands if c["name"] == name)


async def test_the_daily_subcommands_are_synced_for_server_managers(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    admin = command(stand_in, "quiz-admin")
    assert int(admin["default_member_permissions"]) == 32
    daily_group = next(o for o in admin["options"] if o["name"] == "daily")
    assert daily_group["type"] == 2
    on, off, status = daily_group["options"]
    assert [on["name"], off["name"], status["name"]] == ["on", "off", "status"]
    options = {o["name"]: o for o in on["options"]}
    assert list(options) == ["time", "topic", "timezone", "weekdays", "reveal"]
    assert options["time"]["required"] is True
    assert all(options[name]["autocomplete"] for name in ("topic", "timezone", "weekdays"))
    assert command(stand_in, "quiz-daily").get("default_member_permissions") is None


async def test_an_admin_turns_it_on_and_sees_the_next_post(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    body = await reply(stand_in, daily(ADMIN, "on", *ECS_MON_FRI))
    (embed,) = body["embeds"]
    assert embed["title"] == "The question of the day is on here"
    unix = int(THURSDAY_9_BERLIN.timestamp())
    assert fields(embed) == {
        "Topic": "ecs",
        "Time": "09:00 Europe/Berlin",
        "Days": "Monday to Friday",
        "Answer revealed": "with the next question",
        "Next question": f"<t:{unix}:F> (<t:{unix}:R>)",
    }
    everyone = await reply(stand_in, slash(ALICE, "quiz-daily"))
    assert fields(everyone["embeds"][0])["Next question"] == f"<t:{unix}:F> (<t:{unix}:R>)"


async def test_a_member_without_manage_server_is_refused_on_the_server(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core
) -> None:
    for action, options in (("on", ECS_MON_FRI), ("off", ()), ("status", ())):
        (refused,) = await stand_in.interact(daily(ALICE, action, *options))
        assert (
            refused.body["data"]["content"] == "Only members with the Manage Server permission can do that."
        )
        assert refused.body["data"]["flags"] & EPHEMERAL
    assert (
        await quiz_core.daily.status(Place("discord", str(GUILD_ID), str(CHANNEL_ID)))
    ).subscription is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            (option("time", "9am"),),
            "'9am' is not a time: use HH:MM on a 24-hour clock, like 09:00 or 17:30.",
        ),
        (
            (option("time", "09:00"), option("timezone", "Mars/Olympus")),
            "'Mars/Olympus' is not a time zone I know: use a name like Europe/Berlin or UTC.",
        ),
        ((option("time", "09:00"), option("topic", "ecx")), "No topic 'ecx'. Did you mean ecs"),
        (
            (option("time", "09:00"), option("topic", "{zzqx} <@1>")),
            "No topic '{zzqx} <@1>'. See /quiz-topics.",
        ),
        (
            (option("time", "09:00"), option("reveal", "17h")),
            "Give the reveal time as HH:MM, like: reveal 17:00",
        ),
    ],
)
async def test_bad_options_get_the_cores_one_line_message(
    stand_in: DiscordStandIn,
    discord_bot: DiscordComponent,
    options: tuple[dict[str, Any], ...],
    message: str,
    quiz_core: Core,
) -> None:
    body = await reply(stand_in, daily(ADMIN, "on", *options))
    assert body["content"].startswith(message)
    assert (
        await quiz_core.daily.status(Place("discord", str(GUILD_ID), str(CHANNEL_ID)))
    ).subscription is None


async def test_time_zones_and_weekdays_autocomplete(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    zone = daily(ADMIN, "on", option("time", "09:00"), option("timezone", "europe/ber", focused=True))
    (callback,) = await stand_in.interact({**zone, "type": 4})
    values = [c["value"] for c in callback.body["data"]["choices"]]
    assert values[0] == "Europe/Berlin"
    assert len(values) <= 25

    days = daily(ADMIN, "on", option("time", "09:00"), option("weekdays", "mon,wed,fri", focused=True))
    (callback,) = await stand_in.interact({**days, "type": 4})
    assert [c["value"] for c in callback.body["data"]["choices"]] == ["mon,wed,fri"]

    topic = daily(ADMIN, "on", option("time", "09:00"), option("topic", "", focused=True))
    (callback,) = await stand_in.interact({**topic, "type": 4})
    assert [c["value"] for c in callback.body["data"]["choices"]][:2] == ["all", "ecs"]


async def test_off_and_status(stand_in: DiscordStandIn, discord_bot: DiscordComponent) -> None:
    await reply(stand_in, daily(ADMIN, "on", option("time", "07:30"), option("reveal", "17:00")))
    status = await reply(stand_in, daily(ADMIN, "status"))
    assert fields(status["embeds"][0])["Answer revealed"] == "17:00"
    assert fields(status["embeds"][0])["Time"] == "07:30 UTC"
    off = await reply(stand_in, daily(ADMIN, "off"))
    assert off["content"] == "The question of the day is off in this channel."
    again = await reply(stand_in, daily(ADMIN, "off"))
    assert again["content"] == "This channel has no question of the day."
    none = await reply(stand_in, slash(ALICE, "quiz-daily"))
    assert none["embeds"][0]["description"].startswith("No question of the day in this channel.")


async def test_the_due_question_is_posted_with_buttons_and_a_click_scores_double(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, clock: FrozenClock, quiz_core: Core
) -> None:
    await reply(stand_in, daily(ADMIN, "on", *ECS_MON_FRI))
    assert await post(quiz_core.daily, clock, THURSDAY_9_BERLIN) is PostResult.POSTED
    (posted,) = channel_posts(stand_in)
    assert posted.body["allowed_mentions"] == {"parse": []}
    (embed,) = posted.body["embeds"]
    assert embed["title"] == "Question of the day — Thursday 19 November 2026"
    assert embed["author"]["name"] == "Amazon ECS"
    message = stored(stand_in, posted)
    assert len(labels(message)) == 4

    _callback, feedback = await stand_in.interact(
        click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT])), followups=1
    )
    practice = score_answer(
        correct=True, difficulty=Difficulty.EASY, mode=Mode.PRACTICE, late=False, streak=0, daily_streak=0
    )
    daily_points = score_answer(
        correct=True, difficulty=Difficulty.EASY, mode=Mode.DAILY, late=False, streak=0, daily_streak=0
    )
    assert daily_points.points == 2 * practice.points
    assert feedback.body["embeds"][0]["title"] == f"Correct! +{daily_points.points} points"
    edit = await stand_in.wait_for(
        lambda: stand_in.find("PATCH", rf"/channels/{CHANNEL_ID}/messages/{message['id']}")
    )
    assert edit[0].body["embeds"][0]["title"] == embed["title"]


async def test_the_next_days_post_first_reveals_the_answer_with_the_teams(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, clock: FrozenClock, quiz_core: Core
) -> None:
    await reply(stand_in, daily(ADMIN, "on", *ECS_MON_FRI))
    await stand_in.interact(
        slash(ALICE, "quiz-team", subcommand("join", option("name", "@everyone Owls"))), 1
    )
    await post(quiz_core.daily, clock, THURSDAY_9_BERLIN)
    message = stored(stand_in, channel_posts(stand_in)[0])
    await stand_in.interact(click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT])), followups=1)
    await stand_in.interact(click(ALICE, message, choice_id(message, ECS_CHOICES[0])), followups=1)

    assert await post(quiz_core.daily, clock, FRIDAY_9_BERLIN) is PostResult.POSTED
    first, reveal, second = channel_posts(stand_in)
    assert first.body["embeds"][0]["title"].endswith("Thursday 19 November 2026")
    assert second.body["embeds"][0]["title"].endswith("Friday 20 November 2026")
    assert "components" not in reveal.body or reveal.body["components"] == []
    assert reveal.body["allowed_mentions"] == {"parse": []}
    (embed,) = reveal.body["embeds"]
    assert embed["title"] == "The answer to the question of the day — Thursday 19 November 2026"
    assert "**Elastic Container Service**" in embed["description"]
    assert fields(embed) == {
        "How the channel did": "2 answered, 50% correct",
        "First correct": "Bob",
        # Shown as typed; a zero-width space after the @ keeps it from ever being a mention.
        "Teams": "**@\u200beveryone Owls** · 1 answered, 0 correct",
    }


async def test_a_channel_refusing_access_is_paused_while_another_is_posted(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, clock: FrozenClock, quiz_core: Core
) -> None:
    await reply(stand_in, daily(ADMIN, "on", *ECS_MON_FRI))
    await reply(stand_in, daily(ADMIN, "on", *ECS_MON_FRI, channel=OTHER_CHANNEL))
    stand_in.fail("POST", rf"/channels/{OTHER_CHANNEL}/messages", 403, 50001, "Missing Access")
    results = await asyncio.gather(
        post(quiz_core.daily, clock, THURSDAY_9_BERLIN, OTHER_CHANNEL),
        post(quiz_core.daily, clock, THURSDAY_9_BERLIN),
    )
    assert results == [PostResult.FAILED, PostResult.POSTED]
    assert len(channel_posts(stand_in)) == 1
    assert len(channel_posts(stand_in, OTHER_CHANNEL, status=403)) == 1

    status = await reply(stand_in, slash(ALICE, "quiz-daily", channel=OTHER_CHANNEL))
    paused = fields(status["embeds"][0])
    assert paused["Paused"].startswith("Discord 403, code 50001: Missing Access")
    assert "Next question" not in paused
    assert await post(quiz_core.daily, clock, FRIDAY_9_BERLIN, OTHER_CHANNEL) is PostResult.PAUSED


async def test_a_rate_limited_post_is_retried_and_arrives_once(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, clock: FrozenClock, quiz_core: Core
) -> None:
    await reply(stand_in, daily(ADMIN, "on", *ECS_MON_FRI))
    stand_in.rate_limit("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert await post(quiz_core.daily, clock, THURSDAY_9_BERLIN) is PostResult.POSTED
    (limited,) = channel_posts(stand_in, status=429)
    (posted,) = channel_posts(stand_in)
    assert posted.at > limited.at
    assert limited.body == posted.body
    titles = [m["embeds"][0]["title"] for m in stand_in.messages.values() if m["embeds"]]
    assert titles.count("Question of the day — Thursday 19 November 2026") == 1
