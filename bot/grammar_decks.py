"""`/quiz deck ...`: a workspace's own decks, for admins (issue 18).

`deck import` typed in chat only asks the platform for the file (Slack opens a modal with a file
input; Discord takes the file as an attachment option of `/quiz-admin deck import`); the adapter
then builds `ImportDeck` with a way to fetch the file's bytes, which the command model calls only
once the admin rule has passed, so a non-admin's file is never downloaded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import get_args

from bot.app.deck_ports import ExportFormat
from bot.decks import EXTENSIONS
from bot.decks.limits import MAX_NAME

EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
DEFAULT_EXPORT: ExportFormat = "csv"
# The file names the importers read, offered in Slack's file input.
DECK_FILE_TYPES = tuple(extension.removeprefix(".") for extension in EXTENSIONS)
DECK_USAGE = (
    "Usage: /quiz deck import | deck list | deck remove NAME | deck export NAME [apkg|csv|yaml] "
    "| deck builtin on|off"
)
NAME_THE_DECK = f"Name the deck (at most {MAX_NAME} characters)."


@dataclass(frozen=True)
class DeckFile:
    """A deck file as the platform handed it over: its name (which tells its format) and bytes."""

    filename: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class OpenDeckImport:
    """`deck import [NAME]` typed: the platform asks the admin for the file (the name filled in)."""

    name: str | None = None


@dataclass(frozen=True)
class ImportDeck:
    """Import (or, with `dry_run`, only check) a file as the deck `name`. `fetch` downloads the
    file; it raises `UserFacingError` for a file that is too big or of a type no importer reads."""

    name: str
    fetch: Callable[[], Awaitable[DeckFile]] = field(compare=False, repr=False)
    choices: int | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class ListDecks:
    pass


@dataclass(frozen=True)
class RemoveDeck:
    name: str


@dataclass(frozen=True)
class ExportDeck:
    name: str
    fmt: ExportFormat = DEFAULT_EXPORT


@dataclass(frozen=True)
class SetBuiltin:
    """Turn the shipped bank (the built-in deck) on or off for the workspace."""

    enabled: bool


DeckCommand = OpenDeckImport | ImportDeck | ListDecks | RemoveDeck | ExportDeck | SetBuiltin
DECK_COMMANDS: tuple[type, ...] = (OpenDeckImport, ImportDeck, ListDecks, RemoveDeck, ExportDeck, SetBuiltin)


def deck_name(raw: str) -> str | None:
    """A deck name as typed, its spaces collapsed; None when empty or too long."""
    name = " ".join(raw.split())
    return name if 0 < len(name) <= MAX_NAME else None


def file_type_refusal(filename: str) -> str | None:
    """Why a file cannot be a deck by its name alone (checked before it is downloaded)."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix in DECK_FILE_TYPES:
        return None
    shown = ", ".join("." + kind for kind in DECK_FILE_TYPES)
    return f"Studybot reads decks from {shown} files; '{filename}' is none of them."


def export_format(word: str) -> ExportFormat | None:
    return next((fmt for fmt in EXPORT_FORMATS if fmt == word.casefold()), None)


def parse_deck(typed: list[str]) -> DeckCommand | str:
    """The words after `deck`, as typed (a deck name keeps its case); a usage line when wrong."""
    if not typed:
        return ListDecks()
    head, rest = typed[0].casefold(), typed[1:]
    if head == "import":
        return OpenDeckImport(deck_name(" ".join(rest)))
    if head in ("list", "ls"):
        return ListDecks()
    if head == "builtin":
        words = [word.casefold() for word in rest]
        if words in (["on"], ["off"]):
            return SetBuiltin(words == ["on"])
        return "Say on or off: /quiz deck builtin on|off"
    if head not in ("remove", "delete", "export"):
        return f"'{typed[0]}' is not a deck command. {DECK_USAGE}"
    fmt: ExportFormat | None = None
    if head == "export" and len(rest) > 1:
        fmt = export_format(rest[-1])
        rest = rest[:-1] if fmt is not None else rest
    name = deck_name(" ".join(rest))
    if name is None:
        return f"{NAME_THE_DECK[:-1]}: /quiz deck {head} NAME"
    if head == "export":
        return ExportDeck(name, fmt or DEFAULT_EXPORT)
    return RemoveDeck(name)
