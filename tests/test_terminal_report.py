"""Reporting a question from the terminal: `/quiz report REASON [TEXT]` is about the last
question shown, and `studybot content reports|stats` read what the session stored."""

import subprocess
import sys
from pathlib import Path

from tests.test_terminal import chat_session, letter_of


def studybot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`studybot ARGS` on the database and bank the chat session used."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "STUDYBOT_CONTENT_DIR": str(tmp_path / "content"),
        "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
        check=False,
    )


def test_a_session_reports_the_last_question_and_the_cli_lists_it(tmp_path: Path) -> None:
    wrong = letter_of("EC2 Container Storage", 1)
    script = (
        "/quiz report typo\n"
        "/quiz ecs\n"
        f"{wrong}\n"
        "/quiz report wrong The key <@U1> should be *Storage*\n"
        "/quiz report nonsense\n"
        "/quiz reports\n"
    )
    result = chat_session(tmp_path, script, "--user", "alice")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Report a question with Report a problem under its answer; in a terminal")
    assert any(line.startswith("Something wrong with this question? /quiz report REASON") for line in lines)
    assert (
        "Thanks: your report on this question (wrong answer) was sent to the people who look after "
        "the questions." in lines
    )
    assert any(line.startswith("'nonsense' is not a reason.") for line in lines)
    assert lines[-1].endswith("ecs-name · Wrong answer · alice (alice): The key <@U1> should be *Storage*")

    reports = studybot(tmp_path, "content", "reports")
    assert reports.returncode == 0, reports.stderr
    assert reports.stdout.strip().endswith(
        "ecs-name · Wrong answer · alice (alice) in terminal:local: The key <@U1> should be *Storage*"
    )
    stats = studybot(tmp_path, "content", "stats")
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.splitlines()[2].split() == ["ecs-name", "1", "0%", "1", "0%"]
    assert "ecs-name: 'EC2 Container Storage' 1× (100%)" in stats.stdout
