"""A question carried whole through an Anki package, so that `deck export --format apkg` then
`deck import` gives back the same questions, choices and all.

Anki has no note type for a multiple-choice question: an exported note shows its choices in its
Front and the right one on its Back, which reads back as a flashcard. So Studybot's note type
has one more field, `Studybot`, that its card templates never show: the question's entry as
JSON (HTML-escaped, as every Anki field is HTML). The importer takes a note's question from it
when it is there and sound, and from Front and Back otherwise (a note edited in Anki keeps its
field, an entry whose types are wrong is ignored). The entry is checked like every imported
question afterwards: this field is a convenience, never trusted.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.decks.entries import Card

STUDYBOT_FIELD = "Studybot"
_TEXT = ("id", "prompt", "kind", "explanation", "source", "difficulty", "task")
_LISTS = ("choices", "accepted", "topics")
_EXAM = ("domain", "task", "verified")


def embedded(entry: Mapping[str, Any]) -> str:
    """The `Studybot` field of a question's note."""
    return html.escape(json.dumps(dict(entry), ensure_ascii=False, default=_json_default))


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not part of a question")


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _sound(entry: dict[str, Any]) -> bool:
    """Whether every field has the type a question's field has (their content is checked later)."""
    if not isinstance(entry.get("prompt"), str):
        return False
    if any(key in entry and not isinstance(entry[key], str) for key in _TEXT):
        return False
    if any(key in entry and not _texts(entry[key]) for key in _LISTS):
        return False
    if "answers" in entry and entry["answers"] is not None and not _texts(entry["answers"]):
        return False
    if "answer" in entry and not isinstance(entry["answer"], str | bool):
        return False
    domain = entry.get("domain", 0)
    return (
        isinstance(domain, int)
        and not isinstance(domain, bool)
        and isinstance(entry.get("verified", ""), str)
    )


def card_of(field: str, line: int) -> Card | None:
    """The card a note's `Studybot` field holds, or None when it holds none we can use."""
    try:
        entry = json.loads(html.unescape(field))
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(entry, dict) or not _sound(entry):
        return None
    exam: dict[str, Any] = {key: entry[key] for key in _EXAM if key in entry}
    if "verified" in exam:
        try:
            exam["verified"] = date.fromisoformat(exam["verified"])
        except ValueError:
            return None
    return Card(
        line=line,
        prompt=entry["prompt"],
        answer=entry.get("answer"),
        kind=entry.get("kind", "flashcard"),
        explanation=entry.get("explanation", ""),
        choices=entry.get("choices", []),
        answers=entry.get("answers"),
        accepted=entry.get("accepted", []),
        tags=entry.get("topics", []),
        difficulty=entry.get("difficulty", "medium"),
        source=entry.get("source", ""),
        id=entry.get("id", ""),
        exam=exam,
    )
