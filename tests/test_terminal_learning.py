"""Reviews, private practice, flashcard grades and readiness in the terminal."""

from __future__ import annotations

import random

from adapters.terminal import TerminalChat
from bot.bank import QuestionBank
from bot.bootstrap import wire
from bot.questions import Kind
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork


async def test_a_flashcard_is_shown_then_graded_with_one_of_the_four_grades(
    bank: QuestionBank, clock: FrozenClock
) -> None:
    cards = QuestionBank(bank.topics, tuple(q for q in bank.questions if q.kind is Kind.FLASHCARD)[:1])
    core = wire(MemoryUnitOfWork(), cards, clock, rng=random.Random(1))
    chat = TerminalChat(core.quiz, core.commands, "alice", lambda _text: None)
    assert "'show'" in await chat.handle("/quiz private")
    shown = await chat.handle("show")
    assert f"Answer: {cards.questions[0].answer}" in shown and "1 again" in shown
    assert "Grade yourself" in await chat.handle("meh")
    assert "Correct!" in await chat.handle("hard")
    uow = core.uow
    assert isinstance(uow, MemoryUnitOfWork)
    [review] = uow.state.learning.reviews
    assert (review.grade.name, review.mode) == ("HARD", "private")
    reviewed = await chat.handle("/quiz review")
    assert "Nothing due for review. Next card due" in reviewed  # Hard on a new card: 5.5 minutes
    stats = await chat.handle("/quiz stats")
    assert "Readiness" in stats and "Study next" in stats
