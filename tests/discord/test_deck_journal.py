"""`/quiz-admin deck import|list|remove|export|builtin` journaled before their defer (issue 13,
point 1: an acknowledgement is a promise): the row, with the command's options (an import's
attachment by name, stated size and URL), is written before the interaction is deferred; a
refusal of the typed options comes at once, unjournaled. Carried out from its row after a crash,
each command replies through the interaction's followup webhook: an import downloads its file
again (or, if Discord no longer hands it over, asks for it again), an export attaches its file.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Connection, text

from adapters.discord.command_journal import KIND
from adapters.discord.component import DiscordComponent
from bot.app.outbox import Due, Outcome, Scheduled
from bot.bootstrap import Core
from tests.discord.conftest import StallableDatabase, deferred_once_released, running, stand_in_settings
from tests.discord.payloads import ADMIN, option
from tests.discord.stand_in import APP_ID, CHANNEL_ID, EPHEMERAL, GUILD_ID, DiscordStandIn
from tests.discord.test_decks import CSV, WORKSPACE, deck, import_with, shown
from tests.fake_decks import FakeDecks, ImportCall

LONG_BUDGET = 2.8
TOKEN = "token-recovered"
FOLLOWUP = rf"/webhooks/{APP_ID}/{TOKEN}"


@pytest.fixture
async def decks(quiz_core: Core) -> FakeDecks:
    """The fake decks in the command model (as bootstrap wires the real ones)."""
    fake = FakeDecks()
    quiz_core.commands.decks = fake
    return fake


@pytest.fixture
async def slow_bot(
    stand_in: DiscordStandIn, quiz_core: Core, decks: FakeDecks
) -> AsyncIterator[DiscordComponent]:
    """Discord running with an ack budget long enough to wait out a stalled database."""
    settings = stand_in_settings(stand_in, studybot_ack_budget_seconds=LONG_BUDGET)
    async with running(stand_in, settings, quiz_core) as component:
        yield component


def journal_rows(connection: Connection) -> list[tuple[str, str, dict[str, Any]]]:
    rows = connection.execute(
        text("SELECT key, state, payload FROM outbox WHERE kind = :kind"), {"kind": KIND}
    )
    return [(str(key), str(state), _json(payload)) for key, state, payload in rows]


def _json(payload: Any) -> dict[str, Any]:
    return payload if isinstance(payload, dict) else dict(json.loads(payload))


def commands(stand_in: DiscordStandIn) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each deck command's interaction, and the options its journal row keeps."""
    imported = import_with(
        stand_in, ADMIN, "team.csv", CSV, option("name", " Team  ECS "), option("choices", 4, 4)
    )
    attachment = next(iter(imported["data"]["resolved"]["attachments"].values()))
    import_options = {
        "name": "Team ECS",
        "choices": 4,
        "dry_run": False,
        "filename": "team.csv",
        "size": len(CSV),
        "url": attachment["url"],
    }
    return {
        "deck import": (imported, import_options),
        "deck list": (deck(ADMIN, "list"), {}),
        "deck remove": (deck(ADMIN, "remove", option("name", "Team")), {"name": "Team", "format": None}),
        "deck export": (
            deck(ADMIN, "export", option("name", "Team"), option("format", "yaml")),
            {"name": "Team", "format": "yaml"},
        ),
        "deck builtin": (deck(ADMIN, "builtin", option("enabled", False, 5)), {"enabled": False}),
    }


@pytest.mark.parametrize("name", ["deck import", "deck list", "deck remove", "deck export", "deck builtin"])
async def test_each_deck_command_is_journaled_with_its_options_before_its_defer(
    name: str, stand_in: DiscordStandIn, slow_bot: DiscordComponent, quiz_database: StallableDatabase
) -> None:
    interaction, options = commands(stand_in)[name]
    callback, released = await deferred_once_released(stand_in, quiz_database, interaction, LONG_BUDGET)
    (reply, *_) = await stand_in.wait_for(lambda: stand_in.followups(interaction))
    assert released < callback.at and callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert reply.body["flags"] & EPHEMERAL
    await slow_bot.bot.commands.marks.drain(LONG_BUDGET)

    [(key, state, payload)] = await quiz_database.read(journal_rows)
    assert (key, state) == (interaction["id"], "sent")
    assert (payload["command"], payload["options"], payload["is_admin"]) == (name, options, True)


@pytest.mark.parametrize(
    ("filename", "name", "said"),
    [("team.csv", "   ", "Name the deck"), ("slides.pdf", "Slides", "'slides.pdf' is none of them")],
)
async def test_a_refusal_of_the_typed_options_comes_at_once_and_is_not_journaled(
    filename: str,
    name: str,
    said: str,
    stand_in: DiscordStandIn,
    slow_bot: DiscordComponent,
    quiz_database: StallableDatabase,
    decks: FakeDecks,
) -> None:
    interaction = import_with(stand_in, ADMIN, filename, b"data", option("name", name))
    [refused] = await stand_in.interact(interaction)
    assert refused.body["type"] == 4 and said in refused.body["data"]["content"]
    assert await quiz_database.read(journal_rows) == []
    assert stand_in.downloads == [] and decks.calls == []


