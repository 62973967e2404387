"""A mock exam in the terminal, typed as a person or a script types it, to its report."""

from __future__ import annotations

from pathlib import Path

from adapters.terminal import TerminalChat
from bot.app.exam_screens import choice_seed
from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.exam_models import ExamQuestion
from tests.conftest import FrozenClock
from tests.test_terminal import chat_session, letter_of, typed_answer


async def test_a_typed_exam_with_a_flag_and_a_review_to_its_report(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    chat = TerminalChat(core.quiz, core.commands, "alice", lambda _: None)
    first = await chat.handle("/quiz exam ecs 5")
    assert first.startswith("Question 1 of 5 · 07:00 left")
    for number in range(1, 6):
        assert isinstance(chat.exam, ExamQuestion) and chat.exam.position == number - 1
        shown = await chat.handle(typed_answer(bank, chat.exam.question))
        assert "[x]" in shown and f"{number} answered" in shown
        if number == 3:
            assert "(flagged for review)" in await chat.handle("flag")
        clock.advance(seconds=30)
        if number < 5:
            assert (await chat.handle("next")).startswith(f"Question {number + 1} of 5")
    review = await chat.handle("review")
    assert "0 unanswered" in review and " 3. answered · flagged" in review
    assert (await chat.handle("go 3")).startswith("Question 3 of 5")
    assert "go N · review · submit" in await chat.handle("zz")
    report = await chat.handle("submit")
    assert "Score: 1000 / 1000 · PASS" in report
    assert "Right: 5/5 (100%)" in report and "time used 02:30 of 7 min" in report
    assert (
        "By domain:\n" in report and "Cloud Technology and Services: " in report and "By topic:\n" in report
    )
    assert chat.exam is None
    history = await chat.handle("/quiz exam history")
    assert "1000 (pass) · 5/5 (100%) · " + bank.topic("ecs").name in history


async def test_a_missed_question_shows_the_right_answer_and_why(core: Core, bank: QuestionBank) -> None:
    chat = TerminalChat(core.quiz, core.commands, "bob", lambda _: None)
    await chat.handle("/quiz exam ecs 5")
    assert isinstance(chat.exam, ExamQuestion)
    question = bank.by_id[chat.exam.question.question_id]
    report = await chat.handle("submit")
    assert "Score: 100 / 1000 · FAIL" in report and "Missed (5):" in report
    assert "Your answer: (not answered)" in report
    assert f"Right answer: {'; '.join(question.answers)}" in report and question.explanation in report


def test_a_scripted_exam_in_a_real_process(tmp_path: Path) -> None:
    right = letter_of("Elastic Container Service", choice_seed(1, 0))
    result = chat_session(tmp_path, f"/quiz exam 5\n{right}\nsubmit\n/quiz exam history\n", "--user", "alice")
    assert result.returncode == 0, result.stderr
    assert "The bank has 1 exam-style questions here, so the exam has 1." in result.stdout
    assert "Score: 1000 / 1000 · PASS" in result.stdout
    assert "Your exams, newest first:" in result.stdout and "1000 (pass) · 1/1 (100%)" in result.stdout
