"""Questions written out as CSV or Studybot's YAML, in the shape the importers read back.

Both take entries in the content files' shape (what the importers produce, and what
`bank_entries` makes of the shipped bank). YAML keeps everything; CSV keeps everything too,
with a column per choice and one item a line in list cells. A CSV cell that a spreadsheet
would run as a formula (starting with `=`, `+`, `-` or `@`) is written with a leading
apostrophe, which spreadsheets show as text and the CSV importer takes off again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import yaml

Entry = dict[str, Any]
_FORMULA_START = ("=", "+", "-", "@")


def bank_entries(rows: Iterable[dict[str, Any]]) -> list[Entry]:
    """The bank's export rows (`bot.bank.export_rows`) in the content files' shape: a true/false
    answer as true or false, no choices on true/false questions and flashcards."""
    entries = []
    for row in rows:
        answers = list(row.get("answers") or [row.get("answer", "")])
        entry: Entry = {k: row[k] for k in ("id", "topics", "kind", "difficulty") if k in row}
        for key in ("domain", "task", "verified"):
            if key in row:
                value = row[key]
                entry[key] = (
                    date.fromisoformat(value) if key == "verified" and isinstance(value, str) else value
                )
        entry["prompt"] = row["prompt"]
        kind = row["kind"]
        if kind in ("multiple_choice", "multiple_response"):
            entry["choices"] = list(row["choices"])
        if kind == "multiple_response":
            entry["answers"] = answers
        elif kind == "true_false":
            entry["answer"] = answers[0] == "True"
        else:
            entry["answer"] = answers[0]
        if row.get("accepted"):
            entry["accepted"] = list(row["accepted"])
        entry["explanation"] = row["explanation"]
        entry["source"] = row["source"]
        entries.append(entry)
    return entries


def to_yaml(entries: Sequence[Entry]) -> bytes:
    text = yaml.safe_dump(
        {"questions": list(entries)}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return text.encode("utf-8")


def _defused(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def to_csv(entries: Sequence[Entry]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read UTF-8, and CRLF line ends."""
    width = max((len(e.get("choices", [])) for e in entries), default=0)
    choices = [f"choice_{i}" for i in range(1, width + 1)]
    header = ["id", "topics", "kind", "difficulty", "prompt", *choices, "answer", "answers", "accepted"]
    header += ["explanation", "source", "domain", "task", "verified"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for entry in entries:
        row = {k: _cell(v) for k, v in entry.items() if k != "choices"}
        row.update(zip(choices, (_cell(c) for c in entry.get("choices", [])), strict=False))
        writer.writerow([_defused(row.get(name, "")) for name in header])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_deck(entries: Sequence[Entry], fmt: str, deck_name: str) -> bytes:
    """The entries as a file of `fmt`: "csv", "yaml" or "apkg" (an Anki deck named `deck_name`)."""
    if fmt == "csv":
        return to_csv(entries)
    if fmt == "yaml":
        return to_yaml(entries)
    from bot.decks.apkg_export import to_apkg  # genanki loads only for an Anki package

    return to_apkg(entries, deck_name)
