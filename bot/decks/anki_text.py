"""Anki's "Notes in Plain Text" export: `#key:value` header lines, then one note a row.

The header lines Anki writes (Anki 2.1.55 and later) say how to read the rows: `#separator:`
(Tab, Comma, Semicolon, Space, Pipe, Colon or the character itself), `#html:` (cells are HTML,
made plain here), `#columns:` (the field names), `#tags column:`, `#notetype column:`, `#deck
column:`, `#guid column:` (1-based positions) and fixed `#notetype:`, `#deck:`, `#tags:`.
Without `#columns:` the first field is the question, the second the answer, a third the
explanation. Basic-and-reversed notes become two flashcards; Cloze notes are refused with a count.
"""

from __future__ import annotations

import re

from bot.bank import Problem
from bot.decks.entries import DeckImport, DeckOptions, finish
from bot.decks.table_format import Layout, cloze_problem, column_field, read_rows

FORMAT = "anki-text"
HEADER = re.compile(r"^#([a-z ]+):(.*)$")
KNOWN_KEYS = frozenset(
    {"separator", "html", "columns", "tags column", "notetype column", "deck column", "guid column",
     "notetype", "deck", "tags"}
)  # fmt: skip
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_POSITIONAL = ("prompt", "answer", "explanation")


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


def parse_anki_text(text: str, display: str, options: DeckOptions) -> DeckImport:
    settings, header_lines = _header(text)
    problems: list[Problem] = []
    raw_separator = settings.get("separator", "tab")
    delimiter = _SEPARATORS.get(raw_separator.lower(), raw_separator)
    if len(delimiter) != 1:
        return DeckImport(
            FORMAT, (), (Problem(display, 1, "#separator", f"'{raw_separator}' is not a separator"),)
        )
    columns = _columns(settings, delimiter, problems, display)
    if "prompt" not in columns or "answer" not in columns:
        problems.append(
            Problem(display, 1, "#columns", "names no question (Front) or no answer (Back) field")
        )
        return DeckImport(FORMAT, (), tuple(problems))
    layout = Layout(
        delimiter=delimiter,
        # Rows may carry more fields than the note type's first three: they are left out.
        columns=(*columns, *([None] * 20)),
        html=settings.get("html", "false").lower() == "true",
        first_line=header_lines + 1,
        notetype=settings.get("notetype", ""),
        tags=tuple(settings.get("tags", "").split()),
    )
    body = "\n".join(text.split("\n")[header_lines:])
    cards, row_problems, warnings, cloze = read_rows(body, display, layout)
    problems += row_problems + cloze_problem(display, cloze)
    return finish(FORMAT, display, cards, options, problems, warnings)
