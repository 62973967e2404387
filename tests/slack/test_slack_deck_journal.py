"""A deck import form's submission journaled before its ack (issue 13, point 1: an
acknowledgement is a promise), and carried out from its row after a crash: the file read again by
its id, the report to the admin as the live import sends it; a file Slack no longer hands over is
asked for again. `/quiz deck list|remove|export|builtin` are `/quiz` commands: journaled, and
carried out from their rows, as every one is (`command_journal`)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_harness import SlackBot, running_bot, text_of
from slack_stand_in import StandInSlack

import adapters.serve
from adapters.slack import component
from adapters.slack.background import UNFINISHED
from adapters.slack.command_journal import KIND as COMMAND_KIND
from adapters.slack.deck_listeners import KIND
from bot.app.journal import RequestJournal
from bot.app.outbox import Due, Outcome, Scheduled
from bot.bootstrap import Core
from bot.clock import Clock
from bot.settings import Settings
from tests.fake_decks import FakeDecks, ImportCall
from tests.slack.test_slack_decks import ADMIN, CSV, answered, open_form, submission
from tests.slack.test_slack_reports import submit

WORKSPACE = "slack:T1"


@dataclass
class DeckBot:
    bot: SlackBot
    decks: FakeDecks
    core: Core

    async def carry_out(self, kind: str, fields: dict[str, Any]) -> None:
        """Hand a row to the delivery table's handler, as the runner does once its lease ran out."""
        due = Due(1, Scheduled(kind, "recovered", "slack", self.core.outbox.clock.now(), fields), attempts=0)
        assert await self.core.outbox.handlers[kind].deliver(due) is Outcome.SENT


@pytest.fixture
async def deck_bot(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DeckBot]:
    """`studybot serve` with the fake decks in its command model, and its core at hand."""
    decks, cores = FakeDecks(), []
    build_core = adapters.serve.build_core

    async def with_decks(settings: Settings, clock: Clock | None = None) -> Core:
        core = await build_core(settings, clock)
        core.commands.decks = decks
        cores.append(core)
        return core

    monkeypatch.setattr(adapters.serve, "build_core", with_decks)
    slack_api.admins.add(ADMIN.id)
    async with running_bot(slack_api, tmp_path) as bot:
        yield DeckBot(bot, decks, cores[0])


