"""A person's card after answers equals what py-fsrs computes for the same ratings and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from bot.app.cards import record_card_answer
from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.models import Actor
from bot.questions import Kind
from bot.recall import Grade, Memory, Recall, grade_for
from tests.answering_helpers import answer
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANN = Actor("slack", "T1", "U1", "Ann")


def fsrs_card(ratings: list[tuple[Rating, datetime]]) -> Card:
    scheduler = Scheduler(enable_fuzzing=False)
    card = Card(card_id=1, due=ratings[0][1])
    for rating, at in ratings:
        card, _log = scheduler.review_card(card, rating, at)
    return card


def same(memory: Memory, card: Card) -> None:
    assert (memory.state, memory.step, memory.due, memory.last_review) == (
        int(card.state),
        card.step,
        card.due,
        card.last_review,
    )
    assert memory.stability == pytest.approx(card.stability)
    assert memory.difficulty == pytest.approx(card.difficulty)


def test_recall_is_py_fsrs_for_the_same_ratings_and_times() -> None:
    recall = Recall()
    steps = [
        (Grade.AGAIN, START),
        (Grade.GOOD, START + timedelta(minutes=2)),
        (Grade.EASY, START + timedelta(days=3)),
    ]
    memory = None
    for grade, at in steps:
        memory = recall.review(memory, grade, at)
    assert memory is not None and memory.reviews == 3
    same(memory, fsrs_card([(Rating(int(g)), at) for g, at in steps]))


def test_grades_of_graded_answers() -> None:
    assert grade_for(True) is Grade.GOOD and grade_for(False) is Grade.AGAIN
    assert [g.knew for g in Grade] == [False, True, True, True]


async def test_answers_update_the_stored_card_as_py_fsrs_would(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    """Wrong is Again, right is Good, a flashcard's own grade is itself; stored on both backends."""
    choice = next(q for q in bank.questions if q.kind is not Kind.FLASHCARD)
    flashcard = next(q for q in bank.questions if q.kind is Kind.FLASHCARD)
    clock.moment = START
    first = await core.quiz.ask(ANN, "C1", None)  # makes the user and the channel
    channel_id = (await core.uow.read(lambda r: r.posts.get(first.question.instance_id))).channel_id  # type: ignore[union-attr]
    expected: dict[str, list[tuple[Rating, datetime]]] = {choice.id: [], flashcard.id: []}
    steps = [(choice, False, 0), (choice, True, 5), (flashcard, Grade.HARD, 6), (choice, True, 60 * 24 * 3)]
    for question, how, minutes in steps:
        clock.moment = START + timedelta(minutes=minutes)
        now = clock.moment
        instance = await core.uow.write(
            lambda r, q=question, t=now: r.posts.add(channel_id, q.id, "practice", t, None)
        )
        if isinstance(how, Grade):
            await core.quiz.answer_self_grade(ANN, instance, how)
            expected[question.id].append((Rating(int(how)), now))
        else:
            await answer(core.quiz, bank, ANN, await core.quiz.question_view(instance), how)
            expected[question.id].append((Rating.Good if how else Rating.Again, now))
    user = await core.uow.read(lambda r: r.people.find_user(1, "U1"))
    assert user is not None
    stored = await core.uow.read(lambda r: r.cards.of_user(user.id))
    for question_id, ratings in expected.items():
        same(stored[question_id], fsrs_card(ratings))
    assert await core.uow.read(lambda r: r.cards.review_count(user.id)) == 4


async def test_the_exam_hook_records_a_card_in_the_callers_transaction() -> None:
    uow = MemoryUnitOfWork()
    recall = Recall()
    memory = await uow.write(lambda r: record_card_answer(r, recall, 7, "q1", Grade.HARD, START, "exam"))
    assert uow.state.learning.cards[(7, "q1")] == memory
    assert uow.state.learning.reviews[0].mode == "exam"
    same(memory, fsrs_card([(Rating.Hard, START)]))
