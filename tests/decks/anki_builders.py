"""Anki packages built by the tests: the older format with genanki, the newer one by hand.

`anki21b` builds a schema-18 collection (the tables Anki 2.1.50+ keeps note types in), then
zstd-compresses it into `collection.anki21b` beside the stub `collection.anki2` that newer
packages carry for old Anki versions, as Anki itself does.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import Sequence
from pathlib import Path

import genanki
import zstandard

DECK_ID = 2_059_400_110
STUB_TEXT = "Please update to the latest Anki version, then import the .colpkg/.apkg file again."


def genanki_package(
    notes: Sequence[tuple[genanki.Model, Sequence[str], Sequence[str]]],
    media: Sequence[Path] = (),
) -> bytes:
    """An .apkg (collection.anki2) with one note per (model, fields, tags)."""
    deck = genanki.Deck(DECK_ID, "Test deck")
    for model, fields, tags in notes:
        deck.add_note(genanki.Note(model=model, fields=list(fields), tags=list(tags)))
    out = io.BytesIO()
    genanki.Package(deck, media_files=[str(p) for p in media]).write_to_file(out, timestamp=1_700_000_000)
    return out.getvalue()


def basic(front: str, back: str, *tags: str) -> tuple[genanki.Model, list[str], list[str]]:
    return genanki.BASIC_MODEL, [front, back], list(tags)


# Schema 18 as far as an importer reads it (Anki's own tables have more columns).
_SCHEMA_18 = """
CREATE TABLE col (id integer PRIMARY KEY, crt integer, mod integer, scm integer, ver integer,
                  dty integer, usn integer, ls integer, conf text, models text, decks text,
                  dconf text, tags text);
CREATE TABLE notetypes (id integer PRIMARY KEY, name text, mtime_secs integer, usn integer, config blob);
CREATE TABLE fields (ntid integer, ord integer, name text, config blob, PRIMARY KEY (ntid, ord));
CREATE TABLE templates (ntid integer, ord integer, name text, mtime_secs integer, usn integer,
                        config blob, PRIMARY KEY (ntid, ord));
CREATE TABLE notes (id integer PRIMARY KEY, guid text, mid integer, mod integer, usn integer,
                    tags text, flds text, sfld text, csum integer, flags integer, data text);
CREATE TABLE cards (id integer PRIMARY KEY, nid integer, did integer, ord integer, mod integer,
                    usn integer, type integer, queue integer, due integer, ivl integer,
                    factor integer, reps integer, lapses integer, left integer, odue integer,
                    odid integer, flags integer, data text);
"""
BASIC_ID, REVERSED_ID, CLOZE_ID = 1001, 1002, 1003
# NotetypeConfig protobuf: field 1 (kind) = 1 marks a Cloze note type; absent means normal.
CLOZE_CONFIG = b"\x08\x01"
NORMAL_CONFIG = b"\x1a\x04.css"  # field 3 (css), a string, so the reader has to skip a field


def schema18_collection(notes: Sequence[tuple[int, Sequence[str], str]]) -> bytes:
    """A collection database with Basic, Basic (and reversed card) and Cloze note types and the
    given (note type id, fields, tags) notes, serialised to bytes."""
    connection = sqlite3.connect(":memory:")
    connection.executescript(_SCHEMA_18)
    connection.execute("INSERT INTO col (id, models) VALUES (1, '')")
    kinds = ((BASIC_ID, "Basic", NORMAL_CONFIG, ("Front", "Back"), 1),
             (REVERSED_ID, "Basic (and reversed card)", NORMAL_CONFIG, ("Front", "Back"), 2),
             (CLOZE_ID, "Cloze", CLOZE_CONFIG, ("Text", "Back Extra"), 1))  # fmt: skip
    for ntid, name, config, fields, templates in kinds:
        connection.execute("INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", (ntid, name, config))
        for ord_, field in enumerate(fields):
            connection.execute("INSERT INTO fields VALUES (?, ?, ?, x'')", (ntid, ord_, field))
        for ord_ in range(templates):
            connection.execute(
                "INSERT INTO templates VALUES (?, ?, ?, 0, 0, x'')", (ntid, ord_, f"Card {ord_}")
            )
    card_id = 1
    for note_id, (ntid, fields, tags) in enumerate(notes, start=1):
        connection.execute(
            "INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0, 0, '')",
            (note_id, f"g{note_id}", ntid, tags, "\x1f".join(fields), fields[0]),
        )
        for ord_ in range(2 if ntid == REVERSED_ID else 1):
            connection.execute(
                "INSERT INTO cards (id, nid, did, ord) VALUES (?, ?, ?, ?)", (card_id, note_id, DECK_ID, ord_)
            )
            card_id += 1
    connection.commit()
    data = connection.serialize()
    connection.close()
    return data


def zip_members(members: Sequence[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def anki21b_package(collection: bytes, media_count: int = 0) -> bytes:
    """A package of the newer format: zstd collection, legacy stub, numbered media files."""
    stub = genanki_package([basic(STUB_TEXT, "stub")])
    with zipfile.ZipFile(io.BytesIO(stub)) as archive:
        stub_collection = archive.read("collection.anki2")
    members = [
        ("collection.anki2", stub_collection),
        ("collection.anki21b", zstandard.ZstdCompressor().compress(collection)),
        ("media", zstandard.ZstdCompressor().compress(json.dumps({}).encode())),
        *((str(i), b"\x89PNG fake image") for i in range(media_count)),
    ]
    return zip_members(members)
