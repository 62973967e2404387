"""A workspace's own decks on Slack, through the real Bolt app over signed HTTP (issue 18):
`/quiz deck import` opens a modal with a file input, its submission reads the chosen file from
the stand-in (files.info, then the private URL with the bot token) and hands it to the deck
port (a fake here), the report comes back privately; exports go to the admin's direct messages.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_harness import BOT_TOKEN, SlackBot, SlackUser, running_bot, text_of
from slack_stand_in import StandInSlack
from test_slack_direct import direct_message
from test_slack_reports import submit, view_submission

import adapters.serve
from adapters.slack.deck_blocks import CHOICES_BLOCK, DECK_IMPORT_VIEW, DRY_RUN_BLOCK, FILE_BLOCK, NAME_BLOCK
from bot.bank import Problem
from bot.bootstrap import Core
from bot.clock import Clock
from bot.decks.limits import MAX_FILE_BYTES
from bot.settings import Settings
from tests.fake_decks import FakeDecks, ImportCall

ADMIN = SlackUser("UADMIN", "ada")
MEMBER = SlackUser("U2", "bob")
CSV = "question,answer\nWhat runs containers without servers?,AWS Fargate\nWhat stores images?,Amazon ECR\n"
SUBMISSIONS = itertools.count(1)
HOSTILE = "<!channel> <@U2> *bold* `tick` & <https://evil.example|click>"


def use_decks(monkeypatch: pytest.MonkeyPatch, decks: FakeDecks | None) -> None:
    """`studybot serve` builds its core with these decks in the command model (as bootstrap
    wires the real ones; None: not set up)."""
    build_core = adapters.serve.build_core

    async def with_decks(settings: Settings, clock: Clock | None = None) -> Core:
        core = await build_core(settings, clock)
        core.commands.decks = decks
        return core

    monkeypatch.setattr(adapters.serve, "build_core", with_decks)


@pytest.fixture
async def deck_bot(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SlackBot, FakeDecks]]:
    decks = FakeDecks()
    use_decks(monkeypatch, decks)
    slack_api.admins.add(ADMIN.id)
    async with running_bot(slack_api, tmp_path) as bot:
        yield bot, decks


async def open_form(bot: SlackBot, user: SlackUser = ADMIN) -> tuple[dict[str, Any], str]:
    """`/quiz deck import`: the modal Slack was asked to open, and the command's response_url."""
    opened = len(bot.api.ok("views.open"))
    sent = await bot.slash("deck import", user)
    call = (await bot.api.wait_ok("views.open", opened + 1))[-1]
    view = call.body["view"]
    return (json.loads(view) if isinstance(view, str) else view), sent.response_url


def submission(
    bot: SlackBot,
    view: dict[str, Any],
    user: SlackUser,
    file_id: str | None,
    filename: str,
    name: str | None,
    choices: int | None = None,
    dry_run: bool = False,
) -> str:
    files = [] if file_id is None else [{"id": file_id, "name": filename, "title": filename}]
    chosen = None if choices is None else {"text": {"type": "plain_text", "text": "n"}, "value": str(choices)}
    ticked = [{"text": {"type": "plain_text", "text": "Dry run"}, "value": "dry-run"}] if dry_run else []
    values = {
        FILE_BLOCK: {FILE_BLOCK: {"type": "file_input", "files": files}},
        NAME_BLOCK: {NAME_BLOCK: {"type": "plain_text_input", "value": name}},
        CHOICES_BLOCK: {CHOICES_BLOCK: {"type": "static_select", "selected_option": chosen}},
        DRY_RUN_BLOCK: {DRY_RUN_BLOCK: {"type": "checkboxes", "selected_options": ticked}},
    }
    return view_submission(bot, view, user, values)


async def answered(bot: SlackBot, response_url: str, count: int = 1) -> dict[str, Any]:
    """The newest message sent to a response_url once `count` have arrived."""
    name = "respond/" + response_url.rsplit("/", 1)[1]
    return (await bot.api.wait_ok(name, count))[-1].body


async def import_file(
    bot: SlackBot, filename: str, data: bytes, name: str, size: int | None = None, **options: Any
) -> dict[str, Any]:
    """Open the form, submit it with a file shared in the stand-in; the private answer."""
    view, response_url = await open_form(bot)
    file_id = bot.api.share_file(filename, data, size)
    status, body = await submit(bot, submission(bot, view, ADMIN, file_id, filename, name, **options))
    assert (status, body) == (200, "")
    return await answered(bot, response_url)


