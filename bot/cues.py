"""Bank-wide cue statistics: how far a question can be answered without knowing anything.

Three cues are measured (issue 16, point 3): the right choice being the uniquely longest one of
a single-answer multiple-choice question; true/false statements with an absolute word ("only",
"always"...) being nearly always false; and a right choice repeating a distinctive word of the
prompt that no other choice has. The first two have bounds the bank must keep; the third is
listed for an author to judge each case (a repeated service name can be fair).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.questions import TRUE_FALSE_CHOICES, Kind, Question

LONGEST_SHARE_MAX = 0.30
ABSOLUTE_TRUE_SHARE_MIN = 1 / 3
ABSOLUTE_WORD = re.compile(r"\b(only|always|never|every|all|cannot)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9][a-z0-9-]+")
# Words too common to give an answer away.
_STOP_WORDS = frozenset(
    "the a an of to in on for and or is are be by with from that this which what it its as at can you "
    "your their they when how do does not no than into more most should use using aws amazon service "
    "services".split()
)
_MIN_WORD = 4


def distinctive_words(text: str) -> set[str]:
    """The words of `text` that could act as a cue: not common, at least four letters."""
    return {w for w in _WORD.findall(text.casefold()) if w not in _STOP_WORDS and len(w) >= _MIN_WORD}


@dataclass(frozen=True)
class Echo:
    """A right choice repeating prompt words that no other choice has."""

    question_id: str
    choice: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class CueReport:
    multiple_choice: int
    right_longest: int
    absolute_true_false: int
    absolute_true: int
    echoes: tuple[Echo, ...]
    echoing_choices: int = 0

    @property
    def longest_share(self) -> float:
        return self.right_longest / self.multiple_choice if self.multiple_choice else 0.0

    @property
    def absolute_true_share(self) -> float:
        return self.absolute_true / self.absolute_true_false if self.absolute_true_false else 1.0

    def failures(self) -> list[str]:
        """The bounds the bank is past; empty when it keeps them all."""
        found = []
        if self.longest_share > LONGEST_SHARE_MAX:
            found.append(
                f"the right choice is the uniquely longest in {self.longest_share:.0%} of single-answer "
                f"multiple-choice questions (at most {LONGEST_SHARE_MAX:.0%})"
            )
        if self.absolute_true_share < ABSOLUTE_TRUE_SHARE_MIN:
            found.append(
                f"only {self.absolute_true_share:.0%} of true/false statements with an absolute word are "
                f"true (at least {ABSOLUTE_TRUE_SHARE_MIN:.0%})"
            )
        return found

    def lines(self, locations: Mapping[str, str] | None = None) -> list[str]:
        """The statistics as an author reads them, each echo with where its question is."""
        where = locations or {}
        summary = [
            f"Right choice uniquely longest: {self.right_longest} of {self.multiple_choice} single-answer "
            f"multiple-choice questions ({self.longest_share:.0%}; at most {LONGEST_SHARE_MAX:.0%})",
            f"True/false with an absolute word that are true: {self.absolute_true} of "
            f"{self.absolute_true_false} ({self.absolute_true_share:.0%}; "
            f"at least {ABSOLUTE_TRUE_SHARE_MIN:.0%})",
            f"Right choices repeating a distinctive prompt word no other choice has: {len(self.echoes)} "
            f"(judge each; {self.echoing_choices} choices, right or wrong, do so)",
        ]
        for echo in self.echoes:
            place = where.get(echo.question_id, echo.question_id)
            summary.append(f"  {place}: {echo.question_id}: '{echo.choice}' repeats {', '.join(echo.words)}")
        return summary


def _uniquely_longest(question: Question) -> bool:
    lengths = [len(c) for c in question.choices]
    longest = max(lengths)
    return lengths.count(longest) == 1 and len(question.answers[0]) == longest


def _echoes(question: Question) -> list[Echo]:
    """Every choice that repeats prompt words no other choice has."""
    prompt = distinctive_words(question.prompt)
    found = []
    for choice in question.choices:
        others: set[str] = set()
        for other in question.choices:
            if other != choice:
                others |= distinctive_words(other)
        repeated = (distinctive_words(choice) & prompt) - others
        if repeated:
            found.append(Echo(question.id, choice, tuple(sorted(repeated))))
    return found


def cue_report(questions: Iterable[Question]) -> CueReport:
    multiple_choice = right_longest = absolute = absolute_true = echoing = 0
    echoes: list[Echo] = []
    for question in questions:
        if question.kind is Kind.MULTIPLE_CHOICE:
            multiple_choice += 1
            right_longest += _uniquely_longest(question)
        elif question.kind is Kind.TRUE_FALSE and ABSOLUTE_WORD.search(question.prompt):
            absolute += 1
            absolute_true += question.answers == TRUE_FALSE_CHOICES[:1]
        if question.kind in (Kind.MULTIPLE_CHOICE, Kind.MULTIPLE_RESPONSE):
            found = _echoes(question)
            echoing += len(found)
            echoes.extend(echo for echo in found if echo.choice in question.answers)
    return CueReport(multiple_choice, right_longest, absolute, absolute_true, tuple(echoes), echoing)
