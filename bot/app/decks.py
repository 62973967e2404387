"""A workspace's own decks (issue 18): import, list, remove, export, and the shipped bank on or
off. `DeckService` implements `bot.app.deck_ports.DeckAdmin` for the chat adapters and the
command line; who may call it (admins) is the caller's rule.

An import is all or nothing: the file is read and every question checked first (off the event
loop: a 5,000-card package takes a while to parse), then one transaction stores the deck,
replacing a deck of the same name, and bumps the workspace's library version so that every
process sees the change with its next command.

A deck's question ids are stable: `<deck topic>-<12 hex digits of SHA-256 of "platform:workspace",
the deck's topic and the prompt>`. Re-importing a deck whose question reads the same gives it the
same id, so its answers, points and spaced-repetition cards (stored by question id) still count;
a question whose prompt changed is a new question. The workspace in the hash keeps two
workspaces' ids apart even for the same file.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from bot.app.dashboard import parse_workspace_key
from bot.app.deck_ports import WORKSPACE_SPELLING, DeckSummary, ExportedDeck, ExportFormat, ImportReport
from bot.app.library import LibraryUseCase
from bot.app.library_ports import DeckEntry, NewDeck
from bot.app.ports import Repositories, Workspace
from bot.bank import Problem, QuestionBank
from bot.decks.limits import MAX_DECKS, MAX_NAME
from bot.errors import QuizError
from bot.grammar import Ask, parse

if TYPE_CHECKING:
    from bot.decks.entries import DeckImport

RESERVED_TOPICS = frozenset({"deck", "decks", "all"})
"""Words a deck may not be named: `/quiz deck ...` manages decks, `all` means every topic."""
_ID_PREFIX = 32


def workspace_of(key: str) -> tuple[str, str]:
    """(platform, workspace) from `slack:T0123`, `discord:123456789` or `terminal`."""
    parsed = parse_workspace_key(key.strip())
    if parsed is None:
        raise QuizError(f"'{key}' is not a workspace: write {WORKSPACE_SPELLING}.")
    return parsed


def stable_id(platform: str, workspace: str, topic: str, prompt: str) -> str:
    """A deck question's id (see the module docstring)."""
    digest = hashlib.sha256(f"{platform}:{workspace}\n{topic}\n{prompt}".encode()).hexdigest()
    return f"{topic[:_ID_PREFIX].rstrip('-')}-{digest[:12]}"


def _named(name: str) -> tuple[str, str]:
    """The deck's name made plain, and its topic id. (The text module loads with the first
    deck command, not with `studybot serve`.)"""
    from bot.decks.text import plain, slug

    clean = plain(name, one_line=True)
    return clean, slug(clean)


def _name_problem(display: str, name: str, topic: str, builtin: QuestionBank) -> Problem | None:
    """Why the deck cannot have this name: its topic must be asked for as `/quiz TOPIC`, so it
    may not read as another command, nor as another name of a shipped topic."""
    if not name:
        return Problem(display, 1, "name", "a deck needs a name")
    if len(name) > MAX_NAME:
        return Problem(display, 1, "name", f"is longer than the {MAX_NAME} characters a deck's name may be")
    if not topic:
        return Problem(display, 1, "name", "needs at least one letter or digit (it becomes the deck's topic)")
    if topic in RESERVED_TOPICS or parse(topic) != Ask(topic):
        return Problem(display, 1, "name", f"'{topic}' reads as a /quiz command: choose another name")
    shipped = builtin.topic_index.resolve(topic)
    if shipped is not None and shipped.id != topic:
        return Problem(
            display, 1, "name", f"'{topic}' is another name of the shipped topic {shipped.id}: choose another"
        )
    return None


