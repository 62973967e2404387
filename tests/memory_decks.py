"""The in-memory `Decks` repository, on the in-memory unit of work's state (`tests/memory.py`).

Entries stay JSON text, as the database keeps them, so copying the state for a transaction
does not copy every question."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.app.library_ports import DeckEntry, LibraryState, NewDeck, StoredDeck

if TYPE_CHECKING:
    from tests.memory import _State


@dataclass
class DeckState:
    decks: dict[int, tuple[int, StoredDeck]] = field(default_factory=dict)
    """(workspace id, deck) by deck id."""
    entries: dict[int, tuple[DeckEntry, ...]] = field(default_factory=dict)
    libraries: dict[int, LibraryState] = field(default_factory=dict)
    next_id: int = 1


class MemoryDecks:
    def __init__(self, state: _State) -> None:
        self.s = state
        self.d = state.decks

    def state(self, platform: str, external_id: str) -> LibraryState | None:
        for workspace in self.s.workspaces.values():
            if (workspace.platform, workspace.external_id) == (platform, external_id):
                return self.d.libraries.get(workspace.id)
        return None

    def state_of(self, workspace_id: int) -> LibraryState | None:
        return self.d.libraries.get(workspace_id)

    def of_workspace(self, workspace_id: int) -> list[StoredDeck]:
        return [
            deck
            for owner, deck in sorted(self.d.decks.values(), key=lambda d: d[1].id)
            if owner == workspace_id
        ]

    def find(self, workspace_id: int, topic_id: str) -> StoredDeck | None:
        return next((d for d in self.of_workspace(workspace_id) if d.topic_id == topic_id), None)

    def entries(self, deck_ids: Sequence[int]) -> dict[int, list[DeckEntry]]:
        return {deck_id: list(self.d.entries.get(deck_id, ())) for deck_id in deck_ids}

    def put(self, workspace_id: int, deck: NewDeck, entries: Sequence[DeckEntry]) -> None:
        existing = self.find(workspace_id, deck.topic_id)
        deck_id = existing.id if existing else self.d.next_id
        self.d.next_id += existing is None
        stored = StoredDeck(
            deck_id,
            deck.topic_id,
            deck.name,
            deck.format,
            deck.source_file,
            len(entries),
            deck.imported_at,
            uuid.uuid4().hex,
        )
        self.d.decks[deck_id] = (workspace_id, stored)
        self.d.entries[deck_id] = tuple(entries)

    def remove(self, workspace_id: int, topic_id: str) -> bool:
        existing = self.find(workspace_id, topic_id)
        if existing is None:
            return False
        del self.d.decks[existing.id], self.d.entries[existing.id]
        return True

    def bump(self, workspace_id: int, builtin: bool | None = None) -> None:
        library = self.d.libraries.get(workspace_id, LibraryState(workspace_id, True, 0))
        self.d.libraries[workspace_id] = replace(
            library, version=library.version + 1, builtin=library.builtin if builtin is None else builtin
        )
