"""Questions posted with buttons, clicks answered ephemerally, scores on the leaderboard."""

from __future__ import annotations

import json
from typing import Any

from adapters.discord.component import DiscordComponent
from bot.bootstrap import Core
from bot.choices import shown_choices
from tests.discord.conftest import BANK, ECS_CHOICES, RIGHT, running, stand_in_settings
from tests.discord.payloads import ALICE, BOB, choice_id, click, custom_ids, labels, option, slash
from tests.discord.stand_in import CHANNEL_ID, EPHEMERAL, DiscordStandIn


async def ask(stand_in: DiscordStandIn, topic: str) -> dict[str, Any]:
    """/quiz TOPIC; returns the question message as the stand-in stored it."""
    interaction = slash(ALICE, "quiz", option("topic", topic))
    callback, followup = await stand_in.interact(interaction, followups=1)
    assert callback.body == {"type": 5}
    assert not followup.body.get("flags", 0) & EPHEMERAL
    return next(m for m in stand_in.messages.values() if m["embeds"] == followup.body["embeds"])


def count_edits(stand_in: DiscordStandIn, message: dict[str, Any]) -> list[Any]:
    return stand_in.find("PATCH", rf"/channels/{CHANNEL_ID}/messages/{message['id']}")


async def test_quiz_ecs_posts_an_embed_with_one_button_per_choice(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ecs")
    (embed,) = message["embeds"]
    assert embed["description"] == 'What does the "ECS" in Amazon ECS stand for?'
    assert {"name": "Difficulty", "value": "easy", "inline": True} in embed["fields"]
    assert embed["title"] == "Amazon ECS"
    assert embed["footer"]["text"] == "No answers yet"
    instance = custom_ids(message)[0].split(":")[1]
    assert custom_ids(message) == [f"quiz:{instance}:{i}" for i in range(4)]
    shown = shown_choices(BANK.by_id["ecs-stands-for"], int(instance))
    assert sorted(shown) == sorted(ECS_CHOICES)
    assert labels(message) == [f"{letter}. {text}" for letter, text in zip("ABCD", shown, strict=True)]


async def test_a_click_gets_ephemeral_feedback_and_scores_on_the_leaderboard(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ecs")
    answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
    callback, feedback = await stand_in.interact(answer, followups=1)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert feedback.body["flags"] & EPHEMERAL
    (verdict,) = feedback.body["embeds"]
    assert verdict["title"].startswith("Correct! +")
    assert verdict["description"] == "ECS is the Elastic Container Service."
    await stand_in.wait_for(lambda: count_edits(stand_in, message))
    assert stand_in.messages[int(message["id"])]["embeds"][0]["footer"]["text"] == "1 answer so far"
    assert ECS_CHOICES[RIGHT] not in str(count_edits(stand_in, message)[0].body)

    board = slash(ALICE, "quiz-leaderboard", option("period", "all"))
    _callback, posted = await stand_in.interact(board, followups=1)
    (embed,) = posted.body["embeds"]
    assert embed["title"] == "Leaderboard · people · all time"
    assert embed["description"].startswith("**1.** Bob · ")
    assert "1 answer · 100% right" in embed["description"]
    assert not posted.body.get("flags", 0) & EPHEMERAL


async def test_a_wrong_answer_shows_the_right_one(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ecs")
    _callback, feedback = await stand_in.interact(
        click(BOB, message, choice_id(message, ECS_CHOICES[0])), followups=1
    )
    (verdict,) = feedback.body["embeds"]
    assert verdict["title"] == "Not quite."
    assert {"name": "The answer", "value": ECS_CHOICES[RIGHT], "inline": False} in verdict["fields"]


async def test_a_double_click_counts_once_and_repeats_the_first_result(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ecs")
    first = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
    second = click(BOB, message, choice_id(message, ECS_CHOICES[0]))
    await stand_in.interact(first, followups=1)
    await stand_in.wait_for(lambda: count_edits(stand_in, message))
    _callback, again = await stand_in.interact(second, followups=1)
    assert again.body["embeds"][0]["title"] == "You already answered this one: correct."
    assert again.body["flags"] & EPHEMERAL

    _callback, posted = await stand_in.interact(slash(ALICE, "quiz-leaderboard"), followups=1)
    assert "1 answer · 100% right" in posted.body["embeds"][0]["description"]
    assert len(count_edits(stand_in, message)) == 1


async def test_a_button_posted_before_a_restart_still_works(
    stand_in: DiscordStandIn, quiz_core: Core
) -> None:
    settings = stand_in_settings(stand_in)
    async with running(stand_in, settings, quiz_core):
        message = await ask(stand_in, "ecs")
    async with running(stand_in, settings, quiz_core):
        assert len(stand_in.identifies) == 2
        answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
        _callback, feedback = await stand_in.interact(answer, followups=1)
        assert feedback.body["embeds"][0]["title"].startswith("Correct! +")
        await stand_in.wait_for(lambda: count_edits(stand_in, message))


async def test_a_flashcard_is_revealed_and_graded_by_the_user(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "vm")
    (reveal_id,) = custom_ids(message)
    assert labels(message) == ["Show answer"]
    _callback, revealed = await stand_in.interact(click(BOB, message, reveal_id), followups=1)
    assert revealed.body["flags"] & EPHEMERAL
    assert revealed.body["embeds"][0]["description"] == "Virtual Machine"
    card = stand_in.messages[max(stand_in.messages)]
    assert labels(card) == ["Again", "Hard", "Good", "Easy"]
    _again, _hard, knew, _easy = custom_ids(card)
    assert knew.endswith(":rate:3")  # the button names no message

    _callback, graded = await stand_in.interact(click(BOB, card, knew), followups=1)
    assert graded.body["embeds"][0]["title"].startswith("Correct! +")
    await stand_in.wait_for(lambda: count_edits(stand_in, message))
    assert stand_in.messages[int(message["id"])]["embeds"][0]["footer"]["text"] == "1 answer so far"

    _callback, again = await stand_in.interact(click(BOB, message, reveal_id), followups=1)
    assert again.body["embeds"][0]["title"] == "You already answered this one: correct."


async def test_a_forged_self_grade_naming_another_message_updates_only_the_question_s_own(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "vm")
    other = await ask(stand_in, "ecs")
    (reveal_id,) = custom_ids(message)
    await stand_in.interact(click(BOB, message, reveal_id), followups=1)
    card = stand_in.messages[max(stand_in.messages)]
    _again, _hard, knew, _easy = custom_ids(card)

    forged = f"{knew}:{other['id']}"  # the old format, naming a message of the bot's choosing
    forged_card = json.loads(json.dumps(card).replace(json.dumps(knew), json.dumps(forged)))
    _callback, graded = await stand_in.interact(click(BOB, forged_card, forged), followups=1)

    assert graded.body["embeds"][0]["title"].startswith("Correct! +")
    await stand_in.wait_for(lambda: count_edits(stand_in, message))
    assert count_edits(stand_in, other) == []
