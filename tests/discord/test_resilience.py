"""Discord's three seconds, rate limits and failures: the user always gets an answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from adapters.discord.component import DiscordComponent
from adapters.discord.exchange import FRIENDLY_FAILURE, RESTARTING, UNFINISHED
from bot.app.quiz import QuizService
from bot.bootstrap import Core
from tests.discord.conftest import ECS_CHOICES, RIGHT, StallableDatabase, running, stand_in_settings
from tests.discord.payloads import ALICE, BOB, choice_id, click, option, slash, subcommand
from tests.discord.stand_in import APP_ID, EPHEMERAL, DiscordStandIn
from tests.discord.stand_in_records import Request
from tests.discord.test_answers import ask

DISCORD_DEADLINE = 3.0


async def through_a_stall(
    stand_in: DiscordStandIn, database: StallableDatabase, interaction: dict[str, Any]
) -> tuple[Request, Request]:
    """Dispatch `interaction` with the database stalled: its deferral arrives within Discord's
    deadline and nothing more until the database is released; then its followup. Both."""
    database.open.clear()
    loop_time = stand_in.now()
    await stand_in.dispatch("INTERACTION_CREATE", interaction)
    (callback,) = await stand_in.wait_for(lambda: stand_in.callbacks(interaction), timeout=DISCORD_DEADLINE)
    assert callback.at - loop_time < DISCORD_DEADLINE
    await asyncio.wait_for(database.stalled.wait(), DISCORD_DEADLINE)
    assert stand_in.followups(interaction) == []

    released = stand_in.now()
    database.open.set()
    (followup,) = await stand_in.wait_for(lambda: stand_in.followups(interaction))
    assert callback.at < released < followup.at
    return callback, followup


async def test_a_rate_limited_followup_is_retried_and_arrives_once(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ecs")
    answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
    stand_in.rate_limit("POST", rf"/webhooks/{APP_ID}/{answer['token']}")
    _callback, feedback = await stand_in.interact(answer, followups=1)

    (limited,) = stand_in.find("POST", rf"/webhooks/{APP_ID}/{answer['token']}", status=429)
    assert limited.body == feedback.body
    assert feedback.at > limited.at
    assert feedback.body["embeds"][0]["title"].startswith("Correct! +")
    assert len(stand_in.followups(answer)) == 1


async def test_a_stalled_database_still_gets_the_click_answered_in_time(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_database: StallableDatabase
) -> None:
    message = await ask(stand_in, "ecs")
    # A first click warms every cache on the way, so only the database can hold the second one.
    await stand_in.interact(click(ALICE, message, choice_id(message, ECS_CHOICES[RIGHT])), followups=1)
    answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
    callback, feedback = await through_a_stall(stand_in, quiz_database, answer)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert feedback.body["embeds"][0]["title"].startswith("Correct! +")


async def test_a_stalled_database_still_gets_the_command_answered_in_time(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_database: StallableDatabase
) -> None:
    interaction = slash(ALICE, "quiz", option("topic", "ecs"))
    callback, question = await through_a_stall(stand_in, quiz_database, interaction)
    assert callback.body == {"type": 5}
    assert question.body["embeds"][0]["title"] == "Amazon ECS"


async def test_a_failure_reaches_the_user_as_a_friendly_ephemeral_line_and_the_log(
    stand_in: DiscordStandIn,
    discord_bot: DiscordComponent,
    quiz_core: Core,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(quiz_core.teams, "leave_team", broken)
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        _callback, followup = await stand_in.interact(
            slash(ALICE, "quiz-team", subcommand("leave")), followups=1
        )
    assert followup.body["content"] == FRIENDLY_FAILURE
    assert followup.body["flags"] & EPHEMERAL
    (record,) = [r for r in caplog.records if r.name.startswith("adapters.discord")]
    assert "team leave failed" in record.getMessage()
    assert "disk on fire" in caplog.text


async def test_a_refusal_reaches_the_user_as_it_is(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    _callback, followup = await stand_in.interact(slash(ALICE, "quiz-team", subcommand("leave")), followups=1)
    assert followup.body["content"] == "You are not in a team. Join one with /quiz-team join."
    assert followup.body["flags"] & EPHEMERAL


async def test_stopping_lets_an_answer_under_way_send_its_reply(
    stand_in: DiscordStandIn, quiz_core: Core, quiz_database: StallableDatabase
) -> None:
    async with running(stand_in, stand_in_settings(stand_in), quiz_core) as component:
        message = await ask(stand_in, "ecs")
        answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
        quiz_database.open.clear()
        await stand_in.interact(answer)
        stopping = asyncio.create_task(component.stop(asyncio.get_running_loop().time() + 10))
        quiz_database.open.set()
        await stopping
        (feedback,) = stand_in.followups(answer)
        assert feedback.body["embeds"][0]["title"].startswith("Correct! +")
        assert component.client.is_closed()


async def test_a_failure_after_the_question_was_posted_leaves_the_question(
    stand_in: DiscordStandIn,
    discord_bot: DiscordComponent,
    quiz_service: QuizService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(quiz_service, "set_message_ref", broken)
    interaction = slash(ALICE, "quiz", option("topic", "ecs"))
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        _callback, question, apology = await stand_in.interact(interaction, followups=2)
    assert question.body["embeds"][0]["title"] == "Amazon ECS"
    assert apology.body["content"] == FRIENDLY_FAILURE
    assert apology.body["flags"] & EPHEMERAL
    assert not stand_in.find("DELETE", rf"/webhooks/{APP_ID}/{interaction['token']}/messages/@original", 204)
    assert "discord quiz failed" in caplog.text


async def test_an_error_before_a_command_answered_still_reaches_the_user(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, caplog: pytest.LogCaptureFixture
) -> None:
    forged = slash(ALICE, "quiz-leaderboard", option("period", "fortnight"))
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        (callback,) = await stand_in.interact(forged)
    assert callback.body["type"] == 4
    assert callback.body["data"]["content"] == FRIENDLY_FAILURE
    assert callback.body["data"]["flags"] & EPHEMERAL
    assert "discord command /quiz-leaderboard failed" in caplog.text


async def test_while_stopping_new_commands_and_clicks_are_answered_restarting(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ecs")
    posted = len([m for m in stand_in.messages.values() if m.get("embeds")])
    discord_bot.refuse_new_work()

    (command,) = await stand_in.interact(slash(ALICE, "quiz", option("topic", "ecs")))
    (answer,) = await stand_in.interact(click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT])))

    for callback in (command, answer):
        assert callback.body["type"] == 4
        assert callback.body["data"]["content"] == RESTARTING
        assert callback.body["data"]["flags"] & EPHEMERAL
    assert len([m for m in stand_in.messages.values() if m.get("embeds")]) == posted  # nothing new posted


async def test_an_interaction_that_cannot_finish_within_the_grace_is_counted_and_its_user_told(
    stand_in: DiscordStandIn,
    quiz_core: Core,
    quiz_database: StallableDatabase,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with running(stand_in, stand_in_settings(stand_in), quiz_core) as component:
        message = await ask(stand_in, "ecs")
        answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
        quiz_database.open.clear()
        await stand_in.interact(answer)
        with caplog.at_level(logging.WARNING, logger="adapters"):
            await component.stop(asyncio.get_running_loop().time() + 1.0)
        quiz_database.open.set()

    (told,) = stand_in.followups(answer)
    assert told.body["content"] == UNFINISHED and told.body["flags"] & EPHEMERAL
    # An answer is recorded before its acknowledgement, so it never waits in the server's queue:
    # it is counted among the interactions under way.
    assert "stopping with 1 Discord interactions unfinished" in caplog.text