def _exported(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored entry as the exporters take it (the date it was last checked as a date)."""
    verified = entry.get("verified")
    if isinstance(verified, str):
        entry["verified"] = date.fromisoformat(verified)
    return entry


@dataclass(frozen=True)
class CheckedDeck:
    """A file read as the deck `name` (made plain; `topic` its topic id), before it is stored."""

    name: str
    topic: str
    display: str
    read: DeckImport
    dry_run: bool
    problems: tuple[Problem, ...]
    """The name's problems, then the file's."""

    def report(
        self, problems: tuple[Problem, ...] | None = None, replaced: bool = False, kept: int = 0
    ) -> ImportReport:
        """The import's report; `problems` those the file has and storing it found (default:
        the file's own)."""
        kinds = Counter(str(entry.get("kind", "")) for entry in self.read.entries).most_common()
        return ImportReport(
            self.name,
            self.read.format,
            len(self.read.entries),
            self.problems if problems is None else problems,
            self.read.warnings,
            self.dry_run,
            replaced,
            kept,
            tuple(kinds),
        )


def check_deck(
    builtin: QuestionBank,
    name: str,
    filename: str,
    data: bytes,
    choices: int | None = None,
    fmt: str | None = None,
    dry_run: bool = True,
) -> CheckedDeck:
    """The file read and checked as the deck `name`, every problem of both at once. Both an
    import and the command line's dry run of a file alone (no workspace) go through here, so a
    file and a name that pass a dry run pass the import's checks too. (The parsers load with
    the first deck command, not with `studybot serve`.)"""
    from bot.decks.entries import DeckOptions
    from bot.decks.reader import read_deck

    name, topic = _named(name)
    display = PurePath(filename).name or "deck"
    named = _name_problem(display, name, topic, builtin)
    read = read_deck(data, filename, DeckOptions(topic=topic or "deck", choices=choices), fmt)
    problems = (named, *read.problems) if named else read.problems
    return CheckedDeck(name, topic, display, read, dry_run, problems)


class DeckService(LibraryUseCase):
    def _workspace(self, repositories: Repositories, platform: str, workspace: str) -> Workspace:
        found = repositories.people.find_workspace(platform, workspace)
        return found or repositories.people.workspace(
            platform, workspace, "", self.default_timezone, self.clock.now()
        )

    # -- import ---------------------------------------------------------------------------

    async def import_deck(
        self,
        workspace_id: str,
        name: str,
        filename: str,
        data: bytes,
        *,
        choices: int | None = None,
        dry_run: bool = False,
        fmt: str | None = None,
    ) -> ImportReport:
        """Read, check and (unless `dry_run` or a problem) store a deck; every problem at once.
        `fmt` reads the file as that format (`bot.decks.FORMATS`) whatever its name says."""
        platform, workspace = workspace_of(workspace_id)
        checked = await asyncio.to_thread(
            check_deck, self.library.builtin, name, filename, data, choices, fmt, dry_run
        )
        entries = [dict(entry) for entry in checked.read.entries]
        for entry in entries:
            entry["id"] = stable_id(platform, workspace, checked.topic, str(entry.get("prompt", "")))
        stored = [DeckEntry(e["id"], json.dumps(e, ensure_ascii=False, default=str)) for e in entries]
        deck = NewDeck(
            checked.topic, checked.name, checked.read.format, checked.display[:255], self.clock.now()
        )

        def store(repositories: Repositories) -> tuple[list[Problem], bool, int]:
            found = repositories.people.find_workspace(platform, workspace)
            existing = found and repositories.decks.find(found.id, checked.topic)
            problems = list(checked.problems)
            if not existing and found and len(repositories.decks.of_workspace(found.id)) >= MAX_DECKS:
                problems.append(
                    Problem(
                        checked.display,
                        1,
                        "",
                        f"the workspace has {MAX_DECKS} decks, the most it may hold: "
                        "remove one first (deck remove), or re-import one of them by its name",
                    )
                )
            kept = 0
            if existing:
                before = {e.question_id for e in repositories.decks.entries([existing.id])[existing.id]}
                kept = sum(1 for e in stored if e.question_id in before)
            if problems or dry_run:
                return problems, bool(existing), kept
            owner = found or self._workspace(repositories, platform, workspace)
            repositories.decks.put(owner.id, deck, stored)
            repositories.decks.bump(owner.id)
            return problems, bool(existing), kept

        run = self.uow.read if dry_run or checked.problems else self.uow.write
        problems, replaced, kept = await run(store)
        if not problems and not dry_run:
            self.library.forget_workspace(platform, workspace)
        return checked.report(tuple(problems), replaced, kept)

    # -- the rest -------------------------------------------------------------------------

    async def list_decks(self, workspace_id: str) -> Sequence[DeckSummary]:
        platform, workspace = workspace_of(workspace_id)

        def read(repositories: Repositories) -> list[DeckSummary]:
            found = repositories.people.find_workspace(platform, workspace)
            decks = repositories.decks.of_workspace(found.id) if found else []
            return [DeckSummary(d.name, d.topic_id, d.questions, d.imported_at, d.source_file) for d in decks]

        return await self.uow.read(read)

    async def remove_deck(self, workspace_id: str, name: str) -> bool:
        platform, workspace = workspace_of(workspace_id)
        _, topic = _named(name)

        def remove(repositories: Repositories) -> bool:
            found = repositories.people.find_workspace(platform, workspace)
            if found is None or not topic or not repositories.decks.remove(found.id, topic):
                return False
            repositories.decks.bump(found.id)
            return True

        removed = await self.uow.write(remove)
        if removed:
            self.library.forget_workspace(platform, workspace)
        return removed

    async def export_deck(self, workspace_id: str, name: str, fmt: ExportFormat) -> ExportedDeck | None:
        platform, workspace = workspace_of(workspace_id)
        _, topic = _named(name)

        def read(repositories: Repositories) -> tuple[str, list[DeckEntry]] | None:
            found = repositories.people.find_workspace(platform, workspace)
            deck = found and topic and repositories.decks.find(found.id, topic)
            if not deck:
                return None
            return deck.name, repositories.decks.entries([deck.id])[deck.id]

        found = await self.uow.read(read)
        if found is None:
            return None
        deck_name, stored = found
        entries = [_exported(json.loads(e.entry)) for e in stored]
        from bot.decks.export import write_deck

        return ExportedDeck(f"{topic}.{fmt}", write_deck(entries, fmt, deck_name))

    async def set_builtin(self, workspace_id: str, enabled: bool) -> None:
        platform, workspace = workspace_of(workspace_id)

        def toggle(repositories: Repositories) -> None:
            repositories.decks.bump(self._workspace(repositories, platform, workspace).id, builtin=enabled)

        await self.uow.write(toggle)
        self.library.forget_workspace(platform, workspace)

    async def builtin_enabled(self, workspace_id: str) -> bool:
        platform, workspace = workspace_of(workspace_id)
        state = await self.uow.read(lambda r: r.decks.state(platform, workspace))
        return state is None or state.builtin
