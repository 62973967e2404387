"""Anki's "Notes in Plain Text" export: `#key:value` header lines, then one note a row.

The header lines Anki writes (Anki 2.1.55 and later) say how to read the rows: `#separator:`
(Tab, Comma, Semicolon, Space, Pipe, Colon or the character itself), `#html:` (cells are HTML,
made plain here), `#columns:` (the field names), `#tags column:`, `#notetype column:`, `#deck
column:`, `#guid column:` (1-based positions) and fixed `#notetype:`, `#deck:`, `#tags:`; without
`#html:` (a header an admin added to an older export) the cells are HTML when any holds markup.
Without `#columns:` the first field is the question, the second the answer, a third the
explanation. Basic-and-reversed notes become two flashcards, Cloze notes one a deletion number.

Older Anki wrote no header lines: a tab between fields, HTML unless the export was told to strip
it, a field holding `"` quoted with its quotes doubled, and the note's tags as the last cell when
the export included them (the default). `headerless_layout` tells such a file from Quizlet's
export and from notes, and guesses the rest from the cells (see its docstring).
"""

from __future__ import annotations

import csv
import io
import re

from bot.bank import Problem
from bot.decks.cloze import has_cloze
from bot.decks.entries import DeckImport, DeckOptions, finish
from bot.decks.table_format import Layout, column_field, read_rows

FORMAT = "anki-text"
HEADER = re.compile(r"^#([a-z ]+):(.*)$")
KNOWN_KEYS = frozenset(
    {"separator", "html", "columns", "tags column", "notetype column", "deck column", "guid column",
     "notetype", "deck", "tags"}
)  # fmt: skip
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_POSITIONAL = ("prompt", "answer", "explanation")
# Rows may carry more fields than the note type's first three: they are left out.
_EXTRA_COLUMNS = 20
# An HTML tag or character reference, as Anki's editor writes them into fields.
_MARKUP = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.IGNORECASE)
# A cell Anki quoted because its field holds a `"`: the quotes inside are doubled.
_ANKI_QUOTED = re.compile(r'(?:^|\t)"(?:[^"\n]|"")*""(?:[^"\n]|"")*"(?=\t|$)', re.MULTILINE)
# Anki's tags: words without spaces (`aws::ecs compute`); prose has punctuation.
_TAG_WORDS = re.compile(r"^[^\s,;?!()\[\]{}<>\"']*(?:\s+[^\s,;?!()\[\]{}<>\"']+)*\s*$")


def is_anki_text(text: str) -> bool:
    first = text.lstrip("\ufeff").partition("\n")[0].strip()
    match = HEADER.match(first)
    return match is not None and match.group(1).strip().lower() in KNOWN_KEYS


def _header(text: str) -> tuple[dict[str, str], int]:
    """The header's settings and the number of header lines."""
    settings: dict[str, str] = {}
    lines = text.split("\n")
    count = 0
    for line in lines:
        match = HEADER.match(line.rstrip("\r"))
        if not match:
            break
        settings[match.group(1).strip().lower()] = match.group(2).strip()
        count += 1
    return settings, count


def _tab_rows(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=False)
    try:
        return [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        return []


def _tag_cell(cell: str) -> bool:
    return bool(_TAG_WORDS.match(cell)) and not cell.rstrip().endswith((".", ":"))


def headerless_layout(text: str, *, forced: bool = False) -> Layout | None:
    """How to read an export older Anki wrote without header lines, or None when `text` does
    not look like one (unless `forced`: the admin named the format). It looks like one when every
    row has a tab and the rows show Anki's hand: HTML in a field, a field quoted Anki's way, or
    three fields or more in every row (two plain fields a row are Quizlet's export, read the same).
    The last cell is the tags when every row has three or more and every last cell is words
    without punctuation; the cells are HTML when any field holds a tag or `&nbsp;`-like entity."""
    rows = _tab_rows(text)
    narrowest = min((len(row) for row in rows), default=0)
    tags_last = narrowest >= 3 and all(_tag_cell(row[-1]) for row in rows)
    fields = (cell for row in rows for cell in (row[:-1] if tags_last else row))
    html = any(_MARKUP.search(cell) for cell in fields)
    if not forced and (narrowest < 2 or not (html or narrowest >= 3 or _ANKI_QUOTED.search(text))):
        return None
    columns = (*_POSITIONAL, *([None] * _EXTRA_COLUMNS))
    return Layout(delimiter="\t", columns=columns, html=html, tags_last=tags_last)


def _columns(
    settings: dict[str, str], delimiter: str, problems: list[Problem], display: str
) -> list[str | None]:
    special: dict[int, str] = {}
    for key in ("tags", "notetype", "deck", "guid"):
        value = settings.get(f"{key} column", "")
        if value:
            if not value.isdigit() or int(value) < 1:
                problems.append(Problem(display, 1, f"#{key} column", f"'{value}' is not a column number"))
            else:
                special[int(value) - 1] = key
    if "columns" in settings:
        return [special.get(i) or column_field(n) for i, n in enumerate(settings["columns"].split(delimiter))]
    width = max(special, default=-1) + 1 + len(_POSITIONAL)
    columns: list[str | None] = []
    fields = iter(_POSITIONAL)
    for i in range(width):
        columns.append(special.get(i) or next(fields, None))
    return columns


def _headed_layout(
    text: str, settings: dict[str, str], header_lines: int, display: str, problems: list[Problem]
) -> Layout | None:
    """The layout the header lines describe, or None (with the problem) when it cannot be read."""
    raw_separator = settings.get("separator", "tab")
    delimiter = _SEPARATORS.get(raw_separator.lower(), raw_separator)
    if len(delimiter) != 1:
        problems.append(Problem(display, 1, "#separator", f"'{raw_separator}' is not a separator"))
        return None
    columns = _columns(settings, delimiter, problems, display)
    # Cloze notes ("Text", "Back Extra") have no answer field: their answers are in their text.
    cloze = "cloze" in settings.get("notetype", "").lower() or has_cloze(text)
    if "prompt" not in columns or ("answer" not in columns and not cloze):
        problems.append(
            Problem(display, 1, "#columns", "names no question (Front) or no answer (Back) field")
        )
        return None
    return Layout(
        delimiter=delimiter,
        columns=(*columns, *([None] * _EXTRA_COLUMNS)),
        # Anki writes `#html:`; a header an admin added to an older export may leave it out.
        html=settings["html"].lower() == "true" if "html" in settings else bool(_MARKUP.search(text)),
        first_line=header_lines + 1,
        notetype=settings.get("notetype", ""),
        tags=tuple(settings.get("tags", "").split()),
    )


def parse_anki_text(text: str, display: str, options: DeckOptions) -> DeckImport:
    settings, header_lines = _header(text)
    problems: list[Problem] = []
    if header_lines:
        layout = _headed_layout(text, settings, header_lines, display, problems)
    else:
        layout = headerless_layout(text, forced=True)
    if layout is None:
        return DeckImport(FORMAT, (), tuple(problems))
    body = "\n".join(text.split("\n")[header_lines:])
    cards, row_problems, warnings = read_rows(body, display, layout)
    return finish(FORMAT, display, cards, options, problems + row_problems, warnings)
