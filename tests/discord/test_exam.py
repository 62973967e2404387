"""A mock exam on Discord through the real client against the stand-in: an ephemeral follow-up
edited in place; a multiple-response question answered with its select menu, all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from adapters.discord.component import DiscordComponent
from adapters.discord.exam_render import report_embed
from tests.discord.conftest import COMPUTE_CHOICES
from tests.discord.payloads import ALICE, choice_id, click, option, option_values, pick, slash, subcommand
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn
from tests.exam_reports import all_missed

RIGHT = list(COMPUTE_CHOICES[:2])


def exams(database_path: Path) -> list[tuple[str, int | None, int | None]]:
    with sqlite3.connect(database_path) as connection:
        return connection.execute("SELECT state, correct, score FROM exams").fetchall()


def menu_of(message: dict[str, Any]) -> dict[str, Any] | None:
    menus = [c for row in message["components"] for c in row["components"] if c["type"] == 3]
    return menus[0] if menus else None


def button_id(message: dict[str, Any], label: str) -> str:
    [found] = [
        c["custom_id"] for row in message["components"] for c in row["components"] if c.get("label") == label
    ]
    return str(found)


async def start(stand_in: DiscordStandIn, *options: dict[str, Any]) -> dict[str, Any]:
    callback, followup = await stand_in.interact(slash(ALICE, "quiz-exam", subcommand("start", *options)), 1)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.body["flags"] & EPHEMERAL
    return next(m for m in stand_in.messages.values() if m["embeds"] == followup.body["embeds"])


async def act(stand_in: DiscordStandIn, interaction: dict[str, Any]) -> dict[str, Any]:
    """A click or a pick on the exam message: a deferred update, then the message edited."""
    [callback] = await stand_in.interact(interaction)
    assert callback.body == {"type": 6}
    token = interaction["token"]
    await stand_in.wait_for(lambda: stand_in.find("PATCH", rf"/webhooks/\d+/{token}/messages/@original"))
    return stand_in.messages[int(interaction["message"]["id"])]


async def test_an_exam_with_a_select_menu_to_its_report(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, database_path: Path
) -> None:
    message = await start(stand_in)
    assert message["embeds"][0]["title"] == "Question 1 of 2"
    for number in (1, 2):
        menu = menu_of(message)
        if menu is not None:
            assert (menu["min_values"], menu["max_values"]) == (2, 2)
            message = await act(stand_in, pick(ALICE, message, option_values(message, *RIGHT)))
            shown = menu_of(message)
            assert shown is not None
            ticked = sorted(o["value"] for o in shown["options"] if o.get("default"))
            assert ticked == sorted(option_values(message, *RIGHT))
        else:
            message = await act(
                stand_in, click(ALICE, message, choice_id(message, "Elastic Container Service"))
            )
        fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
        assert fields["Answered"] == f"{number} of 2"
        if number == 1:
            message = await act(stand_in, click(ALICE, message, button_id(message, "Flag for review")))
            assert message["embeds"][0]["title"] == "Question 1 of 2 🚩"
            message = await act(stand_in, click(ALICE, message, button_id(message, "Next")))
    message = await act(stand_in, click(ALICE, message, button_id(message, "Review and submit")))
    assert "1. answered · 🚩 flagged" in message["embeds"][0]["description"]
    message = await act(stand_in, click(ALICE, message, button_id(message, "Submit exam")))
    report = message["embeds"][0]
    assert report["title"] == "Score: 1000 / 1000 · PASS"
    assert "2/2 (100%) right" in report["description"]
    assert exams(database_path) == [("submitted", 2, 1000)]


async def test_a_partial_pick_is_missed_and_the_history_shows_it(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, database_path: Path
) -> None:
    message = await start(stand_in, option("topic", "ec2"))
    message = await act(stand_in, pick(ALICE, message, option_values(message, "AWS Fargate", "Amazon S3")))
    message = await act(stand_in, click(ALICE, message, button_id(message, "Review and submit")))
    message = await act(stand_in, click(ALICE, message, button_id(message, "Submit exam")))
    report = message["embeds"][0]
    assert report["title"] == "Score: 100 / 1000 · FAIL"
    [missed] = [f for f in report["fields"] if f["name"].startswith("1. ")]
    assert "Your answer: AWS Fargate; Amazon S3" in missed["value"]
    assert "Right answer: **AWS Fargate; Amazon EC2 instances**" in missed["value"]
    assert exams(database_path) == [("submitted", 0, 100)]
    _callback, shown = await stand_in.interact(slash(ALICE, "quiz-exam", subcommand("history")), 1)
    assert shown.body["flags"] & EPHEMERAL
    assert "**100** (fail) · 0/1 (0%) · Amazon EC2 for containers" in shown.body["embeds"][0]["description"]


def test_a_report_of_65_missed_questions_fits_in_one_embed() -> None:
    embed = report_embed(all_missed())
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert embed.footer.text is not None and "more missed questions" in embed.footer.text
