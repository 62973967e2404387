"""Study notes in plain text or Markdown: a question line, then the lines of its answer.

Cards are separated by blank lines, or each starts at a Markdown heading (then blank lines may
sit between a heading and its answer); without headings, a question line (ending in `?`, or
marked `Q:`) after an answer starts the next card too. The first answer line is the answer a learner must
give; further lines are the explanation. Markdown's markers are taken off (`## `, `Q:`, `A:`,
list bullets, `**bold**`), since the text is shown as plain text. A heading directly followed by
a deeper heading is a section title, not a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.bank import Problem
from bot.decks.entries import Card, DeckImport, DeckOptions, finish

FORMAT = "notes"
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_PREFIX = re.compile(r"^(?:[-*+]\s+|\d+[.)]\s+|>\s*|(?:q|a|question|answer)\s*[:.]\s*)", re.IGNORECASE)
_QUESTION_MARK = re.compile(r"^(?:q|question)\s*[:.]", re.IGNORECASE)
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")


@dataclass
class _Block:
    line: int
    question: str
    level: int = 0
    answers: list[str] = field(default_factory=list)


def _unmark(line: str) -> str:
    stripped = _PREFIX.sub("", line.strip(), count=1)
    return _EMPHASIS.sub(r"\2", stripped).strip()


def _asks(line: str) -> bool:
    """Whether a line after an answer starts the next card though no blank line came between:
    it is marked as a question (`Q:`), or it is a question."""
    stripped = line.strip()
    return bool(_QUESTION_MARK.match(stripped)) or stripped.endswith("?")


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    uses_headings = any(_HEADING.match(line) for line in text.splitlines())
    current: _Block | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading:
            current = _Block(number, _unmark(heading.group(2)), len(heading.group(1)))
            blocks.append(current)
        elif not line.strip():
            if not uses_headings:
                current = None
        elif current is None or (not uses_headings and current.answers and _asks(line)):
            if uses_headings:
                continue  # text before the first heading: an introduction
            current = _Block(number, _unmark(line))
            blocks.append(current)
        else:
            current.answers.append(_unmark(line))
    return blocks


def parse_notes(text: str, display: str, options: DeckOptions) -> DeckImport:
    cards: list[Card] = []
    problems: list[Problem] = []
    blocks = _blocks(text)
    for index, block in enumerate(blocks):
        answers = [a for a in block.answers if a]
        if not answers:
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if block.level and following is not None and following.level > block.level:
                continue
            problems.append(
                Problem(display, block.line, "answer", "this question has no answer lines under it")
            )
            continue
        cards.append(Card(block.line, block.question, answers[0], explanation="\n".join(answers[1:])))
    return finish(FORMAT, display, cards, options, problems)
