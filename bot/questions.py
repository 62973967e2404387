"""The question bank's domain types: what a question and a topic are, independent of any file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

# Platform limits that the content must respect, so that every question renders everywhere.
# Slack caps button text at 75 characters, Discord button labels at 80: the smaller wins.
BUTTON_TEXT_MAX = 75
# Discord embed descriptions take 4096 and Slack section blocks 3000 characters; prompts stay
# well under both so a topic line and a difficulty fit beside them.
PROMPT_MAX = 1000
# An explanation is sent in one Discord message (2000 characters) together with a verdict line.
EXPLANATION_MAX = 1500
# The exam's multiple choice has four choices; three to six are accepted. Its multiple response
# has five or six choices of which two or three are right ("Choose TWO." / "Choose THREE.").
MULTIPLE_CHOICE_CHOICES = (3, 6)
MULTIPLE_RESPONSE_CHOICES = (5, 6)
MULTIPLE_RESPONSE_ANSWERS = {2: "TWO", 3: "THREE"}


class Kind(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    FLASHCARD = "flashcard"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


TRUE_FALSE_CHOICES = ("True", "False")


def choose_count_phrase(count: int) -> str:
    """The exam's instruction for `count` right answers: "(Choose TWO.)"."""
    return f"(Choose {MULTIPLE_RESPONSE_ANSWERS[count]}.)"


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question of the bank.

    `choices` holds the choices in the file's order (true/false questions get "True" and
    "False"; flashcards have none); they are shown shuffled (`bot.choice_order`). `answers`
    holds the right choices' texts (one for multiple choice and true/false, two or three for
    multiple response), or for a flashcard its canonical answer; `accepted` lists further
    answers a flashcard accepts when typed. `domain` and `task` place the question in the exam
    guide (domain 3, task "3.3"); `verified` is when its facts were last checked.
    """

    id: str
    topics: tuple[str, ...]
    kind: Kind
    difficulty: Difficulty
    prompt: str
    choices: tuple[str, ...]
    answers: tuple[str, ...]
    explanation: str
    source: str
    domain: int
    task: str
    verified: date
    accepted: tuple[str, ...] = field(default=())

    @property
    def answer(self) -> str:
        """The right answer as one line: multiple response joins its answers with "; "."""
        return "; ".join(self.answers)

    @property
    def primary_topic(self) -> str:
        return self.topics[0]
