"""A multiple-response question on Discord: a select menu taking exactly as many options as the
question has right answers, answered ephemerally, all or nothing, once per person."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from adapters.discord.component import DiscordComponent
from bot.choices import shown_choices
from tests.discord.conftest import BANK, COMPUTE_CHOICES
from tests.discord.payloads import ALICE, BOB, option_values, pick
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn
from tests.discord.test_answers import ask, count_edits

RIGHT = COMPUTE_CHOICES[:2]


def recorded(database_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(database_path) as connection:
        return connection.execute("SELECT choice, correct FROM answers ORDER BY id").fetchall()


async def test_the_question_has_a_menu_of_its_choices_taking_exactly_two(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ec2")
    [[menu]] = [row["components"] for row in message["components"]]
    assert menu["type"] == 3 and menu["custom_id"].endswith(":picks")
    assert (menu["min_values"], menu["max_values"], menu["placeholder"]) == (2, 2, "Choose TWO")
    instance = int(menu["custom_id"].split(":")[1])
    shown = shown_choices(BANK.by_id["ec2-runs-ecs-tasks"], instance)
    assert [o["label"] for o in menu["options"]] == [f"{'ABCDE'[i]}. {c}" for i, c in enumerate(shown)]
    assert [o["value"] for o in menu["options"]] == ["0", "1", "2", "3", "4"]
    assert message["embeds"][0]["description"].endswith("(Choose TWO.)")


async def test_picks_score_all_or_nothing_once_per_person(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, database_path: Path
) -> None:
    message = await ask(stand_in, "ec2")

    callback, feedback = await stand_in.interact(
        pick(BOB, message, option_values(message, *RIGHT)), followups=1
    )

    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    (verdict,) = feedback.body["embeds"]
    assert verdict["title"].startswith("Correct! +15")
    fields = {f["name"]: f["value"] for f in verdict["fields"]}
    assert sorted(fields["Your picks"].splitlines()) == sorted(f"✅ {c}" for c in RIGHT)
    await stand_in.wait_for(lambda: count_edits(stand_in, message))

    half = option_values(message, "AWS Fargate", "Amazon S3")
    _callback, miss = await stand_in.interact(pick(ALICE, message, half), followups=1)
    (verdict,) = miss.body["embeds"]
    assert verdict["title"] == "Not quite: all the right choices and only those score."
    fields = {f["name"]: f["value"] for f in verdict["fields"]}
    assert sorted(fields["Your picks"].splitlines()) == ["✅ AWS Fargate", "❌ Amazon S3"]
    assert sorted(fields["The right answers"].splitlines()) == sorted(RIGHT)

    _callback, again = await stand_in.interact(
        pick(ALICE, message, option_values(message, *RIGHT)), followups=1
    )
    assert again.body["embeds"][0]["title"] == "You already answered this one: not correct."
    assert sorted(recorded(database_path)) == [
        ("AWS Fargate\nAmazon EC2 instances", 1),
        ("AWS Fargate\nAmazon S3", 0),
    ]
