"""Questions written as an Anki package with genanki, for teams that also study in Anki.

Every question becomes one note of a Basic-shaped note type with Front, Back and Explanation
fields (the importer reads the three back). A flashcard's Back is its answer; a choice
question's Front lists its choices and its Back gives the right ones, so the card can be
studied in Anki as it is asked in chat. Text is HTML-escaped (Anki fields are HTML), tags are
the question's topics, and each note's guid comes from the question id, so importing a newer
export into Anki updates its notes instead of duplicating them.
"""

from __future__ import annotations

import html
import io
import zlib
from collections.abc import Sequence
from typing import Any

import genanki

from bot.decks.export import Entry

MODEL_ID = 1_734_950_118  # fixed: Anki matches note types by id across imports
MODEL = genanki.Model(
    MODEL_ID,
    "Basic (Studybot)",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}<br><br><small>{{Explanation}}</small>",
        }
    ],
)
LETTERS = "ABCDEF"
# Generated notes and cards carry this time, so the same questions make the same package.
_TIMESTAMP = 1_700_000_000.0


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _sides(entry: Entry) -> tuple[str, str]:
    prompt = _html(str(entry["prompt"]))
    kind = entry.get("kind")
    answer: Any = entry.get("answer")
    if kind == "true_false":
        return f"{prompt}<br><br>True or false?", "True" if answer else "False"
    if kind in ("multiple_choice", "multiple_response"):
        choices = "<br>".join(
            f"{LETTERS[i]}. {_html(str(c))}" for i, c in enumerate(entry.get("choices", []))
        )
        right = entry.get("answers") or [answer]
        return f"{prompt}<br><br>{choices}", "<br>".join(_html(str(r)) for r in right)
    return prompt, _html(str(answer))


def to_apkg(entries: Sequence[Entry], deck_name: str) -> bytes:
    deck = genanki.Deck(zlib.crc32(deck_name.encode()) + 1, deck_name)
    for entry in entries:
        front, back = _sides(entry)
        explanation = str(entry.get("explanation", ""))
        if explanation == entry.get("answer"):
            explanation = ""
        note = genanki.Note(
            model=MODEL,
            fields=[front, back, _html(explanation)],
            tags=[str(t) for t in entry.get("topics", [])],
            guid=genanki.guid_for(str(entry["id"])),
        )
        deck.add_note(note)
    out = io.BytesIO()
    genanki.Package(deck).write_to_file(out, timestamp=_TIMESTAMP)
    return out.getvalue()
