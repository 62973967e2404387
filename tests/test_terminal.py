"""The terminal adapter, driven as a person or a script would drive it."""

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path

import pytest

from adapters import terminal_render as render
from adapters.cli import main
from adapters.terminal import TerminalChat
from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.choices import LETTERS, shown_choices
from bot.models import Place, QuestionView, TopicInfo
from bot.questions import Difficulty, Kind, Question
from tests.answering_helpers import right_picks
from tests.chat_session import chat_environment, studybot_chat
from tests.conftest import CONTENT_DIR, FrozenClock

ONE_QUESTION = """\
questions:
  - id: ecs-name
    topics: [ecs]
    kind: multiple_choice
    difficulty: easy
    domain: 3
    task: "3.3"
    verified: 2026-12-06
    prompt: What does ECS stand for?
    choices: [Elastic Compute Service, Elastic Container Service, EC2 Container Storage]
    answer: Elastic Container Service
    explanation: ECS is the Elastic Container Service; Elastic Compute Cloud is EC2.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
"""


def letter_of(choice: str, instance_id: int) -> str:
    """The letter ONE_QUESTION shows `choice` under when posted as that instance."""
    choices = ("Elastic Compute Service", "Elastic Container Service", "EC2 Container Storage")
    question = Question(
        id="ecs-name",
        topics=("ecs",),
        kind=Kind.MULTIPLE_CHOICE,
        difficulty=Difficulty.EASY,
        prompt="",
        choices=choices,
        answers=(choices[1],),
        explanation="",
        source="",
        domain=3,
        task="3.3",
        verified=date(2026, 12, 6),
    )
    return LETTERS[shown_choices(question, instance_id).index(choice)]


def typed_answer(bank: QuestionBank, view: QuestionView) -> str:
    """What a person types to answer a posted question right: "B", "A, D" or a flashcard's text."""
    if view.kind is Kind.FLASHCARD:
        return bank.by_id[view.question_id].answer
    return ", ".join(LETTERS[i] for i in right_picks(bank, view))


TRUE_OR_FALSE = """\
questions:
  - id: ecs-serverless
    topics: [ecs]
    kind: true_false
    difficulty: easy
    domain: 3
    task: "3.3"
    verified: 2026-12-06
    prompt: ECS can run containers without servers to manage, on Fargate.
    answer: true
    explanation: Fargate is the serverless launch type of ECS.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html
"""


def session_env(tmp_path: Path, bank: str = ONE_QUESTION) -> dict[str, str]:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    shutil.copy(CONTENT_DIR / "topics.yaml", content)
    (content / "ecs.yaml").write_text(bank)
    return chat_environment(tmp_path, content)


def chat_session(
    tmp_path: Path, script: str, *options: str, bank: str = ONE_QUESTION, columns: int = 130
) -> subprocess.CompletedProcess[str]:
    return studybot_chat(tmp_path, script, session_env(tmp_path, bank) | {"COLUMNS": str(columns)}, *options)


