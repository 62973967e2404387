"""`/quiz deck ...` carried out against the workspace's `DeckAdmin` (issue 18).

The command model checks the admin rule before it gets here (`commands.ADMIN_COMMANDS`); the
adapters only fetch and upload files and render these replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.app.deck_ports import DeckAdmin, DeckSummary, ExportedDeck, ImportReport
from bot.errors import Command, QuizError
from bot.grammar_decks import (
    DeckCommand,
    ExportDeck,
    ImportDeck,
    ListDecks,
    OpenDeckImport,
    RemoveDeck,
    SetBuiltin,
)

DECKS_ADMINS_ONLY = "Only workspace admins can manage decks."
DECKS_OFF = "Decks are not set up for this Studybot; ask whoever runs it."


@dataclass(frozen=True)
class DeckImportForm:
    """`deck import` by an admin: the platform asks for the file (Slack's modal), with the deck's
    name filled in when it was typed."""

    name: str | None = None


@dataclass(frozen=True)
class DeckList:
    decks: tuple[DeckSummary, ...]
    builtin: bool
    """Whether the shipped bank (the built-in deck) is on for the workspace."""


@dataclass(frozen=True)
class DeckChanged:
    """A deck removed, or the built-in deck turned on or off: the confirmation to show."""

    text: str


DeckReply = DeckImportForm | DeckList | DeckChanged | ImportReport | ExportedDeck


def no_such_deck(name: str) -> QuizError:
    return QuizError(f"This workspace has no deck named '{name}'. See them with ", Command.DECK_LIST, ".")


async def run_deck_command(decks: DeckAdmin, workspace_id: str, command: DeckCommand) -> DeckReply:
    """One deck command for one workspace (`slack:T…`, `discord:…`, `terminal`)."""
    match command:
        case OpenDeckImport(name):
            return DeckImportForm(name)
        case ImportDeck(name, fetch, choices, dry_run):
            file = await fetch()
            return await decks.import_deck(
                workspace_id, name, file.filename, file.data, choices=choices, dry_run=dry_run
            )
        case ListDecks():
            listed: Sequence[DeckSummary] = await decks.list_decks(workspace_id)
            return DeckList(tuple(listed), await decks.builtin_enabled(workspace_id))
        case RemoveDeck(name):
            if not await decks.remove_deck(workspace_id, name):
                raise no_such_deck(name)
            return DeckChanged(f"Removed the deck '{name}': its questions are gone from every list.")
        case ExportDeck(name, fmt):
            exported = await decks.export_deck(workspace_id, name, fmt)
            if exported is None:
                raise no_such_deck(name)
            return exported
        case SetBuiltin(enabled):
            await decks.set_builtin(workspace_id, enabled)
            if enabled:
                return DeckChanged("The built-in questions are on for this workspace again.")
            return DeckChanged(
                "The built-in questions are off for this workspace: only your own decks are asked."
            )
    raise AssertionError(f"unhandled deck command {command!r}")
