"""The schema of the content files, checked with pydantic.

Only the shape of one file is checked here; rules that span files (unique ids, known topics)
live in `bot.bank`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.questions import (
    BUTTON_TEXT_MAX,
    EXPLANATION_MAX,
    MAX_CHOICES,
    MIN_CHOICES,
    PROMPT_MAX,
    Difficulty,
    Kind,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,48}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ButtonText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BUTTON_TEXT_MAX)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicEntry(_Strict):
    id: Slug
    name: Text
    aliases: list[Slug] = Field(default_factory=list)


class TopicsFile(_Strict):
    topics: list[TopicEntry] = Field(min_length=1)


class QuestionEntry(_Strict):
    id: Slug
    topics: list[Slug] = Field(min_length=1)
    kind: Kind
    difficulty: Difficulty
    prompt: Annotated[Text, StringConstraints(max_length=PROMPT_MAX)]
    choices: list[ButtonText] = Field(default_factory=list)
    answer: ButtonText | bool
    accepted: list[ButtonText] = Field(default_factory=list)
    explanation: Annotated[Text, StringConstraints(max_length=EXPLANATION_MAX)]
    source: Text

    @model_validator(mode="after")
    def _kind_rules(self) -> QuestionEntry:
        if self.kind is Kind.MULTIPLE_CHOICE:
            if not MIN_CHOICES <= len(self.choices) <= MAX_CHOICES:
                raise ValueError(
                    f"a multiple-choice question needs {MIN_CHOICES} to {MAX_CHOICES} choices, "
                    f"not {len(self.choices)}"
                )
            if isinstance(self.answer, bool):
                raise ValueError("the answer of a multiple-choice question is one of its choices")
        elif self.kind is Kind.TRUE_FALSE:
            if not isinstance(self.answer, bool):
                raise ValueError("the answer of a true/false question is true or false")
            if self.choices:
                raise ValueError("a true/false question has no choices of its own")
        else:
            if isinstance(self.answer, bool):
                raise ValueError("the answer of a flashcard is text")
            if self.choices:
                raise ValueError("a flashcard has no choices; list typed alternatives in accepted")
        return self


class QuestionsFile(_Strict):
    questions: list[QuestionEntry] = Field(min_length=1)