def journal_rows(database: Path, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT key, state, payload FROM outbox WHERE kind = ?", (kind,))
        return [(str(key), str(state), json.loads(payload)) for key, state, payload in rows]


class Order:
    """Records when a deck import's journal row is committed and when Studybot answers Slack."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []
        begin, respond = RequestJournal.begin, component.to_aiohttp_response

        def begun(journal: RequestJournal, kind: str, *args: Any) -> asyncio.Future[int | None]:
            row = begin(journal, kind, *args)
            if kind == KIND:
                row.add_done_callback(lambda _: self.events.append("journaled"))
            return row

        async def responded(response: Any) -> Any:
            self.events.append("acknowledged")
            return await respond(response)

        monkeypatch.setattr(RequestJournal, "begin", begun)
        monkeypatch.setattr(component, "to_aiohttp_response", responded)


async def test_a_submitted_import_is_journaled_before_its_ack_and_marked_done_after(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack_api.admins.add(ADMIN.id)
    async with running_bot(slack_api, tmp_path) as bot:
        view, response_url = await open_form(bot)
        file_id = bot.api.share_file("team.csv", CSV.encode())
        form = submission(bot, view, ADMIN, file_id, "team.csv", " Team  ECS ", dry_run=True)
        order = Order(monkeypatch)
        assert await submit(bot, form) == (200, "")
        assert order.events == ["journaled", "acknowledged"]
        assert "Dry run of 'Team ECS'" in text_of(await answered(bot, response_url))

    [(key, state, payload)] = journal_rows(bot.database, KIND)
    assert (key, state) == (json.loads(form)["trigger_id"], "sent")
    recovered = import_row(bot, file_id, "unused")
    assert payload == {**recovered, "dry_run": "yes", "response_url": response_url, "request": key}


async def test_an_import_cut_short_by_a_graceful_stop_is_told_and_its_row_marked_abandoned(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> None:
    """Slack does not answer files.info: the import is under way when the stop comes."""
    slack_api.admins.add(ADMIN.id)
    slack_api.hold_api(lambda method, _body: method == "files.info")
    async with running_bot(slack_api, tmp_path, studybot_stop_grace_seconds=1.0) as bot:
        view, response_url = await open_form(bot)
        file_id = bot.api.share_file("team.csv", CSV.encode())
        assert await submit(bot, submission(bot, view, ADMIN, file_id, "team.csv", "Team")) == (200, "")
        await slack_api.wait_for(lambda: slack_api.held > 0)

    told = slack_api.ok("respond/" + response_url.rsplit("/", 1)[1])
    assert [message.body["text"] for message in told] == [UNFINISHED]
    assert [state for _, state, _ in journal_rows(bot.database, KIND)] == ["dropped"]


def import_row(bot: SlackBot, file_id: str, response: str, filename: str = "team.csv") -> dict[str, Any]:
    return {
        "workspace": "T1",
        "user": ADMIN.id,
        "user_name": ADMIN.name,
        "workspace_name": "acme",
        "channel": bot.channel,
        "file_id": file_id,
        "filename": filename,
        "name": "Team ECS",
        "choices": "",
        "dry_run": "",
        "response_url": bot.api.response_url(response),
        "request": "trigger-view-recovered",
    }


async def test_a_recovered_import_reads_its_file_again_and_reports_to_the_admin(deck_bot: DeckBot) -> None:
    bot = deck_bot.bot
    file_id = bot.api.share_file("team.csv", CSV.encode())
    await deck_bot.carry_out(KIND, import_row(bot, file_id, "form-1"))

    assert deck_bot.decks.imports == [
        ImportCall(WORKSPACE, "Team ECS", "team.csv", CSV.encode(), None, False)
    ]
    [download] = bot.api.ok("download")
    assert download.body["file_id"] == file_id
    [told] = bot.api.ok("respond/form-1")
    assert told.body["response_type"] == "ephemeral"
    assert "Imported the deck 'Team ECS': 2 questions (csv)" in text_of(told.body)


async def test_a_recovered_import_whose_file_is_gone_asks_for_it_again(deck_bot: DeckBot) -> None:
    bot = deck_bot.bot
    await deck_bot.carry_out(KIND, import_row(bot, "F9999", "form-2", filename="team <!here>.csv"))

    [told] = bot.api.ok("respond/form-2")
    assert text_of(told.body).splitlines()[0] == (
        "Studybot restarted before it imported 'team &lt;!here&gt;.csv', and Slack no longer hands the "
        "file over: nothing was imported. Please send the file again with /quiz deck import."
    )
    assert "<!here>" not in json.dumps(told.body)
    assert bot.api.attempts("download") == [] and deck_bot.decks.imports == []


async def test_a_recovered_import_past_its_response_url_is_told_in_the_channel(deck_bot: DeckBot) -> None:
    bot = deck_bot.bot
    bot.api.expired.add("form-3")
    file_id = bot.api.share_file("team.csv", CSV.encode())
    await deck_bot.carry_out(KIND, import_row(bot, file_id, "form-3"))

    [told] = bot.api.ok("chat.postEphemeral")
    assert (told.body["channel"], told.body["user"]) == (bot.channel, ADMIN.id)
    assert "Imported the deck 'Team ECS'" in told.body["text"]


@pytest.mark.parametrize(
    "text", ["deck list", "deck remove Team", "deck export Team yaml", "deck builtin off"]
)
async def test_the_other_deck_commands_are_journaled_as_quiz_commands(text: str, deck_bot: DeckBot) -> None:
    sent = await deck_bot.bot.slash(text, ADMIN)
    await deck_bot.bot.responses(sent)

    rows = journal_rows(deck_bot.bot.database, COMMAND_KIND)
    assert [payload["text"] for _, _, payload in rows] == [text]


def command_row(bot: SlackBot, text: str, response: str) -> dict[str, Any]:
    return {
        "workspace": "T1",
        "user": ADMIN.id,
        "user_name": ADMIN.name,
        "workspace_name": "acme",
        "channel": bot.channel,
        "text": text,
        "response_url": bot.api.response_url(response),
        "request": f"trigger-{response}",
    }


async def test_recovered_deck_commands_are_carried_out_and_answered(deck_bot: DeckBot) -> None:
    bot, decks = deck_bot.bot, deck_bot.decks
    await decks.import_deck(WORKSPACE, "Team", "team.csv", CSV.encode())
    for n, text in enumerate(["deck list", "deck export Team yaml", "deck builtin off", "deck remove Team"]):
        await deck_bot.carry_out(COMMAND_KIND, command_row(bot, text, f"cmd-r{n}"))

    listed, exported, off, removed = (text_of(bot.api.ok(f"respond/cmd-r{n}")[0].body) for n in range(4))
    assert "Team" in listed and "The built-in questions are on here too" in listed
    assert "Sent team.yaml to your direct messages with Studybot." in exported
    [uploaded] = bot.api.ok("upload")
    assert bot.api.uploads[uploaded.body["file_id"]] == CSV.encode()
    [completed] = bot.api.ok("files.completeUploadExternal")
    assert completed.body["channel_id"] == "D" + ADMIN.id
    assert "The built-in questions are off" in off and decks.builtin_off == {WORKSPACE}
    assert "Removed the deck 'Team'" in removed and decks.decks == {}
