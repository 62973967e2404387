"""The notes of an Anki collection (the SQLite database inside an .apkg), as cards.

The database is opened in memory from its bytes (`sqlite3` `deserialize`): nothing is written
to disk. It may be hostile, so it is read-only, its schema is not trusted (no functions from
views or triggers), its pages are checked as they are read (`cell_size_check`), no value may
exceed 10 MB, only real tables are queried, and a progress handler stops any query that runs
for too long. Note types come from the `notetypes` and `fields` tables (schema 18, the
`collection.anki21b` of Anki 2.1.50 and later) or the `col.models` JSON (older collections).
Basic notes are one flashcard, Basic-and-reversed two, Cloze notes one a deletion number.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.decks.anki_studybot import STUDYBOT_FIELD, card_of
from bot.decks.cloze import is_image_occlusion, note_cards
from bot.decks.entries import Card
from bot.decks.table_format import column_field
from bot.decks.text import html_to_text

# SQLite virtual-machine steps a whole read may take (a 5,000-note deck takes about a million).
_MAX_STEPS = 200_000_000
_STEP_CHECK = 100_000
# No text or blob a query returns may be longer (a note's fields together are far shorter).
_MAX_VALUE_BYTES = 10 * 1024 * 1024
_CLOZE_KIND = 1
_FIELD_SEPARATOR = "\x1f"


class CollectionError(Exception):
    """The database is not an Anki collection we can read; the message says why."""


@dataclass
class NoteType:
    name: str
    fields: list[str]
    cloze: bool = False


@dataclass
class Notes:
    cards: list[Card] = field(default_factory=list)
    occlusions: int = 0
    media: int = 0
    unusable: list[tuple[int, str]] = field(default_factory=list)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        shift += 7
        if not byte & 0x80:
            return value, at


def protobuf_kind(config: bytes) -> int:
    """Field 1 (`kind`: 0 normal, 1 cloze) of Anki's NotetypeConfig message; 0 if absent."""
    at = 0
    try:
        while at < len(config):
            tag, at = _varint(config, at)
            number, wire = tag >> 3, tag & 7
            if wire == 0:
                value, at = _varint(config, at)
                if number == 1:
                    return value
            elif wire == 1:
                at += 8
            elif wire == 2:
                length, at = _varint(config, at)
                at += length
            elif wire == 5:
                at += 4
            else:
                return 0
    except ValueError:
        return 0
    return 0


def _open(database: bytes) -> sqlite3.Connection:
    if not database.startswith(b"SQLite format 3\x00"):
        raise CollectionError("its collection is not an SQLite database")
    connection = sqlite3.connect(":memory:")
    steps = [0]

    def progress() -> int:
        steps[0] += _STEP_CHECK
        return 1 if steps[0] > _MAX_STEPS else 0

    try:
        connection.deserialize(database)
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA cell_size_check = ON")
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _MAX_VALUE_BYTES)
        connection.set_progress_handler(progress, _STEP_CHECK)
    except sqlite3.Error as error:
        connection.close()
        raise CollectionError(f"its collection cannot be opened: {error}") from error
    return connection


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _note_types(connection: sqlite3.Connection, tables: set[str]) -> dict[int, NoteType]:
    if {"notetypes", "fields"} <= tables:
        types = {
            int(ntid): NoteType(str(name), [], protobuf_kind(bytes(config or b"")) == _CLOZE_KIND)
            for ntid, name, config in connection.execute("SELECT id, name, config FROM notetypes")
        }
        for ntid, name in connection.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
            if int(ntid) in types:
                types[int(ntid)].fields.append(str(name))
        return types
    row = connection.execute("SELECT models FROM col").fetchone()
    models: Any = json.loads(row[0]) if row and row[0] else {}
    if not isinstance(models, dict):
        raise CollectionError("its note types cannot be read")
    types = {}
    for key, model in models.items():
        if isinstance(model, dict) and str(key).lstrip("-").isdigit():
            names = [str(f.get("name", "")) for f in model.get("flds", []) if isinstance(f, dict)]
            types[int(key)] = NoteType(str(model.get("name", "")), names, model.get("type") == _CLOZE_KIND)
    return types


