"""Questions written as an Anki package with genanki, for teams that also study in Anki.

Every question becomes one note of a Basic-shaped note type with Front, Back and Explanation
fields, and a fourth its cards never show, `Studybot`, holding the question whole, so that an
export imports back as the same questions (`bot.decks.anki_studybot`; a package from elsewhere is
read from its Front and Back). A flashcard's Back is its answer; a choice
question's Front lists its choices and its Back gives the right one (a multiple-response
question's Back the letters of its right ones, their texts leading the explanation), so the card
can be studied in Anki as it is asked in chat. Text is HTML-escaped (Anki fields are HTML), tags are
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

from bot.decks.anki_studybot import STUDYBOT_FIELD, embedded
from bot.decks.export import Entry

MODEL_ID = 1_734_950_118  # fixed: Anki matches note types by id across imports
MODEL = genanki.Model(
    MODEL_ID,
    "Basic (Studybot)",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}, {"name": STUDYBOT_FIELD}],
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


def _sides(entry: Entry) -> tuple[str, str, str]:
    """Front, Back and what goes before the explanation. A multiple-response Back gives the
    letters of its right choices ("B, D"), their texts leading the explanation, so the Back stays
    short enough to be a flashcard's answer when the package is read without its `Studybot`
    field (edited in a tool that drops it)."""
    prompt = _html(str(entry["prompt"]))
    kind = entry.get("kind")
    answer: Any = entry.get("answer")
    if kind == "true_false":
        return f"{prompt}<br><br>True or false?", "True" if answer else "False", ""
    if kind in ("multiple_choice", "multiple_response"):
        shown = [str(c) for c in entry.get("choices", [])]
        choices = "<br>".join(f"{LETTERS[i]}. {_html(c)}" for i, c in enumerate(shown))
        if kind == "multiple_response":
            right = [i for i, c in enumerate(shown) if c in (entry.get("answers") or [])]
            texts = "<br>".join(f"{LETTERS[i]}. {_html(shown[i])}" for i in right)
            return f"{prompt}<br><br>{choices}", ", ".join(LETTERS[i] for i in right), texts
        return f"{prompt}<br><br>{choices}", _html(str(answer)), ""
    return prompt, _html(str(answer)), ""


def to_apkg(entries: Sequence[Entry], deck_name: str) -> bytes:
    deck = genanki.Deck(zlib.crc32(deck_name.encode()) + 1, deck_name)
    for entry in entries:
        front, back, lead = _sides(entry)
        explanation = str(entry.get("explanation", ""))
        if explanation == entry.get("answer"):
            explanation = ""
        note = genanki.Note(
            model=MODEL,
            fields=[
                front,
                back,
                "<br><br>".join(part for part in (lead, _html(explanation)) if part),
                embedded(entry),
            ],
            tags=[str(t) for t in entry.get("topics", [])],
            guid=genanki.guid_for(str(entry["id"])),
        )
        deck.add_note(note)
    out = io.BytesIO()
    genanki.Package(deck).write_to_file(out, timestamp=_TIMESTAMP)
    return out.getvalue()
