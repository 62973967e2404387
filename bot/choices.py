"""The choices of a posted question: the order they are shown in, and how a pick is kept.

Choices are shown shuffled, so that the file's order gives nothing away, in an order that is a
pure function of the posted question (its instance id): every render of that message, every
button or option on it, and every process agree on it. True/false keeps True before False.

An answer is recorded by the text of the choice picked. A multiple-response answer records its
picks joined by line breaks (choices never hold one) in the file's order, so one set of picks is
always the same text, whatever order it was picked or shown in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date

from bot.errors import QuizError
from bot.models import Mode, QuestionView
from bot.questions import MULTIPLE_RESPONSE_ANSWERS, Kind, Question, Topic

LETTERS = "ABCDEF"
PICK_SEPARATOR = "\n"
_LETTER_SEPARATORS = re.compile(r"[\s,;]+")


def shown_choices(question: Question, instance_id: int) -> tuple[str, ...]:
    """The question's choices in the order shown for this posted instance."""
    if question.kind is Kind.TRUE_FALSE:
        return question.choices

    def rank(choice: str) -> bytes:
        return hashlib.sha256(f"{instance_id}\0{choice}".encode()).digest()

    return tuple(sorted(question.choices, key=rank))


def recorded_pick(question: Question, picked: Iterable[str]) -> str:
    """The text recorded for a set of picked choices: canonical, whatever the order picked."""
    chosen = set(picked)
    return PICK_SEPARATOR.join(c for c in question.choices if c in chosen)


def picks_of(question: Question, recorded: str) -> tuple[str, ...]:
    """The choices a recorded answer picked (a flashcard's typed answer as it was)."""
    if question.kind is Kind.MULTIPLE_RESPONSE:
        return tuple(recorded.split(PICK_SEPARATOR)) if recorded else ()
    return (recorded,)


def answer_feedback(
    question: Question, instance_id: int, recorded: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The right choices and the picked ones, each in the order this instance showed them (a
    flashcard: its answers, and what was typed)."""
    shown = shown_choices(question, instance_id)
    if not shown:
        return question.answers, (recorded,)
    right, picked = set(question.answers), set(picks_of(question, recorded))
    return tuple(c for c in shown if c in right), tuple(c for c in shown if c in picked)


def pick_count(question: Question) -> int:
    """How many choices an answer picks: the right ones of a multiple-response question, else one."""
    return len(question.answers) if question.kind is Kind.MULTIPLE_RESPONSE else 1


def grade_picks(question: Question, instance_id: int, indexes: Iterable[int]) -> tuple[str, bool]:
    """The text to record for the choices shown at `indexes`, and whether it is right: all or
    nothing, so a multiple-response answer is right only with every right choice and no other.

    A multiple-response answer must pick as many choices as the prompt asks for ("Choose TWO."):
    another number is refused before anything is recorded, as a slip rather than an answer.
    """
    shown = shown_choices(question, instance_id)
    picked = list(dict.fromkeys(indexes))
    if question.kind is Kind.FLASHCARD or not all(0 <= i < len(shown) for i in picked):
        raise QuizError("That is not one of this question's choices.")
    wanted = pick_count(question)
    if len(picked) != wanted:
        if question.kind is Kind.MULTIPLE_RESPONSE:
            raise QuizError(
                f"Choose {MULTIPLE_RESPONSE_ANSWERS[wanted]}: you picked {len(picked)}. "
                "Nothing was recorded; pick again."
            )
        raise QuizError("Pick one choice.")
    choices = [shown[i] for i in picked]
    return recorded_pick(question, choices), set(choices) == set(question.answers)


def parse_letters(text: str, count: int) -> tuple[int, ...] | None:
    """Positions picked by letters (or numbers) separated by commas or spaces: "B, D" -> (1, 3).

    Each distinct position once, in the order typed; None when anything typed is not the letter
    or number of one of `count` choices.
    """
    picked: list[int] = []
    tokens = [t for t in _LETTER_SEPARATORS.split(text.strip()) if t]
    for token in tokens:
        token = token.rstrip(").").upper()
        if len(token) == 1 and token in LETTERS[:count]:
            index = LETTERS.index(token)
        elif token.isascii() and token.isdigit() and 1 <= int(token) <= count:
            index = int(token) - 1
        else:
            return None
        if index not in picked:
            picked.append(index)
    return tuple(picked) or None


def question_view(
    question: Question,
    topic: Topic,
    instance_id: int,
    mode: Mode,
    count: int = 0,
    daily_date: date | None = None,
) -> QuestionView:
    """How adapters show a posted question, under `topic`'s heading: its choices in the order of
    `instance_id` (`shown_choices`); the answer is not in it."""
    return QuestionView(
        instance_id=instance_id,
        question_id=question.id,
        topic_id=topic.id,
        topic_name=topic.name,
        kind=question.kind,
        difficulty=question.difficulty,
        prompt=question.prompt,
        choices=shown_choices(question, instance_id),
        mode=mode,
        answer_count=count,
        daily_date=daily_date,
        pick_count=pick_count(question),
    )
