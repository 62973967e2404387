"""A multiple-response question in the terminal: letters separated by commas or spaces."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from adapters.terminal import TerminalChat
from bot.bank import load_bank
from bot.bootstrap import compose
from bot.choices import LETTERS, shown_choices
from bot.db.database import Database
from tests.chat_session import chat_environment, studybot_chat
from tests.conftest import FrozenClock

BANK_DIR = Path(__file__).resolve().parent / "slack" / "bank"
BANK = load_bank(BANK_DIR)
QUESTION = BANK.by_id["fargate-launch-options"]
RIGHT = ("AWS Fargate", "Amazon EC2 instances")


def letters(instance_id: int, *choices: str, separator: str = ", ") -> str:
    shown = shown_choices(QUESTION, instance_id)
    return separator.join(LETTERS[shown.index(choice)] for choice in choices)


def test_a_scripted_session_answers_with_letters(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/quiz fargate",
            letters(1, "AWS Fargate"),
            letters(1, *RIGHT, separator=" ").lower(),
            "/quiz fargate",
            letters(2, "Amazon S3 buckets", "AWS Fargate"),
            "",
        ]
    )
    result = studybot_chat(tmp_path, script, chat_environment(tmp_path, BANK_DIR), "--user", "alice")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(Choose TWO.)" in out and "Answer with the letters of your choices, like B, D." in out
    assert "Choose TWO: you picked 1. Nothing was recorded; pick again." in out
    assert "Correct! +15 points." in out
    assert "Not quite: all the right choices and only those score." in out
    marks = {
        f"{choice} (right)" if choice in RIGHT else f"{choice} (wrong)"
        for choice in ("AWS Fargate", "Amazon S3 buckets")
    }
    picks_line = next(
        line for line in out.splitlines() if line.startswith("Your picks: ") and "wrong" in line
    )
    assert set(picks_line.removeprefix("Your picks: ").split(", ")) == marks
    right_line = [c for c in shown_choices(QUESTION, 2) if c in RIGHT]
    assert f"The right answers: {'; '.join(right_line)}" in out


@pytest.fixture
async def chat(database: Database, clock: FrozenClock) -> TerminalChat:
    """Alice's chat on the test bank, the Fargate question asked and waiting for her answer."""
    core = compose(database, BANK, clock, "UTC", rng=random.Random(3))
    chat = TerminalChat(core.quiz, core.commands, "alice", [].append)
    await chat.handle("/quiz fargate")
    assert chat.pending is not None
    return chat


async def test_anything_but_letters_gets_a_hint_and_the_question_stays(chat: TerminalChat) -> None:
    assert chat.pending is not None
    instance = chat.pending.instance_id
    for typed in ("Fargate and EC2", "B D Z", "7"):
        assert await chat.handle(typed) == (
            "Answer with the letters of your choices (A-E), like B, D, or type a command."
        )
    assert chat.pending is not None
    answer = await chat.handle(letters(instance, *RIGHT, separator=","))
    assert answer.startswith("Correct!") and chat.pending is None


async def test_a_question_left_for_another_shows_its_right_choices_lettered_as_shown(
    chat: TerminalChat,
) -> None:
    assert chat.pending is not None
    left = chat.pending.instance_id
    reply = await chat.handle("/quiz fargate")
    right = "; ".join(f"{LETTERS[i]}) {c}" for i, c in enumerate(shown_choices(QUESTION, left)) if c in RIGHT)
    assert reply.startswith(f"Skipped. The answers to the previous question were: {right}.\n")