def said(message: dict[str, Any]) -> str:
    return text_of(message) + "\n" + json.dumps(message)


async def test_deck_import_opens_a_modal_with_a_file_input(deck_bot: tuple[SlackBot, FakeDecks]) -> None:
    bot, decks = deck_bot
    opened = len(bot.api.ok("views.open"))
    sent = await bot.slash("deck import", ADMIN)
    call = (await bot.api.wait_ok("views.open", opened + 1))[-1]
    # The command's own trigger: its response_url ends in cmd-N, its trigger_id is trigger-cmd-N.
    assert call.body["trigger_id"] == "trigger-" + sent.response_url.rsplit("/", 1)[1]
    view = json.loads(call.body["view"]) if isinstance(call.body["view"], str) else call.body["view"]
    assert view["type"] == "modal" and view["callback_id"] == DECK_IMPORT_VIEW
    inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
    file_input = inputs[FILE_BLOCK]["element"]
    assert file_input["type"] == "file_input" and file_input["max_files"] == 1
    assert {"apkg", "csv", "tsv", "txt", "md", "yaml", "yml"} <= set(file_input["filetypes"])
    assert inputs[NAME_BLOCK]["element"]["type"] == "plain_text_input"
    assert "initial_value" not in inputs[NAME_BLOCK]["element"]
    choices = inputs[CHOICES_BLOCK]
    assert choices["optional"] is True
    assert [o["value"] for o in choices["element"]["options"]] == ["3", "4", "5", "6"]
    assert inputs[DRY_RUN_BLOCK]["element"]["type"] == "checkboxes" and inputs[DRY_RUN_BLOCK]["optional"]
    assert json.loads(view["private_metadata"]) == {"response_url": sent.response_url, "channel": bot.channel}
    assert decks.imports == []


async def test_a_name_typed_after_deck_import_is_filled_in(deck_bot: tuple[SlackBot, FakeDecks]) -> None:
    bot, _ = deck_bot
    await bot.slash("deck import Team <!here> notes", ADMIN)
    [call] = await bot.api.wait_ok("views.open")
    view = json.loads(call.body["view"]) if isinstance(call.body["view"], str) else call.body["view"]
    [name] = [block for block in view["blocks"] if block.get("block_id") == NAME_BLOCK]
    assert name["element"]["initial_value"] == "Team <!here> notes"


