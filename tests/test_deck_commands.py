"""`/quiz deck ...` in the command model (issue 18): the grammar, the admin rule (checked before a
file is fetched), the workspace each platform's decks belong to, and decks not set up."""

from __future__ import annotations

import pytest

from adapters.terminal_render import reply
from bot.app.commands import Notice
from bot.app.deck_commands import DECKS_ADMINS_ONLY, DECKS_OFF, DeckChanged, DeckImportForm, DeckList
from bot.app.deck_ports import ExportedDeck, ImportReport
from bot.bank import Problem, QuestionBank
from bot.bootstrap import Services, wire
from bot.grammar import Ask, Invalid, parse
from bot.grammar_decks import (
    DeckFile,
    ExportDeck,
    ImportDeck,
    ListDecks,
    OpenDeckImport,
    RemoveDeck,
    SetBuiltin,
    file_type_refusal,
)
from bot.models import Actor
from tests.conftest import FrozenClock
from tests.fake_decks import FakeDecks, ImportCall
from tests.memory import MemoryUnitOfWork

ADMIN = Actor("slack", "T1", "U1", "ada", is_admin=True)
MEMBER = Actor("slack", "T1", "U2", "bob")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deck import", OpenDeckImport()),
        ("/quiz deck IMPORT", OpenDeckImport()),
        ("deck import Team  ECS", OpenDeckImport("Team ECS")),
        ("deck", ListDecks()),
        ("deck list", ListDecks()),
        ("decks list", ListDecks()),
        ("deck remove Team  ECS notes", RemoveDeck("Team ECS notes")),
        ("deck export Team ECS", ExportDeck("Team ECS", "csv")),
        ("deck export Team ECS APKG", ExportDeck("Team ECS", "apkg")),
        ("deck export yaml", ExportDeck("yaml", "csv")),
        ("deck builtin off", SetBuiltin(False)),
        ("deck builtin ON", SetBuiltin(True)),
    ],
)
def test_deck_commands_parse(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("deck remove", "Name the deck"),
        ("deck export", "Name the deck"),
        ("deck builtin maybe", "Say on or off"),
        ("deck burn", "'burn' is not a deck command"),
    ],
)
def test_a_wrong_deck_command_says_how(text: str, said: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, Invalid) and said in parsed.message


def test_a_topic_named_like_deck_is_still_a_topic() -> None:
    """`deck` is no fuzzy keyword: a deck named "Deck 1" (topic deck-1) is asked for by name."""
    assert parse("deck-1") == Ask("deck-1")
    assert parse("decks-2") == Ask("decks-2")


def test_a_file_type_no_importer_reads_is_named() -> None:
    assert file_type_refusal("team.CSV") is None and file_type_refusal("deck.apkg") is None
    refusal = file_type_refusal("slides.pdf")
    assert refusal is not None and "'slides.pdf' is none of them" in refusal


def refused(reply: object) -> bool:
    return isinstance(reply, Notice) and reply.text == DECKS_ADMINS_ONLY


@pytest.fixture
def services(bank: QuestionBank, clock: FrozenClock) -> Services:
    return wire(MemoryUnitOfWork(), bank, clock)


@pytest.fixture
def decks(services: Services) -> FakeDecks:
    fake = FakeDecks()
    services.commands.decks = fake
    return fake


async def test_an_import_fetches_the_file_only_for_an_admin(services: Services, decks: FakeDecks) -> None:
    fetched: list[str] = []

    async def fetch() -> DeckFile:
        fetched.append("fetched")
        return DeckFile("team.csv", b"question,answer\nQ,A\n")

    command = ImportDeck("Team", fetch, 4, dry_run=False)
    assert refused(await services.commands.execute(MEMBER, "C1", command))
    assert fetched == [] and decks.calls == []

    report = await services.commands.execute(ADMIN, "C1", command)
    assert isinstance(report, ImportReport) and report.stored
    assert decks.imports == [ImportCall("slack:T1", "Team", "team.csv", b"question,answer\nQ,A\n", 4, False)]


async def test_each_platform_names_its_workspace_as_the_command_line_does(
    services: Services, decks: FakeDecks
) -> None:
    for actor, key in (
        (ADMIN, "slack:T1"),
        (Actor("discord", "123456789", "9", "ada", is_admin=True), "discord:123456789"),
        (Actor("terminal", "local", "me", "me", is_admin=True), "terminal"),
    ):
        await services.commands.execute(actor, "C1", SetBuiltin(False))
        assert key in decks.builtin_off


async def test_list_remove_export_and_builtin(services: Services, decks: FakeDecks) -> None:
    run = services.commands.execute
    assert await run(ADMIN, "C1", OpenDeckImport()) == DeckImportForm()
    assert await run(ADMIN, "C1", ListDecks()) == DeckList((), builtin=True)

    async def fetch() -> DeckFile:
        return DeckFile("team.csv", b"question,answer\nQ,A\n")

    await run(ADMIN, "C1", ImportDeck("Team", fetch))
    listed = await run(ADMIN, "C1", ListDecks())
    assert isinstance(listed, DeckList) and [d.name for d in listed.decks] == ["Team"]
    exported = await run(ADMIN, "C1", ExportDeck("Team", "yaml"))
    assert exported == ExportedDeck("team.yaml", b"question,answer\nQ,A\n")
    missing = await run(ADMIN, "C1", ExportDeck("Nope", "csv"))
    assert isinstance(missing, Notice) and "no deck named 'Nope'" in missing.text
    assert isinstance(await run(ADMIN, "C1", RemoveDeck("Team")), DeckChanged)
    gone = await run(ADMIN, "C1", RemoveDeck("Team"))
    assert isinstance(gone, Notice) and "no deck named 'Team'" in gone.text
    for command in (ListDecks(), RemoveDeck("Team"), ExportDeck("Team"), SetBuiltin(True), OpenDeckImport()):
        assert refused(await run(MEMBER, "C1", command))


async def test_without_decks_set_up_the_commands_say_so(services: Services) -> None:
    services.commands.decks = None
    assert await services.commands.execute(ADMIN, "C1", ListDecks()) == Notice(DECKS_OFF)


def test_the_terminal_shows_deck_replies_and_points_to_the_command_line_for_files() -> None:
    listed = DeckList((), builtin=False)
    assert reply(listed) == "\n".join(
        [
            "This workspace has no decks of its own yet. Import one with /quiz deck import.",
            "The built-in questions are off here (/quiz deck builtin on turns them back on).",
        ]
    )
    assert "studybot deck import FILE --workspace terminal" in reply(DeckImportForm())
    assert "studybot deck export NAME --workspace terminal" in reply(ExportedDeck("t.csv", b""))
    problem = Problem("t.csv", 2, "answer", "is empty")
    report = ImportReport("Team", "csv", 0, (problem,), (), dry_run=True)
    assert reply(report).splitlines()[1] == "t.csv:2: answer: is empty"
