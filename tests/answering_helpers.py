"""Answering a posted question the way a person would: by the choices shown, right or wrong.

Choices are shown shuffled per posted question, so tests find a choice by its text in the view,
never by its place in the bank's file.
"""

from __future__ import annotations

from bot.app.quiz import QuizService
from bot.bank import QuestionBank
from bot.models import Actor, AnswerOutcome, QuestionView
from bot.questions import Kind
from bot.recall import grade_for

SINGLE_ANSWER = (Kind.MULTIPLE_CHOICE, Kind.TRUE_FALSE)


def right_picks(bank: QuestionBank, view: QuestionView) -> tuple[int, ...]:
    """Where the right choices are shown."""
    answers = bank.by_id[view.question_id].answers
    return tuple(i for i, choice in enumerate(view.choices) if choice in answers)


def wrong_picks(bank: QuestionBank, view: QuestionView) -> tuple[int, ...]:
    """As many choices as the question asks for, one of them wrong."""
    right = right_picks(bank, view)
    wrong = next(i for i in range(len(view.choices)) if i not in right)
    return (*right[1:], wrong)


def right_index(bank: QuestionBank, view: QuestionView) -> int:
    """Where the one right choice of a single-answer question is shown."""
    [index] = right_picks(bank, view)
    return index


async def answer(
    service: QuizService, bank: QuestionBank, who: Actor, view: QuestionView, right: bool
) -> AnswerOutcome:
    """A right or wrong answer to a question of any kind."""
    if view.kind is Kind.FLASHCARD:
        return await service.answer_self_grade(who, view.instance_id, grade_for(right))
    picks = right_picks(bank, view) if right else wrong_picks(bank, view)
    return await service.answer_choices(who, view.instance_id, picks)