def recovered(core: Core, command: str, options: dict[str, Any]) -> Due:
    """The due row of a deck command whose process died before finishing it."""
    row = {
        "application_id": str(APP_ID),
        "token": TOKEN,
        "workspace": str(GUILD_ID),
        "workspace_name": "Study",
        "channel": str(CHANNEL_ID),
        "user": str(ADMIN.id),
        "user_name": "Ada",
        "is_admin": True,
        "command": command,
        "options": options,
    }
    return Due(1, Scheduled(KIND, "1", "discord", core.outbox.clock.now(), row), attempts=0)


async def carry_out(core: Core, command: str, options: dict[str, Any]) -> None:
    """Hand the row to the delivery table's handler, as the runner does once its lease ran out."""
    assert await core.outbox.handlers[KIND].deliver(recovered(core, command, options)) is Outcome.SENT


def import_row(stand_in: DiscordStandIn, url: str | None = None, size: int = len(CSV)) -> dict[str, Any]:
    attachment = stand_in.attach("team.csv", CSV)
    return {
        "name": "Team ECS",
        "choices": None,
        "dry_run": False,
        "filename": "team.csv",
        "size": size,
        "url": attachment["url"] if url is None else url,
    }


async def test_a_recovered_import_downloads_its_file_again_and_reports_privately(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core, decks: FakeDecks
) -> None:
    await carry_out(quiz_core, "deck import", import_row(stand_in))

    assert decks.imports == [ImportCall(WORKSPACE, "Team ECS", "team.csv", CSV, None, False)]
    assert len(stand_in.downloads) == 1
    [told] = stand_in.find("POST", FOLLOWUP)
    assert told.body["flags"] & EPHEMERAL and told.body["allowed_mentions"] == {"parse": []}
    assert "Imported the deck 'Team ECS': 2 questions (csv)" in shown(told.body)


async def test_a_recovered_import_whose_file_is_gone_asks_for_it_again_and_imports_nothing(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core, decks: FakeDecks
) -> None:
    gone = f"http://127.0.0.1:{stand_in.port}/gone/team_*x*.csv"
    row = {**import_row(stand_in, url=gone), "filename": "team_*x*.csv"}
    await carry_out(quiz_core, "deck import", row)

    [told] = stand_in.find("POST", FOLLOWUP)
    assert told.body["flags"] & EPHEMERAL
    assert told.body["content"] == (
        r"Studybot restarted before it imported 'team\_\*x\*.csv', and Discord no longer hands the "
        "file over: nothing was imported. Please send the file again with /quiz-admin deck import."
    )
    assert decks.imports == []


async def test_a_recovered_import_of_a_file_over_10_mb_reads_nothing(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core, decks: FakeDecks
) -> None:
    await carry_out(quiz_core, "deck import", import_row(stand_in, size=11_000_000))

    [told] = stand_in.find("POST", FOLLOWUP)
    assert "is larger than the 10 MB a deck file may be" in told.body["content"]
    assert stand_in.downloads == [] and decks.imports == []


async def test_a_recovered_export_attaches_its_file_to_the_followup(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core, decks: FakeDecks
) -> None:
    await decks.import_deck(WORKSPACE, "Team", "team.csv", CSV)
    await carry_out(quiz_core, "deck export", {"name": "Team", "format": "yaml"})

    [told] = stand_in.find("POST", FOLLOWUP)
    assert told.body["flags"] & EPHEMERAL and "Your deck as team.yaml" in shown(told.body)
    [sent] = told.body["attachments"]
    assert sent["filename"] == "team.yaml" and stand_in.files["team.yaml"] == CSV


async def test_recovered_list_remove_and_builtin_reply_privately(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core, decks: FakeDecks
) -> None:
    await decks.import_deck(WORKSPACE, "Team", "team.csv", CSV)
    await carry_out(quiz_core, "deck list", {})
    await carry_out(quiz_core, "deck builtin", {"enabled": False})
    await carry_out(quiz_core, "deck remove", {"name": "Team", "format": None})

    listed, off, removed = (told.body for told in stand_in.find("POST", FOLLOWUP))
    assert all(body["flags"] & EPHEMERAL for body in (listed, off, removed))
    assert "Decks of this server · 1 deck" in str(listed["embeds"])
    assert "The built-in questions are off" in shown(off) and decks.builtin_off == {WORKSPACE}
    assert "Removed the deck 'Team'" in shown(removed) and decks.decks == {}
