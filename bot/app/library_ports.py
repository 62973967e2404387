"""The storage a workspace's decks need (issue 18): the records and the `Decks` repository.

A deck's questions are kept as the content files' entries, each as a JSON object; the version
of a workspace's library (its decks and whether the shipped bank is on) is bumped by every
change, so each process rebuilds its view of a workspace only when that number moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class LibraryState:
    """One workspace's library as every request reads it: one row, or none when it never
    changed (the shipped bank on, no decks)."""

    workspace_id: int
    builtin: bool
    version: int


@dataclass(frozen=True)
class StoredDeck:
    id: int
    topic_id: str
    name: str
    format: str
    source_file: str
    questions: int
    imported_at: datetime
    revision: str
    """New at every import: what a process's copy of the deck's questions is checked against."""


@dataclass(frozen=True)
class NewDeck:
    topic_id: str
    name: str
    format: str
    source_file: str
    imported_at: datetime


@dataclass(frozen=True)
class DeckEntry:
    """A stored question: its id and its entry as JSON text."""

    question_id: str
    entry: str


class Decks(Protocol):
    def state(self, platform: str, external_id: str) -> LibraryState | None: ...

    def state_of(self, workspace_id: int) -> LibraryState | None: ...

    def of_workspace(self, workspace_id: int) -> list[StoredDeck]:
        """The workspace's decks, oldest first."""
        ...

    def find(self, workspace_id: int, topic_id: str) -> StoredDeck | None: ...

    def entries(self, deck_ids: Sequence[int]) -> dict[int, list[DeckEntry]]:
        """The questions of these decks, each deck's in its order."""
        ...

    def put(self, workspace_id: int, deck: NewDeck, entries: Sequence[DeckEntry]) -> None:
        """Store the deck, replacing the questions of the workspace's deck of the same topic."""
        ...

    def remove(self, workspace_id: int, topic_id: str) -> bool:
        """Delete the deck and its questions; False when there was none."""
        ...

    def bump(self, workspace_id: int, builtin: bool | None = None) -> None:
        """Move the workspace's library version on (and set whether the shipped bank is on)."""
        ...
