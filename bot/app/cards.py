"""Recording a rating on a person's card, inside the caller's transaction.

The group commit of answers (`bot.app.answering`) does the same for a whole batch at once;
this is the one-answer form, for other ways of answering (the exam mode of issue 15 calls it
inside its own `uow.write`, so the card is stored in the same transaction as the answer)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.app.learning_ports import Review
from bot.app.ports import Repositories
from bot.recall import Grade, Memory, Recall, grade_for


def record_card_answer(
    repositories: Repositories,
    recall: Recall,
    user_id: int,
    question_id: str,
    grade: Grade,
    at: datetime,
    mode: str,
) -> Memory:
    """Rate the person's card of the question `grade` at `at`, store it and its review log; the
    card as it is now. Call it within a `uow.write` (use `grade_for(correct)` for a graded answer)."""
    key = (user_id, question_id)
    memory = recall.review(repositories.cards.memories([key]).get(key), grade, at)
    repositories.cards.put({key: memory}, at)
    repositories.cards.log([Review(user_id, question_id, grade, at, mode)])
    return memory


def card_recorder(recall: Recall, mode: str) -> Callable[[Repositories, int, str, bool, datetime], None]:
    """`record_card_answer` for a graded answer of `mode`: the exam's `record_card` hook."""

    def record(
        repositories: Repositories, user_id: int, question_id: str, correct: bool, at: datetime
    ) -> None:
        record_card_answer(repositories, recall, user_id, question_id, grade_for(correct), at, mode)

    return record
