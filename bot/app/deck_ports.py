"""What the chat adapters and the command line ask of a workspace's decks (issue 18).

`DeckAdmin` is implemented by the core's deck service; the adapters (Slack's modal with a file
input, Discord's attachment option, `studybot deck ...`) only fetch the file's bytes and render
what comes back. Every method checks nothing about who asks: the admin rule is the caller's, as
for the question of the day.

`workspace_id` is the workspace as the command line and the dashboard spell it
(`bot.app.dashboard_model.workspace_key(actor.platform, actor.workspace)`): `slack:T0123`,
`discord:123456789` or `terminal`; anything else raises `QuizError` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.bank import Problem

ExportFormat = Literal["apkg", "csv", "yaml"]
WORKSPACE_SPELLING = "slack:T0123, discord:123456789 or terminal"
"""How a workspace is named to the deck commands (`workspace_id`)."""


@dataclass(frozen=True)
class DeckSummary:
    """One deck of a workspace, as `deck list` shows it."""

    name: str
    topic_id: str
    questions: int
    imported_at: datetime
    source_file: str


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an import or a dry run: `problems` empty means every question is valid.

    Nothing is stored when `problems` is not empty or `dry_run` is set; `kept_history` counts the
    questions of a re-imported deck whose text is unchanged (their answers and cards are kept).
    """

    deck: str
    format: str
    questions: int
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    dry_run: bool
    replaced: bool = False
    kept_history: int = 0
    kinds: tuple[tuple[str, int], ...] = ()
    """How many questions of each kind (`multiple_choice`, `flashcard` ...), most first."""

    @property
    def stored(self) -> bool:
        return not self.problems and not self.dry_run


@dataclass(frozen=True)
class ExportedDeck:
    filename: str
    data: bytes


class DeckAdmin(Protocol):
    async def import_deck(
        self,
        workspace_id: str,
        name: str,
        filename: str,
        data: bytes,
        *,
        choices: int | None = None,
        dry_run: bool = False,
    ) -> ImportReport: ...

    async def list_decks(self, workspace_id: str) -> Sequence[DeckSummary]: ...

    async def remove_deck(self, workspace_id: str, name: str) -> bool:
        """True when the deck existed and is gone (its questions leave every list)."""
        ...

    async def export_deck(self, workspace_id: str, name: str, fmt: ExportFormat) -> ExportedDeck | None:
        """None when the workspace has no such deck."""
        ...

    async def set_builtin(self, workspace_id: str, enabled: bool) -> None:
        """Turn the shipped bank (the built-in deck) on or off for one workspace."""
        ...

    async def builtin_enabled(self, workspace_id: str) -> bool: ...
