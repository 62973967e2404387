"""A `DeckAdmin` that keeps decks in memory and records every call: the chat adapters' tests
run against it, so they check what the adapters hand the port (workspace, name, file name,
bytes, options) and how they show what comes back, whatever the storage behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.app.deck_ports import DeckSummary, ExportedDeck, ExportFormat, ImportReport
from bot.bank import Problem

IMPORTED_AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ImportCall:
    workspace_id: str
    name: str
    filename: str
    data: bytes
    choices: int | None
    dry_run: bool


@dataclass
class FakeDecks:
    """`problems` are reported by the next imports (none: every line after the first of the file
    is a question, and a question kept from the deck it replaces keeps its history); `decks` are
    the stored decks by (workspace, name)."""

    imports: list[ImportCall] = field(default_factory=list)
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    decks: dict[tuple[str, str], DeckSummary] = field(default_factory=dict)
    exports: dict[tuple[str, str], bytes] = field(default_factory=dict)
    builtin_off: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)

    async def import_deck(
        self,
        workspace_id: str,
        name: str,
        filename: str,
        data: bytes,
        *,
        choices: int | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        self.calls.append("import_deck")
        self.imports.append(ImportCall(workspace_id, name, filename, data, choices, dry_run))
        lines = data.decode("utf-8", "replace").splitlines()[1:]
        before = self.exports.get((workspace_id, name))
        kept = 0 if before is None else len(set(lines) & set(before.decode().splitlines()[1:]))
        fmt = filename.rsplit(".", 1)[-1]
        replaced = before is not None
        report = ImportReport(name, fmt, len(lines), self.problems, self.warnings, dry_run, replaced, kept)
        if report.stored:
            summary = DeckSummary(name, name.casefold().replace(" ", "-"), len(lines), IMPORTED_AT, filename)
            self.decks[(workspace_id, name)] = summary
            self.exports[(workspace_id, name)] = data
        return report

    async def list_decks(self, workspace_id: str) -> Sequence[DeckSummary]:
        self.calls.append("list_decks")
        return [deck for (workspace, _), deck in sorted(self.decks.items()) if workspace == workspace_id]

    async def remove_deck(self, workspace_id: str, name: str) -> bool:
        self.calls.append("remove_deck")
        self.exports.pop((workspace_id, name), None)
        return self.decks.pop((workspace_id, name), None) is not None

    async def export_deck(self, workspace_id: str, name: str, fmt: ExportFormat) -> ExportedDeck | None:
        self.calls.append("export_deck")
        data = self.exports.get((workspace_id, name))
        if data is None:
            return None
        return ExportedDeck(f"{name.casefold().replace(' ', '-')}.{fmt}", data)

    async def set_builtin(self, workspace_id: str, enabled: bool) -> None:
        self.calls.append("set_builtin")
        if enabled:
            self.builtin_off.discard(workspace_id)
        else:
            self.builtin_off.add(workspace_id)

    async def builtin_enabled(self, workspace_id: str) -> bool:
        self.calls.append("builtin_enabled")
        return workspace_id not in self.builtin_off