def test_a_scripted_session_from_a_question_to_the_leaderboard(tmp_path: Path) -> None:
    right = letter_of("Elastic Container Service", 1)
    result = chat_session(
        tmp_path,
        f"/quiz ecs\n{right}\n/quiz leaderboard\n/quiz leaderboard teams\n",
        "--user",
        "alice",
        "--team",
        "Night Owls",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Created and joined the team Night Owls." in out
    assert "[Amazon ECS · easy] What does ECS stand for?" in out
    assert f"  {right}) Elastic Container Service" in out
    assert "Correct! +10 points." in out
    assert re.search(r"^1  alice\s+10\s+1\s+100%$", out, re.M)
    assert re.search(r"^1  Night Owls\s+10\s+1\s+100%$", out, re.M)


def test_the_same_database_keeps_the_score_across_sessions(tmp_path: Path) -> None:
    right = LETTERS.index(letter_of("Elastic Container Service", 1)) + 1
    chat_session(tmp_path, f"/quiz ecs\n{right}\n", "--user", "alice")
    wrong = letter_of("EC2 Container Storage", 2)
    result = chat_session(tmp_path, f"/quiz ecs\n{wrong}\n/quiz leaderboard all\n", "--user", "bob")
    assert "Not quite. The answer is: Elastic Container Service." in result.stdout
    assert re.search(r"^1  alice\s+10\s+1\s+100%$", result.stdout, re.M)
    assert re.search(r"^2  bob\s+0\s+1\s+0%$", result.stdout, re.M)


async def test_bad_input_gets_one_line_and_the_session_goes_on(core: Core, bank: QuestionBank) -> None:
    shown: list[str] = []
    chat = TerminalChat(core.quiz, core.commands, "alice", shown.append)
    assert await chat.handle("") == "Nothing typed. Type /quiz help for the commands, or quit to leave."
    assert "too long" in await chat.handle("x" * 500)
    assert await chat.handle("/dance") == "Unknown command '/dance'. Type /quiz help for the commands."
    assert await chat.handle("/quiz ecx") == "No topic 'ecx'. Did you mean ecs or ecr or ec2?"
    assert (
        await chat.handle("/quiz team join @everyone <@123>")
        == "Created and joined the team @everyone <@123>."
    )
    text = await chat.handle("/quiz docker")
    assert "[" in text
    assert chat.pending is not None
    question = bank.by_id[chat.pending.question_id]
    if question.kind is not Kind.FLASHCARD:
        hint = await chat.handle("Z")  # "Answer with ...", or "Answer true or false (...)"
        assert hint.startswith("Answer ") and hint.endswith(", or type a command."), hint
        answer = await chat.handle(typed_answer(bank, chat.pending).lower())
        assert answer.startswith("Correct!")
    assert chat.pending is None or question.kind is Kind.FLASHCARD


async def test_lines_are_read_until_quit(core: Core) -> None:
    lines = iter(["/quiz topics", "quit", "/quiz help"])
    shown: list[str] = []

    async def read_line() -> str | None:
        return next(lines, None)

    await TerminalChat(core.quiz, core.commands, "alice", shown.append).loop(read_line, interactive=False)
    assert len(shown) == 1 and "kubernetes" in shown[0]


async def test_the_question_of_the_day_reaches_the_terminal(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    shown: list[str] = []
    daily = core.daily
    chat = TerminalChat(core.quiz, core.commands, "alice", shown.append)
    daily.posters["terminal"] = chat
    assert "Question of the day: all topics at 09:00 UTC" in await chat.handle(
        "/quiz daily on all at 09:00 UTC"
    )
    due = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    clock.moment = due
    subscription = (await daily.status(Place("terminal", "local", "terminal"))).subscription
    assert subscription is not None
    await daily.post_due(subscription.id, due)
    assert shown[-1].startswith("Question of the day, Thursday 19 November:")
    assert chat.pending is not None
    reply = await chat.handle(typed_answer(bank, chat.pending))
    assert "Total:" in reply
    clock.moment = due + timedelta(days=1)
    await daily.post_due(subscription.id, due + timedelta(days=1))
    assert any(line.startswith("Answer to the question of the day of 19 November") for line in shown)


def test_true_false_questions_take_true_and_false(tmp_path: Path) -> None:
    result = chat_session(tmp_path, "/quiz ecs\nmaybe\nTRUE\n", bank=TRUE_OR_FALSE)
    assert "Answer with true or false, a letter or a number." in result.stdout
    assert "Answer true or false (a letter A-B or a number 1-2), or type a command." in result.stdout
    assert "Correct! +10 points." in result.stdout
    again = chat_session(tmp_path, "/quiz ecs\nfalse\n", bank=TRUE_OR_FALSE)
    assert "Not quite. The answer is: True." in again.stdout


def test_a_new_question_shows_the_answer_of_the_one_left_and_says_when_the_pool_starts_again(
    tmp_path: Path,
) -> None:
    result = chat_session(tmp_path, "/quiz ecs\n/quiz ecs\n", "--user", "alice")
    first, _, second = result.stdout.partition("Skipped.")
    assert "You have seen every question" not in first
    # Lettered as the first question (instance 1) showed its shuffled choices.
    right = letter_of("Elastic Container Service", 1)
    assert second.startswith(
        f" The answer to the previous question was: {right}) Elastic Container Service.\n"
    )
    restart = "You have seen every question on Amazon ECS; starting again with the ones seen longest ago."
    assert restart in second
    assert "[Amazon ECS · easy] What does ECS stand for?" in second


def test_the_topic_list_fits_80_columns(tmp_path: Path, bank: QuestionBank) -> None:
    result = chat_session(tmp_path, "/quiz topics\n", columns=80)
    assert "kubernetes" in result.stdout and "also: k8s" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80, result.stdout
    topics = [TopicInfo(t.id, t.name, t.aliases, len(bank.in_topic(t.id))) for t in bank.topics]
    shown = render.topic_list(topics, 80)
    assert all(len(line) <= 80 for line in shown.splitlines())
    assert all(t.id in shown and all(a in shown for a in t.aliases) for t in topics)


def test_studybot_version_names_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        main(["--version"])
    assert leaving.value.code == 0
    assert capsys.readouterr().out.strip() == f"studybot {metadata.version('studybot')}"


def _read_until(master: int, wanted: bytes, deadline: float) -> bytes:
    seen = b""
    while wanted not in seen:
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {wanted!r} from the chat; it wrote {seen!r}")
        seen += os.read(master, 4096)
    return seen


def test_ctrl_c_at_the_prompt_ends_the_chat_at_once_and_restores_the_terminal(tmp_path: Path) -> None:
    """In a real terminal (a pseudo-terminal here): Ctrl-C at the prompt leaves without waiting
    for Enter, on a line of its own, with the terminal's settings as they were."""
    master, replica = pty.openpty()
    settings_before = termios.tcgetattr(replica)
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "chat", "--db", str(tmp_path / "chat.db")],
        stdin=replica,
        stdout=replica,
        stderr=replica,
        env=session_env(tmp_path),
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        _read_until(master, b"> ", time.monotonic() + 30)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 130
        assert b"Bye." in _read_until(master, b"Bye.", time.monotonic() + 5)
        assert termios.tcgetattr(replica) == settings_before
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
        os.close(replica)
