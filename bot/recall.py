"""Each learner's memory of each question, scheduled by FSRS (the `fsrs` package, py-fsrs).

py-fsrs keeps a card's state in a plain `Card` and schedules it with `Scheduler.review_card`,
a pure function of (card, rating, time). This module holds that state as a frozen dataclass of
our own (`Memory`, what storage keeps), converts it to and from py-fsrs' `Card` at the edge, and
always passes the time in: nothing here reads a clock or a database.

How answers become ratings (the README's "Spaced repetition" section says the same):
a wrong answer is Again, a right one Good; a flashcard graded by the learner is the grade they
pick (Again, Hard, Good or Easy). Interval fuzzing is off so that a card's schedule is the same
function of its answers in every process and test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from fsrs import Card, Rating, Scheduler, State

DEFAULT_RETENTION = 0.9
_NO_ID = 0  # py-fsrs makes up an id (and sleeps 1 ms) when none is given; ours is (user, question)


class Grade(IntEnum):
    """The four FSRS ratings, as the learner picks them; values are py-fsrs' `Rating` values."""

    AGAIN = int(Rating.Again)
    HARD = int(Rating.Hard)
    GOOD = int(Rating.Good)
    EASY = int(Rating.Easy)

    @property
    def knew(self) -> bool:
        """Whether the grade counts as a right answer (everything but Again)."""
        return self is not Grade.AGAIN


def grade_for(correct: bool) -> Grade:
    """The rating of an answer graded by Studybot: right is Good, wrong is Again."""
    return Grade.GOOD if correct else Grade.AGAIN


@dataclass(frozen=True, slots=True)
class Memory:
    """One learner's card for one question: py-fsrs' `Card` fields, plus how often reviewed."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reviews: int

    def card(self) -> Card:
        return Card(
            _NO_ID, State(self.state), self.step, self.stability, self.difficulty, self.due, self.last_review
        )


def _utc(moment: datetime) -> datetime:
    """py-fsrs accepts only `datetime.timezone.utc` as the zone."""
    return moment.astimezone(UTC)


class Recall:
    """The scheduler with the workspace's settings: what a card becomes after a rating."""

    def __init__(self, desired_retention: float = DEFAULT_RETENTION) -> None:
        self.scheduler = Scheduler(desired_retention=desired_retention, enable_fuzzing=False)

    def review(self, memory: Memory | None, grade: Grade, at: datetime) -> Memory:
        """The card after a rating at `at` (a new card when `memory` is None)."""
        moment = _utc(at)
        before = memory.card() if memory is not None else Card(_NO_ID, due=moment)
        after, _log = self.scheduler.review_card(before, Rating(int(grade)), moment)
        return Memory(
            int(after.state),
            after.step,
            after.stability,
            after.difficulty,
            after.due,
            after.last_review,
            (memory.reviews if memory is not None else 0) + 1,
        )

    def recall_chance(self, memory: Memory | None, at: datetime) -> float:
        """The predicted probability of recalling the card at `at`; 0 for a question never seen."""
        if memory is None:
            return 0.0
        return float(self.scheduler.get_card_retrievability(memory.card(), _utc(at)))
