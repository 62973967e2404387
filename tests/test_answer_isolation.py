"""Issue 13 point 6, second half: a value the database refuses fails one answer of a group
commit, not its batch. The others are recorded; the one refused gets a plain message."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app.quiz import QuizService
from bot.bank import QuestionBank
from bot.db.database import Database
from bot.errors import QuizError
from bot.models import Actor, AnswerOutcome
from tests.test_service import post_choice_question, right_index

BATCH = 60


def refused_names(database: Database) -> list[str]:
    """User ids the database will not store: a lone surrogate on both backends (it cannot be
    encoded), and a NUL on PostgreSQL (text cannot hold it). Display names are cleaned of both
    before they reach the database (bot/names.py), so the refused value rides in the user id,
    which comes from the platform as it is."""
    return ["UBAD\ud800"] + ([] if database.is_sqlite else ["UBAD\x00"])


@pytest.mark.parametrize("bad", [0, 1])
async def test_one_refused_answer_fails_alone_and_its_user_is_told(
    service: QuizService, bank: QuestionBank, database: Database, bad: int, caplog: pytest.LogCaptureFixture
) -> None:
    names = refused_names(database)
    if bad >= len(names):
        pytest.skip("SQLite stores a NUL")
    result = await post_choice_question(service, bank)
    index = right_index(bank, result)
    actors = [Actor("slack", "T1", f"U{n}", f"user {n}") for n in range(BATCH)]
    actors[BATCH // 3] = Actor("slack", "T1", names[bad], "Eve")
    with caplog.at_level(logging.ERROR, logger="bot.app.answering"):
        outcomes = await asyncio.gather(
            *(service.answer_choice(a, result.question.instance_id, index) for a in actors),
            return_exceptions=True,
        )
    refused = outcomes.pop(BATCH // 3)
    assert isinstance(refused, QuizError)
    assert str(refused).startswith("Your answer could not be saved: the quiz database refused it")
    assert all(isinstance(o, AnswerOutcome) and o.correct and not o.repeat for o in outcomes)
    assert (await service.question_view(result.question.instance_id)).answer_count == BATCH - 1
    assert [r.getMessage() for r in caplog.records] == [
        f"the database refused the answer of slack/T1/{names[bad]} to {result.question.instance_id}"
    ]
