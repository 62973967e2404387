"""Anki's Cloze notes as flashcards: one card for each deletion number in the note's text.

A deletion is `{{c1::answer}}` or `{{c1::answer::hint}}`; several may share a number (one card
hides them all) and they may nest (Anki 2.1.56 and later). The card for number n shows the text
with its n deletions as `[...]` (or `[hint]`) and every other deletion as its answer, as Anki's
front does; its answer is the n deletions' answers, joined with ", ".

The markup is read as Anki's own parser reads it (rslib `cloze.rs`): `{{cN::` opens a deletion,
`}}` closes the innermost open one (a `}}` outside any deletion is text, as in a Helm template's
`{{ .Values }}`), and the first `::` in a deletion's own text starts its hint. A deletion left
open is a problem of its note rather than text shown as it is: a card would show half its markup.
Fields are HTML: the markup is read first, then each card's text is made plain (`html_to_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from bot.bank import Problem
from bot.decks.entries import FLASHCARD_ANSWER_MAX, Card
from bot.decks.text import html_to_text, plain
from bot.questions import EXPLANATION_MAX

_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")
_OPENING = re.compile(r"\{\{c\d+::")
# Anki's Image Occlusion notes (23.10 and later) are Cloze notes whose deletions are shapes
# drawn on an image: `{{c1::image-occlusion:rect:left=.2:top=.3:...}}`.
_OCCLUSION = re.compile(r"\{\{c\d+::image-occlusion:")
_HIDDEN = "[...]"


@dataclass
class Deletion:
    """One `{{cN::...}}`: its number, its text and the deletions nested in it, and its hint."""

    number: int
    parts: list[str | Deletion] = field(default_factory=list)
    hint: str = ""


@dataclass(frozen=True)
class ClozeCard:
    """The card of one deletion number, its text plain (but not yet checked or made safe), and
    the note's text with every deletion shown, as Anki's back shows it."""

    number: int
    prompt: str
    answer: str
    whole: str


class ClozeError(ValueError):
    """The note's cloze markup cannot be read; the message says why."""


def has_cloze(text: str) -> bool:
    return _OPENING.search(text) is not None


def is_image_occlusion(text: str) -> bool:
    return _OCCLUSION.search(text) is not None


def occlusion_warning(display: str, count: int) -> Problem:
    notes = "Image Occlusion note" if count == 1 else "Image Occlusion notes"
    return Problem(display, 1, "", f"{count} {notes} left out: their questions are drawn on an image")


def parse(text: str) -> list[str | Deletion]:
    """The text as pieces of plain text and deletions (see the module docstring)."""
    top: list[str | Deletion] = []
    open_: list[Deletion] = []

    def add_text(piece: str) -> None:
        if not piece:
            return
        if not open_:
            top.append(piece)
            return
        head, separator, tail = piece.partition("::")
        if separator:
            open_[-1].hint = tail
        open_[-1].parts.append(head)

    at = 0
    for token in _TOKEN.finditer(text):
        add_text(text[at : token.start()])
        at = token.end()
        if token.group(1) is not None:
            open_.append(Deletion(int(token.group(1))))
        elif open_:
            closed = open_.pop()
            (open_[-1].parts if open_ else top).append(closed)
        else:
            add_text(token.group())
    add_text(text[at:])
    if open_:
        raise ClozeError(f"its deletion '{{{{c{open_[0].number}::' is never closed with '}}}}'")
    return top


def numbers(pieces: Sequence[str | Deletion]) -> set[int]:
    """Every deletion number, nested ones too."""
    found: set[int] = set()
    for piece in pieces:
        if isinstance(piece, Deletion):
            found |= {piece.number} | numbers(piece.parts)
    return found


def _front(pieces: Sequence[str | Deletion], number: int) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif piece.number == number:
            out.append(f"[{piece.hint}]" if piece.hint.strip() else _HIDDEN)
        else:
            out.append(_front(piece.parts, number))
    return "".join(out)


def _revealed(pieces: Sequence[str | Deletion]) -> str:
    return "".join(p if isinstance(p, str) else _revealed(p.parts) for p in pieces)


def _answers(pieces: Sequence[str | Deletion], number: int) -> Iterator[str]:
    for piece in pieces:
        if isinstance(piece, Deletion):
            if piece.number == number:
                yield _revealed(piece.parts)
            else:
                yield from _answers(piece.parts, number)


def cloze_cards(text: str, html: bool = True) -> tuple[list[ClozeCard], list[str]]:
    """The card of each deletion number of `text` (an Anki field, HTML unless `html` is False),
    in number order, and why a number cannot be a card (nothing to answer, an answer too long)
    or the whole note cannot (open markup, no deletion)."""
    to_text: Callable[[str], str] = (lambda raw: html_to_text(raw)[0]) if html else (lambda raw: raw)
    try:
        pieces = parse(text)
    except ClozeError as error:
        return [], [str(error)]
    if not numbers(pieces):
        return [], ["is a Cloze note without a deletion such as {{c1::answer}}"]
    cards: list[ClozeCard] = []
    problems: list[str] = []
    whole = to_text(_revealed(pieces))
    for number in sorted(numbers(pieces)):
        answers = [plain(to_text(a), one_line=True) for a in _answers(pieces, number)]
        # One deletion repeated (`{{c1::ECS}} ... {{c1::ECS}}`) is one answer to give.
        answer = ", ".join(dict.fromkeys(a for a in answers if a))
        if not answer:
            problems.append(f"cloze c{number} has no text to answer (it is empty or only an image)")
        elif len(answer) > FLASHCARD_ANSWER_MAX:
            problems.append(
                f"cloze c{number}'s answer has {len(answer)} characters; "
                f"a flashcard's answer may have {FLASHCARD_ANSWER_MAX}"
            )
        elif has_cloze(prompt := to_text(_front(pieces, number))):
            # Text and a shown deletion can spell markup together (`{{c` then `{{c2::1}}::`).
            problems.append(f"cloze c{number}'s text would show cloze markup: {prompt[:60]!r}")
        else:
            cards.append(ClozeCard(number, prompt, answer, whole))
    return cards, problems


def note_cards(
    text: str,
    html: bool,
    *,
    line: int,
    explanation: str = "",
    tags: Sequence[str] = (),
    source: str = "",
) -> tuple[list[Card], list[str]]:
    """A Cloze note's flashcards and its problems. The explanation is the note's extra field, or
    else its whole text with the answers in place (when that fits an explanation)."""
    made, problems = cloze_cards(text, html)
    cards = []
    for card in made:
        whole = card.whole if len(plain(card.whole)) <= EXPLANATION_MAX else ""
        shown = explanation if explanation.strip() else whole
        cards.append(Card(line, card.prompt, card.answer, explanation=shown, tags=list(tags), source=source))
    return cards, problems
