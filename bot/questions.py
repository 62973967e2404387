"""The question bank's domain types: what a question and a topic are, independent of any file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Platform limits that the content must respect, so that every question renders everywhere.
# Slack caps button text at 75 characters, Discord button labels at 80: the smaller wins.
BUTTON_TEXT_MAX = 75
# Discord embed descriptions take 4096 and Slack section blocks 3000 characters; prompts stay
# well under both so a topic line and a difficulty fit beside them.
PROMPT_MAX = 1000
# An explanation is sent in one Discord message (2000 characters) together with a verdict line.
EXPLANATION_MAX = 1500
MIN_CHOICES = 2
MAX_CHOICES = 6


class Kind(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    FLASHCARD = "flashcard"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


TRUE_FALSE_CHOICES = ("True", "False")


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question of the bank.

    `choices` holds the buttons shown (true/false questions get "True" and "False"; flashcards
    have none) and `answer` the correct choice's text, or for a flashcard the canonical answer.
    `accepted` lists further answers a flashcard accepts when typed.
    """

    id: str
    topics: tuple[str, ...]
    kind: Kind
    difficulty: Difficulty
    prompt: str
    choices: tuple[str, ...]
    answer: str
    explanation: str
    source: str
    accepted: tuple[str, ...] = field(default=())

    @property
    def answer_index(self) -> int | None:
        """The index of the correct choice, or None for a flashcard."""
        return self.choices.index(self.answer) if self.choices else None

    @property
    def primary_topic(self) -> str:
        return self.topics[0]