async def test_a_submitted_csv_is_read_with_the_bot_token_and_imported(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    answer = await import_file(bot, "team.csv", CSV.encode(), "  Team   ECS  ", choices=4)
    assert decks.imports == [ImportCall("slack:T1", "Team ECS", "team.csv", CSV.encode(), 4, False)]
    [info] = bot.api.ok("files.info")
    [download] = bot.api.ok("download")
    assert download.token == BOT_TOKEN and download.body["file_id"] == info.body["file"]
    assert answer["response_type"] == "ephemeral"
    assert "Imported the deck 'Team ECS': 2 questions (csv), now in /quiz topics." in text_of(answer)

    more = CSV + "What scans images?,Amazon Inspector\n"
    again = await import_file(bot, "team.csv", more.encode(), "Team ECS")
    said = "3 questions (csv), now in /quiz topics. It replaced the deck of that name; 2 unchanged questions"
    assert said in text_of(again)


async def test_a_dry_run_stores_nothing_and_says_so(deck_bot: tuple[SlackBot, FakeDecks]) -> None:
    bot, decks = deck_bot
    answer = await import_file(bot, "notes.md", b"Q?\nA.\n", "Notes", dry_run=True)
    assert [(call.filename, call.dry_run, call.choices) for call in decks.imports] == [
        ("notes.md", True, None)
    ]
    assert decks.decks == {}
    assert "Dry run of 'Notes'" in text_of(answer) and "nothing was stored" in text_of(answer)


async def test_every_problem_is_shown_by_line_capped_and_a_mention_pings_no_one(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    decks.problems = (
        Problem("team.csv", 3, "answer", f"is empty {HOSTILE}"),
        *(Problem("team.csv", line, "question", "is longer than 1,000 characters") for line in range(4, 24)),
    )
    answer = await import_file(bot, "team.csv", CSV.encode(), "Team <!here>")
    shown = text_of(answer)
    assert "Nothing was imported: 21 problems in 'Team &lt;!here&gt;'" in shown
    assert "team.csv:3: answer: is empty &lt;!channel&gt; &lt;@U2&gt;" in shown
    assert "team.csv:17: question: is longer than 1,000 characters" in shown
    assert "team.csv:18:" not in shown
    assert "… and 6 more problems." in shown
    assert "All 21 problems are in team-here-problems.txt, sent to your direct messages" in shown
    raw = json.dumps(answer)
    for ping in ("<!channel>", "<!here>", "<@U2>", "<https://evil"):
        assert ping not in raw
    # Every one of them, one a line, in the admin's direct messages with Studybot.
    [asked] = bot.api.ok("files.getUploadURLExternal")
    assert asked.body["filename"] == "team-here-problems.txt"
    [uploaded] = bot.api.ok("upload")
    listed = bot.api.uploads[uploaded.body["file_id"]].decode().splitlines()
    assert listed == [str(problem) for problem in decks.problems]
    [completed] = bot.api.ok("files.completeUploadExternal")
    assert completed.body["channel_id"] == "D" + ADMIN.id


async def test_a_report_that_shows_every_problem_sends_no_file(deck_bot: tuple[SlackBot, FakeDecks]) -> None:
    bot, decks = deck_bot
    decks.problems = tuple(Problem("team.csv", line, "answer", "is missing") for line in range(2, 17))
    shown = text_of(await import_file(bot, "team.csv", CSV.encode(), "Team"))
    assert "team.csv:16: answer: is missing" in shown and "more problems" not in shown
    assert bot.api.ok("files.getUploadURLExternal") == []


async def test_a_form_sent_after_its_response_url_expired_is_answered_ephemerally_in_the_channel(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    view, response_url = await open_form(bot)
    bot.api.expired.add(response_url.rsplit("/", 1)[1])
    file_id = bot.api.share_file("team.csv", CSV.encode())
    await submit(bot, submission(bot, view, ADMIN, file_id, "team.csv", "Team"))
    [told] = await bot.api.wait_ok("chat.postEphemeral")
    assert (told.body["channel"], told.body["user"]) == (bot.channel, ADMIN.id)
    assert "Imported the deck 'Team'" in told.body["text"]
    assert len(decks.imports) == 1


async def test_a_file_over_10_mb_is_refused_before_it_is_downloaded(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    answer = await import_file(bot, "huge.apkg", b"PK", "Huge", size=MAX_FILE_BYTES + 1)
    assert "'huge.apkg' is larger than the 10 MB a deck file may be" in text_of(answer)
    assert "not downloaded" in text_of(answer)
    assert bot.api.attempts("download") == [] and decks.imports == []


async def test_a_download_longer_than_files_info_said_stops_at_10_mb(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    answer = await import_file(bot, "big.csv", b"x" * (MAX_FILE_BYTES + 1), "Big", size=100)
    assert "'big.csv' is larger than the 10 MB a deck file may be" in text_of(answer)
    assert decks.imports == []


async def test_a_member_who_is_not_an_admin_gets_no_form_and_no_import(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    refused = await bot.slash("deck import", MEMBER)
    [answer] = await bot.responses(refused)
    assert "Only workspace admins can manage decks." in text_of(answer)
    assert bot.api.ok("views.open") == []

    # A form submitted by someone who is no longer (or never was) an admin reads no file.
    view, response_url = await open_form(bot)
    file_id = bot.api.share_file("team.csv", CSV.encode())
    await submit(bot, submission(bot, view, MEMBER, file_id, "team.csv", "Team"))
    assert "Only workspace admins can manage decks." in text_of(await answered(bot, response_url))
    assert bot.api.attempts("files.info") == [] and bot.api.attempts("download") == []
    assert decks.imports == []


async def test_the_form_asks_again_for_a_missing_file_a_missing_name_or_an_unknown_type(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    view, _ = await open_form(bot)
    csv = bot.api.share_file("team.csv", CSV.encode())
    pdf = bot.api.share_file("slides.pdf", b"%PDF")
    cases = [
        (None, "team.csv", "Team", FILE_BLOCK, "Choose the deck file."),
        (csv, "team.csv", "   ", NAME_BLOCK, "Name the deck"),
        (pdf, "slides.pdf", "Team", FILE_BLOCK, "'slides.pdf' is none of them"),
    ]
    for file_id, filename, name, block, message in cases:
        status, body = await submit(bot, submission(bot, view, ADMIN, file_id, filename, name))
        assert status == 200
        answer = json.loads(body)
        assert answer["response_action"] == "errors" and message in answer["errors"][block]
    assert bot.api.attempts("files.info") == [] and decks.imports == []


async def test_export_uploads_the_file_to_the_admins_direct_messages(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    await import_file(bot, "team.csv", CSV.encode(), "Team ECS")
    sent = await bot.slash("deck export Team ECS yaml", ADMIN)
    [answer] = await bot.responses(sent)
    assert "Sent team-ecs.yaml to your direct messages with Studybot." in text_of(answer)
    [opened] = bot.api.ok("conversations.open")
    assert opened.body["users"] == ADMIN.id
    [asked] = bot.api.ok("files.getUploadURLExternal")
    assert asked.body["filename"] == "team-ecs.yaml"
    [uploaded] = bot.api.ok("upload")
    assert bot.api.uploads[uploaded.body["file_id"]] == CSV.encode()
    [completed] = bot.api.ok("files.completeUploadExternal")
    assert completed.body["channel_id"] == "D" + ADMIN.id
    assert bot.api.ok("chat.postMessage") == []

    missing = await bot.slash("deck export Nope", ADMIN)
    [answer] = await bot.responses(missing)
    assert "This workspace has no deck named 'Nope'. See them with /quiz deck list." in text_of(answer)


async def test_list_remove_and_the_builtin_deck(deck_bot: tuple[SlackBot, FakeDecks]) -> None:
    bot, decks = deck_bot
    empty = await bot.slash("deck list", ADMIN)
    assert "no decks of its own yet" in text_of((await bot.responses(empty))[0])
    await import_file(bot, "team.csv", CSV.encode(), "Team <@U2>")
    listed = await bot.slash("deck list", ADMIN)
    [answer] = await bot.responses(listed)
    assert answer["response_type"] == "ephemeral"
    assert "Team &lt;@U2&gt;" in text_of(answer) and "<@U2>" not in json.dumps(answer)
    assert "The built-in questions are on here too" in text_of(answer)

    off = await bot.slash("deck builtin off", ADMIN)
    assert "The built-in questions are off" in text_of((await bot.responses(off))[0])
    assert decks.builtin_off == {"slack:T1"}
    removed = await bot.slash("deck remove Team <@U2>", ADMIN)
    assert "Removed the deck 'Team &lt;@U2&gt;'" in text_of((await bot.responses(removed))[0])
    assert decks.decks == {}

    refused = await bot.slash("deck builtin on", MEMBER)
    assert "Only workspace admins can manage decks." in text_of((await bot.responses(refused))[0])
    assert decks.builtin_off == {"slack:T1"}


async def test_without_decks_set_up_the_deck_commands_say_so(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_decks(monkeypatch, None)
    slack_api.admins.add(ADMIN.id)
    async with running_bot(slack_api, tmp_path) as bot:
        sent = await bot.slash("deck list", ADMIN)
        [answer] = await bot.responses(sent)
    assert "Decks are not set up for this Studybot" in text_of(answer)


async def test_written_in_a_direct_message_import_points_to_the_command_and_export_shares_the_file_there(
    deck_bot: tuple[SlackBot, FakeDecks],
) -> None:
    bot, decks = deck_bot
    await import_file(bot, "team.csv", CSV.encode(), "Team")

    await bot.send_raw(direct_message("Ev101", "deck import", user=ADMIN.id), "application/json")
    [told] = await bot.api.wait_ok("chat.postMessage")
    assert told.body["channel"] == "D1"
    assert "Type the command /quiz deck import: it opens a form" in text_of(told.body)

    await bot.send_raw(direct_message("Ev102", "deck export Team", user=ADMIN.id), "application/json")
    [completed] = await bot.api.wait_ok("files.completeUploadExternal")
    assert completed.body["channel_id"] == "D1"
    [uploaded] = bot.api.ok("upload")
    assert bot.api.uploads[uploaded.body["file_id"]] == CSV.encode()
    assert bot.api.ok("conversations.open") == [] and len(bot.api.ok("chat.postMessage")) == 1
