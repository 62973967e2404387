"""Flashcards offered as multiple choice (`--choices 4`).

The wrong choices are other cards' answers from the same deck, never the same text as the
right answer or one of its accepted forms (compared without case). The draw is seeded by the
question's id, so re-importing the same deck offers the same choices.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

# The exam's multiple choice shows four; fewer is a guess, more than six do not fit a message.
CHOICES_RANGE = range(3, 7)


def offer_choices(entries: list[dict[str, Any]], count: int) -> Iterator[tuple[int, str, str]]:
    """Turn every flashcard of `entries` into a multiple-choice question in place; yield
    (entry index, field, message) for each card that cannot get `count` choices."""
    if count not in CHOICES_RANGE:
        yield (
            0,
            "choices",
            f"asked for {count} choices; a question shows {CHOICES_RANGE[0]} to {CHOICES_RANGE[-1]}",
        )
        return
    answers: dict[str, str] = {}
    for entry in entries:
        answer = entry.get("answer")
        if entry.get("kind") == "flashcard" and isinstance(answer, str) and answer:
            answers.setdefault(answer.casefold(), answer)
    distinct = sorted(answers.items())
    for index, entry in enumerate(entries):
        answer = entry.get("answer")
        if entry.get("kind") != "flashcard" or not isinstance(answer, str) or not answer:
            continue
        right = {answer.casefold(), *(str(a).casefold() for a in entry.get("accepted", []))}
        overlap = sum(1 for folded in right if folded in answers)
        others = len(distinct) - overlap
        if others < count - 1:
            yield (
                index,
                "answer",
                f"needs {count - 1} other answers in the deck to offer {count} choices; it has {others}",
            )
            continue
        draw = random.Random(str(entry.get("id", index)))
        # Drawing one extra for each right form among the answers leaves enough once dropped.
        drawn = draw.sample(distinct, count - 1 + overlap)
        wrong = [text for folded, text in drawn if folded not in right][: count - 1]
        choices = [answer, *wrong]
        draw.shuffle(choices)
        entry["kind"] = "multiple_choice"
        entry.pop("accepted", None)
        # The choices go right after the prompt, where the content files keep them.
        rest = {
            k: entry.pop(k) for k in list(entry) if k not in ("id", "topics", "kind", "difficulty", "prompt")
        }
        entry.update(choices=choices, **rest)
