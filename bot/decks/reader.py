"""One entry point for every deck format: `read_deck(data, filename, options)`.

The file's name proposes a format and its content has to agree: the first bytes of an Anki
package, an SQLite file, an image or a PDF are recognised whatever the name says, so a file
that is not what its name claims is refused with what it looks like instead. Text files are
decoded (`bot.decks.encoding`), then a `.txt` is read as Anki's plain-text export when it starts
with Anki's header lines, as a table when its first row names the columns, as Anki's export of
older versions (no header lines) when its tab-separated rows show Anki's hand, as Quizlet's
export when every line holds one tab, and otherwise as study notes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from bot.decks import EXTENSIONS, FORMATS, anki_text, apkg, notes, quizlet, table_format, yaml_format
from bot.decks.encoding import NotText, decode
from bot.decks.entries import DeckImport, DeckOptions, refused
from bot.decks.limits import too_big

TextParser = Callable[[str, str, DeckOptions], DeckImport]
# What a file's first bytes say it is, when that is not text.
_MAGIC = (
    (apkg.ZIP_MAGIC, "a ZIP archive"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (save it as CSV)"),
)


def sniff(data: bytes) -> str | None:
    """What the bytes are when they are a known binary format, else None."""
    return next((what for magic, what in _MAGIC if data.startswith(magic)), None)


def _txt(text: str, display: str, options: DeckOptions) -> DeckImport:
    if anki_text.is_anki_text(text):
        return anki_text.parse_anki_text(text, display, options)
    header = text.partition("\n")[0]
    delimiter = table_format.guess_delimiter(header, "\t")
    named = {table_format.column_field(cell) for cell in header.split(delimiter)}
    if {"prompt", "answer"} <= named:
        return table_format.parse_table(text, display, options, delimiter)
    if anki_text.headerless_layout(text) is not None:
        return anki_text.parse_anki_text(text, display, options)
    if quizlet.looks_like_quizlet(text):
        return quizlet.parse_quizlet(text, display, options)
    return notes.parse_notes(text, display, options)


def _table(preferred: str) -> TextParser:
    def parse(text: str, display: str, options: DeckOptions) -> DeckImport:
        if anki_text.is_anki_text(text):
            return anki_text.parse_anki_text(text, display, options)
        return table_format.parse_table(text, display, options, preferred)

    return parse


_TEXT_PARSERS: dict[str, TextParser] = {
    "csv": _table(","),
    "tsv": _table("\t"),
    "txt": _txt,
    "anki-text": anki_text.parse_anki_text,
    "notes": notes.parse_notes,
    "quizlet": quizlet.parse_quizlet,
}


assert set(FORMATS) == {"apkg", "yaml", *_TEXT_PARSERS}, "bot.decks.FORMATS names every parser"


def format_of(filename: str) -> str | None:
    return EXTENSIONS.get(PurePath(filename).suffix.lower())


def read_deck(data: bytes, filename: str, options: DeckOptions, fmt: str | None = None) -> DeckImport:
    """Every question of the file and every problem found, never an exception for bad input."""
    display = PurePath(filename).name or "deck"
    chosen = fmt or format_of(filename)
    if chosen is None:
        known = ", ".join(sorted(EXTENSIONS))
        return refused(
            "unknown", display, f"has no known deck extension ({known}); name the format with --format"
        )
    oversize = too_big(len(data))
    if oversize:
        return refused(chosen, display, oversize)
    looks_like = sniff(data)
    if chosen == "apkg":
        if looks_like != "a ZIP archive":
            return refused(chosen, display, f"is {looks_like or 'text'}, not an Anki package (a ZIP archive)")
        return apkg.parse_apkg(data, display, options)
    if looks_like is not None:
        hint = " (an Anki package? name it .apkg)" if looks_like == "a ZIP archive" else ""
        return refused(chosen, display, f"is {looks_like}{hint}, not a {chosen} text file")
    if chosen == "yaml":
        return yaml_format.parse(data, display, options)
    try:
        text, _encoding = decode(data)
    except NotText as error:
        return refused(chosen, display, str(error))
    # One line end for every parser: Windows' CRLF and old Macs' CR become LF.
    return _TEXT_PARSERS[chosen](text.replace("\r\n", "\n").replace("\r", "\n"), display, options)