def _reversed_notes(connection: sqlite3.Connection, tables: set[str]) -> set[int]:
    """Notes with a second card (Basic and reversed): Anki made a card from template 2."""
    if "cards" not in tables:
        return set()
    return {int(nid) for (nid,) in connection.execute("SELECT DISTINCT nid FROM cards WHERE ord = 1")}


def _roles(note_type: NoteType) -> dict[str, int]:
    """Which field of the note type is the question, the answer and the explanation."""
    roles: dict[str, int] = {}
    for index, name in enumerate(note_type.fields):
        role = column_field(name)
        if role in ("prompt", "answer", "explanation") and role not in roles:
            roles[role] = index
    for role, index in (("prompt", 0), ("answer", 1)):
        if role not in roles and len(note_type.fields) > index and index not in roles.values():
            roles[role] = index
    return roles


def _note_rows(connection: sqlite3.Connection) -> Iterator[tuple[int, int, int, str, str]]:
    rows = connection.execute("SELECT id, mid, tags, flds FROM notes ORDER BY id")
    for number, (nid, mid, tags, flds) in enumerate(rows, start=1):
        yield number, int(nid), int(mid), str(tags or ""), str(flds or "")


def _studybot_card(note_type: NoteType, raw_fields: list[str], number: int) -> Card | None:
    """The question a note of Studybot's own export carries whole (`bot.decks.anki_studybot`)."""
    if STUDYBOT_FIELD not in note_type.fields:
        return None
    index = note_type.fields.index(STUDYBOT_FIELD)
    return card_of(raw_fields[index], number) if index < len(raw_fields) else None


def _cloze(
    notes: Notes,
    note_type: NoteType,
    raw_fields: list[str],
    values: list[str],
    number: int,
    tags: list[str],
    source: str,
) -> None:
    """A Cloze note's flashcards (`bot.decks.cloze`): its text field read as HTML, its extra
    field (`Back Extra`, `Extra`) the explanation. Image Occlusion notes are counted and left
    out: their deletions are shapes on an image."""
    roles = _roles(note_type)
    index = roles.get("prompt", 0)
    text = raw_fields[index] if index < len(raw_fields) else ""
    if is_image_occlusion(text):
        notes.occlusions += 1
        return
    explanation = values[roles["explanation"]] if "explanation" in roles else ""
    cards, problems = note_cards(text, True, line=number, explanation=explanation, tags=tags, source=source)
    notes.cards += cards
    notes.unusable += [(number, problem) for problem in problems]


def read_notes(database: bytes, display: str) -> Notes:
    """Every note of the collection as its cards, with the notes left out counted."""
    connection = _open(database)
    notes = Notes()
    try:
        tables = _tables(connection)
        if "notes" not in tables or not {"col", "notetypes"} & tables:
            raise CollectionError("is not an Anki collection: it has no notes table")
        types = _note_types(connection, tables)
        reversed_ids = _reversed_notes(connection, tables)
        for number, nid, mid, tags, flds in _note_rows(connection):
            note_type = types.get(mid)
            if note_type is None:
                notes.unusable.append((number, "its note type is missing from the collection"))
                continue
            roles = _roles(note_type)
            if not note_type.cloze and ("prompt" not in roles or "answer" not in roles):
                notes.unusable.append((number, f"note type '{note_type.name}' has no answer field"))
                continue
            raw_fields = flds.split(_FIELD_SEPARATOR)
            whole = _studybot_card(note_type, raw_fields, number)
            if whole is not None:
                notes.cards.append(whole)
                continue
            values = []
            for raw in raw_fields:
                text, media = html_to_text(raw)
                notes.media += media
                values.append(text)
            values += [""] * (len(note_type.fields) - len(values))
            source = f"{display}, note {number}"
            if note_type.cloze:
                _cloze(notes, note_type, raw_fields, values, number, tags.split(), source)
                continue
            prompt, answer = values[roles["prompt"]], values[roles["answer"]]
            explanation = values[roles["explanation"]] if "explanation" in roles else ""
            card = Card(number, prompt, answer, explanation=explanation, tags=tags.split(), source=source)
            notes.cards.append(card)
            if nid in reversed_ids:
                notes.cards.append(Card(number, answer, prompt, tags=tags.split(), source=source))
    except (sqlite3.Error, json.JSONDecodeError, ValueError, TypeError) as error:
        raise CollectionError(f"its collection cannot be read: {error}") from error
    finally:
        connection.close()
    return notes
