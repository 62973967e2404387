"""Reporting a question on Discord, through the real discord.py client and the stand-in: a menu
of reasons under every answer's feedback, a modal for details, an ephemeral thanks, and
`/quiz-admin reports` for server managers only."""

from __future__ import annotations

from typing import Any

from adapters.discord.component import DiscordComponent
from bot.bootstrap import Core
from tests.discord.conftest import ECS_CHOICES, RIGHT
from tests.discord.payloads import (
    ADMIN,
    ALICE,
    BOB,
    Person,
    _interaction,
    choice_id,
    click,
    slash,
    subcommand,
)
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn
from tests.discord.test_answers import ask

WRONG = next(i for i in range(len(ECS_CHOICES)) if i != RIGHT)
HOSTILE = "@everyone <@700000000000000001> **bold** `tick` [link](https://evil.example)"


def report_menu(message: dict[str, Any]) -> dict[str, Any]:
    [menu] = [c for row in message["components"] for c in row["components"] if c["type"] == 3]
    return menu


async def answer_wrong(stand_in: DiscordStandIn, person: Person) -> dict[str, Any]:
    """Ask /quiz ecs, answer it wrong: the ephemeral feedback message as the stand-in keeps it."""
    message = await ask(stand_in, "ecs")
    _callback, feedback = await stand_in.interact(
        click(person, message, choice_id(message, ECS_CHOICES[WRONG])), followups=1
    )
    return next(m for m in reversed(stand_in.messages.values()) if m["embeds"] == feedback.body["embeds"])


async def open_modal(stand_in: DiscordStandIn, person: Person, feedback: dict[str, Any], reason: str) -> str:
    """Pick a reason in the feedback's report menu: the custom_id of the modal that opens."""
    menu = report_menu(feedback)
    data = {"custom_id": menu["custom_id"], "component_type": 3, "values": [reason]}
    [callback] = await stand_in.interact(_interaction(3, person, data, message=feedback))
    assert callback.body["type"] == 9
    modal = callback.body["data"]
    [[details]] = [row["components"] for row in modal["components"]]
    assert (details["type"], details["custom_id"], details["required"]) == (4, "details", False)
    assert details["max_length"] == 500
    return str(modal["custom_id"])


def modal_submit(person: Person, custom_id: str, text: str) -> dict[str, Any]:
    row = {"type": 1, "components": [{"type": 4, "custom_id": "details", "value": text}]}
    return _interaction(5, person, {"custom_id": custom_id, "components": [row]})


async def test_a_report_goes_from_the_menu_through_a_modal_to_an_ephemeral_thanks(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core
) -> None:
    feedback = await answer_wrong(stand_in, BOB)
    menu = report_menu(feedback)
    instance = menu["custom_id"].split(":")[1]
    assert menu["custom_id"] == f"quiz:{instance}:report"
    assert [o["value"] for o in menu["options"]] == ["wrong-answer", "unclear", "outdated", "typo", "other"]
    assert feedback["flags"] & EPHEMERAL

    custom_id = await open_modal(stand_in, BOB, feedback, "outdated")
    assert custom_id.startswith(f"quiz:{instance}:report:outdated:")
    submitted = modal_submit(BOB, custom_id, HOSTILE)
    callback, thanks = await stand_in.interact(submitted, followups=1)

    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert thanks.body["flags"] & EPHEMERAL
    assert thanks.body["content"].startswith("Thanks: your report on this question (outdated)")
    assert thanks.body["allowed_mentions"] == {"parse": []}
    [report] = (await quiz_core.feedback.all_reports()).reports
    assert (report.question_id, report.instance_id, report.reporter, report.text) == (
        "ecs-stands-for",
        int(instance),
        str(BOB.id),
        HOSTILE,
    )


async def test_server_managers_read_the_reports_escaped_and_others_are_refused(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    feedback = await answer_wrong(stand_in, BOB)
    custom_id = await open_modal(stand_in, BOB, feedback, "typo")
    await stand_in.interact(modal_submit(BOB, custom_id, HOSTILE), followups=1)

    refused = await stand_in.interact(_slash_admin_reports(ALICE))
    assert "Only members with the Manage Server permission" in refused[0].body["data"]["content"]

    _callback, listed = await stand_in.interact(_slash_admin_reports(ADMIN), followups=1)
    assert listed.body["flags"] & EPHEMERAL
    assert listed.body["allowed_mentions"] == {"parse": []}
    (embed,) = listed.body["embeds"]
    assert embed["title"] == "Reports of bad questions"
    assert embed["description"].startswith("**ecs-stands-for** · Typo · Bob · <t:")
    assert r"\*\*bold\*\*" in embed["description"] and r"\`tick\`" in embed["description"]
    assert "**bold**" not in embed["description"]


def _slash_admin_reports(person: Person) -> dict[str, Any]:
    return slash(person, "quiz-admin", subcommand("reports"))
