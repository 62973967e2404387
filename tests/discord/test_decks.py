"""A server's own decks on Discord, through the real discord.py client and the stand-in (issue 18):
`/quiz-admin deck import` with an attachment option read from its CDN URL (its size checked
first), the report ephemeral and escaped, exports as an ephemeral file; server managers only.
The deck port is a fake that records what it is handed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.component import DiscordComponent
from bot.bank import Problem
from bot.bootstrap import Core
from bot.decks.limits import MAX_FILE_BYTES
from tests.discord.payloads import ADMIN, ALICE, Person, group, option, slash, subcommand
from tests.discord.stand_in import EPHEMERAL, GUILD_ID, DiscordStandIn
from tests.fake_decks import FakeDecks, ImportCall

ATTACHMENT = 11
CSV = b"question,answer\nWhat runs containers without servers?,AWS Fargate\nWhat stores images?,Amazon ECR\n"
HOSTILE = "@everyone <@700000000000000001> **bold** ``` [link](https://evil.example)"
WORKSPACE = f"discord:{GUILD_ID}"


@pytest.fixture
async def decks(quiz_core: Core, discord_bot: DiscordComponent) -> AsyncIterator[FakeDecks]:
    """The fake decks in the command model (as bootstrap wires the real ones)."""
    fake = FakeDecks()
    quiz_core.commands.decks = fake
    yield fake


def deck(person: Person, command: str, *options: dict[str, Any]) -> dict[str, Any]:
    return slash(person, "quiz-admin", group("deck", subcommand(command, *options)))


def import_with(
    stand_in: DiscordStandIn,
    person: Person,
    filename: str,
    data: bytes,
    *options: dict[str, Any],
    size: int | None = None,
) -> dict[str, Any]:
    """`/quiz-admin deck import` with `data` attached as `filename`."""
    attachment = stand_in.attach(filename, data, size)
    interaction = deck(person, "import", option("file", attachment["id"], ATTACHMENT), *options)
    interaction["data"]["resolved"] = {"attachments": {attachment["id"]: attachment}}
    return interaction


async def answer(stand_in: DiscordStandIn, interaction: dict[str, Any]) -> dict[str, Any]:
    """The ephemeral followup after the deferral: its body as sent."""
    callback, followup = await stand_in.interact(interaction, followups=1)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.body["flags"] & EPHEMERAL
    assert followup.body["allowed_mentions"] == {"parse": []}
    return dict(followup.body)


def shown(body: dict[str, Any]) -> str:
    return (body.get("content") or "") + "".join(e.get("description", "") for e in body.get("embeds") or [])


async def test_an_attached_csv_is_read_and_imported(stand_in: DiscordStandIn, decks: FakeDecks) -> None:
    interaction = import_with(
        stand_in, ADMIN, "team.csv", CSV, option("name", "  Team   ECS "), option("choices", 4, 4)
    )
    body = await answer(stand_in, interaction)
    assert decks.imports == [ImportCall(WORKSPACE, "Team ECS", "team.csv", CSV, 4, False)]
    assert "Imported the deck 'Team ECS': 2 questions (csv), now in /quiz-topics." in shown(body)


async def test_a_dry_run_stores_nothing(stand_in: DiscordStandIn, decks: FakeDecks) -> None:
    interaction = import_with(
        stand_in, ADMIN, "notes.md", b"Q?\nA.\n", option("name", "Notes"), option("dry_run", True, 5)
    )
    body = await answer(stand_in, interaction)
    assert [(c.dry_run, c.choices) for c in decks.imports] == [(True, None)] and decks.decks == {}
    assert "Dry run of 'Notes'" in shown(body)


async def test_problems_are_listed_by_line_capped_and_ping_no_one(
    stand_in: DiscordStandIn, decks: FakeDecks
) -> None:
    decks.problems = (
        Problem("team.csv", 3, "answer", f"is empty {HOSTILE}"),
        *(Problem("team.csv", line, "question", "is longer than 1,000 characters") for line in range(4, 20)),
    )
    body = await answer(stand_in, import_with(stand_in, ADMIN, "team.csv", CSV, option("name", "Team @here")))
    text = shown(body)
    assert "Nothing was imported: 17 problems in 'Team @\u200bhere'" in text
    assert (
        "team.csv:3: answer: is empty @\u200beveryone <@700000000000000001> **bold** \u02cb\u02cb\u02cb"
        in text
    )
    assert "team.csv:17: question:" in text and "team.csv:18:" not in text
    assert "… and 2 more problems." in text
    assert "All 17 problems are in team-here-problems.txt, attached." in text
    [sent] = body["attachments"]
    assert sent["filename"] == "team-here-problems.txt"
    listed = stand_in.files["team-here-problems.txt"].decode().splitlines()
    assert listed == [str(problem) for problem in decks.problems]
    # The code block holding the problems is the only one, and closes where it should.
    assert text.count("```") == 2
    assert "@everyone" not in text and "@here" not in text
    assert decks.decks == {}


async def test_an_attachment_over_10_mb_is_refused_before_it_is_read(
    stand_in: DiscordStandIn, decks: FakeDecks
) -> None:
    interaction = import_with(
        stand_in, ADMIN, "huge.apkg", b"PK", option("name", "Huge"), size=MAX_FILE_BYTES + 1
    )
    body = await answer(stand_in, interaction)
    assert "'huge.apkg' is larger than the 10 MB a deck file may be" in shown(body)
    assert stand_in.downloads == [] and decks.imports == []


async def test_a_file_no_importer_reads_is_refused_by_its_name_before_anything_is_deferred(
    stand_in: DiscordStandIn, decks: FakeDecks
) -> None:
    [refused] = await stand_in.interact(
        import_with(stand_in, ADMIN, "slides.pdf", b"%PDF", option("name", "Slides"))
    )
    assert refused.body["type"] == 4 and refused.body["data"]["flags"] & EPHEMERAL
    assert "'slides.pdf' is none of them" in refused.body["data"]["content"]
    assert stand_in.downloads == [] and decks.imports == []


async def test_members_without_manage_server_are_refused(stand_in: DiscordStandIn, decks: FakeDecks) -> None:
    refused = await stand_in.interact(import_with(stand_in, ALICE, "team.csv", CSV, option("name", "Team")))
    assert "Only members with the Manage Server permission" in refused[0].body["data"]["content"]
    listed = await stand_in.interact(deck(ALICE, "list"))
    assert "Only members with the Manage Server permission" in listed[0].body["data"]["content"]
    assert stand_in.downloads == [] and decks.calls == []


async def test_export_is_an_ephemeral_file(stand_in: DiscordStandIn, decks: FakeDecks) -> None:
    await answer(stand_in, import_with(stand_in, ADMIN, "team.csv", CSV, option("name", "Team ECS")))
    body = await answer(stand_in, deck(ADMIN, "export", option("name", "Team ECS"), option("format", "yaml")))
    assert "Your deck as team-ecs.yaml" in shown(body)
    assert stand_in.files["team-ecs.yaml"] == CSV
    [sent] = body["attachments"]
    assert sent["filename"] == "team-ecs.yaml"

    missing = await stand_in.interact(deck(ADMIN, "export", option("name", "Nope")), followups=1)
    said = "This workspace has no deck named 'Nope'. See them with /quiz-admin deck list."
    assert said in missing[-1].body["content"]


async def test_list_remove_and_builtin(stand_in: DiscordStandIn, decks: FakeDecks) -> None:
    empty = await answer(stand_in, deck(ADMIN, "list"))
    assert "no decks of its own yet. Import one with /quiz-admin deck import" in shown(empty)
    await answer(stand_in, import_with(stand_in, ADMIN, "team.csv", CSV, option("name", "Team **x**")))
    listed = await answer(stand_in, deck(ADMIN, "list"))
    assert "Team **x**" in shown(listed) and "The built-in questions are on here too" in shown(listed)
    off = await answer(stand_in, deck(ADMIN, "builtin", option("enabled", False, 5)))
    assert "The built-in questions are off" in shown(off) and decks.builtin_off == {WORKSPACE}
    removed = await answer(stand_in, deck(ADMIN, "remove", option("name", "Team **x**")))
    assert r"Removed the deck 'Team \*\*x\*\*'" in shown(removed) and decks.decks == {}


async def test_without_decks_set_up_the_commands_say_so(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core
) -> None:
    quiz_core.commands.decks = None
    refused = await stand_in.interact(deck(ADMIN, "list"), followups=1)
    assert "Decks are not set up for this Studybot" in refused[-1].body["content"]
