"""A workspace's decks on SQLAlchemy Core (`bot.app.library_ports.Decks`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from bot.app.library_ports import DeckEntry, LibraryState, NewDeck, StoredDeck
from bot.db.statements import insert as upsert
from bot.db.tables import workspaces
from bot.db.tables_decks import deck_library, deck_questions, decks

_STATE = select(deck_library.c.workspace_id, deck_library.c.builtin, deck_library.c.version).select_from(
    deck_library.join(workspaces, workspaces.c.id == deck_library.c.workspace_id)
)
_DECKS = select(
    decks.c.id,
    decks.c.topic_id,
    decks.c.name,
    decks.c.format,
    decks.c.source_file,
    decks.c.question_count,
    decks.c.imported_at,
    decks.c.revision,
)


def _deck(row: Any) -> StoredDeck:
    return StoredDeck(
        row.id,
        row.topic_id,
        row.name,
        row.format,
        row.source_file,
        row.question_count,
        row.imported_at,
        row.revision,
    )


class SqlDecks:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def state(self, platform: str, external_id: str) -> LibraryState | None:
        where = (workspaces.c.platform == platform) & (workspaces.c.external_id == external_id)
        row = self.connection.execute(_STATE.where(where)).first()
        return None if row is None else LibraryState(row.workspace_id, bool(row.builtin), row.version)

    def state_of(self, workspace_id: int) -> LibraryState | None:
        row = self.connection.execute(_STATE.where(deck_library.c.workspace_id == workspace_id)).first()
        return None if row is None else LibraryState(row.workspace_id, bool(row.builtin), row.version)

    def of_workspace(self, workspace_id: int) -> list[StoredDeck]:
        query = _DECKS.where(decks.c.workspace_id == workspace_id).order_by(decks.c.id)
        return [_deck(row) for row in self.connection.execute(query)]

    def find(self, workspace_id: int, topic_id: str) -> StoredDeck | None:
        query = _DECKS.where(decks.c.workspace_id == workspace_id, decks.c.topic_id == topic_id)
        row = self.connection.execute(query).first()
        return None if row is None else _deck(row)

    def entries(self, deck_ids: Sequence[int]) -> dict[int, list[DeckEntry]]:
        found: dict[int, list[DeckEntry]] = {deck_id: [] for deck_id in deck_ids}
        if not deck_ids:
            return found
        query = (
            select(deck_questions.c.deck_id, deck_questions.c.question_id, deck_questions.c.entry)
            .where(deck_questions.c.deck_id.in_(list(deck_ids)))
            .order_by(deck_questions.c.deck_id, deck_questions.c.position)
        )
        for deck_id, question_id, entry in self.connection.execute(query):
            found[deck_id].append(DeckEntry(question_id, entry))
        return found

    def put(self, workspace_id: int, deck: NewDeck, entries: Sequence[DeckEntry]) -> None:
        values = {
            "name": deck.name,
            "format": deck.format,
            "source_file": deck.source_file,
            "question_count": len(entries),
            "imported_at": deck.imported_at,
            "revision": uuid.uuid4().hex,
        }
        existing = self.find(workspace_id, deck.topic_id)
        if existing is None:
            row = self.connection.execute(
                insert(decks).returning(decks.c.id),
                {"workspace_id": workspace_id, "topic_id": deck.topic_id, **values},
            )
            deck_id = int(row.scalar_one())
        else:
            deck_id = existing.id
            self.connection.execute(update(decks).where(decks.c.id == deck_id).values(values))
            self.connection.execute(delete(deck_questions).where(deck_questions.c.deck_id == deck_id))
        if entries:
            self.connection.execute(
                insert(deck_questions),
                [
                    {"deck_id": deck_id, "position": i, "question_id": e.question_id, "entry": e.entry}
                    for i, e in enumerate(entries)
                ],
            )

    def remove(self, workspace_id: int, topic_id: str) -> bool:
        existing = self.find(workspace_id, topic_id)
        if existing is None:
            return False
        self.connection.execute(delete(deck_questions).where(deck_questions.c.deck_id == existing.id))
        self.connection.execute(delete(decks).where(decks.c.id == existing.id))
        return True

    def bump(self, workspace_id: int, builtin: bool | None = None) -> None:
        self.connection.execute(
            upsert(self.connection, deck_library)
            .values(workspace_id=workspace_id, version=0)
            .on_conflict_do_nothing(index_elements=["workspace_id"])
        )
        changes: dict[str, Any] = {"version": deck_library.c.version + 1}
        if builtin is not None:
            changes["builtin"] = builtin
        self.connection.execute(
            update(deck_library).where(deck_library.c.workspace_id == workspace_id).values(changes)
        )
