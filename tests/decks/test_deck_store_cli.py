"""`studybot deck import|list|remove|export|builtin --workspace ...` on the chat's database, and
`studybot chat` playing a deck imported into the `terminal` workspace (issue 18, point 3)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from adapters.cli import main
from bot.decks.entries import DeckOptions
from bot.decks.reader import read_deck
from tests.chat_session import chat_environment, studybot_chat
from tests.conftest import CONTENT_DIR

pytestmark = pytest.mark.timeout(90)
ONE_QUESTION_DECK = """\
questions:
  - prompt: Which registry does our team push images to?
    choices: [Docker Hub, Amazon ECR, Quay]
    answer: Amazon ECR
    explanation: We keep every image in ECR, next to the clusters.
"""


def deck_file(tmp_path: Path, text: str = ONE_QUESTION_DECK, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(tmp_path / "chat.db")])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_list_export_and_remove_a_deck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck = deck_file(tmp_path)
    code, out, err = run(
        tmp_path, capsys, "deck", "import", str(deck), "--workspace", "slack:T0123", "--name", "Ours"
    )
    assert (code, err) == (0, "")
    assert out == (
        "Imported deck 'Ours' into slack:T0123: 1 question read from team.yaml "
        "(yaml: 1 multiple-choice question).\n"
    )
    code, out, _ = run(tmp_path, capsys, "deck", "list", "--workspace", "slack:T0123")
    assert code == 0
    assert out.splitlines()[:3] == [
        "The shipped question bank is on for slack:T0123.",
        "1 deck:",
        out.splitlines()[2],
    ]
    assert out.splitlines()[2].startswith("  Ours (topic ours): 1 question, from team.yaml, ")
    code, out, _ = run(tmp_path, capsys, "deck", "list", "--workspace", "discord:123456789")
    assert "No decks of its own yet" in out
    exported = tmp_path / "ours.apkg"
    code, out, _ = run(
        tmp_path, capsys, "deck", "export", "Ours", "--workspace", "slack:T0123", "--output", str(exported)
    )
    assert code == 0 and out == f"Exported deck 'Ours' of slack:T0123 to {exported} (apkg).\n"
    again = read_deck(exported.read_bytes(), exported.name, DeckOptions("ours"))
    assert again.ok and str(again.entries[0]["prompt"]).startswith(
        "Which registry does our team push images to?"
    )
    code, out, _ = run(
        tmp_path,
        capsys,
        "deck",
        "export",
        "Ours",
        "--workspace",
        "slack:T0123",
        "--format",
        "yaml",
        "--output",
        "-",
    )
    assert code == 0 and "Which registry does our team push images to?" in out
    code, out, _ = run(tmp_path, capsys, "deck", "remove", "Ours", "--workspace", "slack:T0123")
    assert code == 0 and out.startswith("Removed deck 'Ours' from slack:T0123")
    code, _, err = run(tmp_path, capsys, "deck", "remove", "Ours", "--workspace", "slack:T0123")
    assert code == 1 and err == "studybot: deck remove: slack:T0123 has no deck 'Ours' (see deck list)\n"


def test_a_bad_file_is_reported_whole_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = deck_file(tmp_path, "question,answer\nFine?,Yes\nNo answer,\n", "team.csv")
    code, out, err = run(
        tmp_path, capsys, "deck", "import", str(deck), "--workspace", "terminal", "--name", "A"
    )
    assert code == 1
    assert err == "team.csv has 1 problem:\n  team.csv:3: answer: is missing\n"
    assert out == "2 questions read from team.csv (csv: 2 flashcards); 1 problem, so nothing was imported.\n"
    code, out, _ = run(tmp_path, capsys, "deck", "list", "--workspace", "terminal")
    assert "No decks of its own yet" in out


@pytest.mark.parametrize(
    "argv",
    [("list",), ("remove", "Ours"), ("export", "Ours", "--format", "csv"), ("builtin", "off")],
)
def test_a_command_on_a_workspaces_decks_without_one_says_how_to_name_it(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(tmp_path, capsys, "deck", *argv)
    assert (code, out) == (2, "")
    assert err == (
        f"studybot: deck {argv[0]}: name the workspace with --workspace "
        "(slack:T0123, discord:123456789 or terminal)\n"
    )
    assert not (tmp_path / "chat.db").exists()


def test_a_workspace_spelt_wrong_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(tmp_path, capsys, "deck", "list", "--workspace", "T0123")
    assert code == 1
    assert err == (
        "studybot: deck list: 'T0123' is not a workspace: write slack:T0123, discord:123456789 or terminal.\n"
    )


def test_the_builtin_switch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(tmp_path, capsys, "deck", "builtin", "off", "--workspace", "terminal")
    assert code == 0 and out.startswith("The shipped question bank is off for terminal")
    code, out, _ = run(tmp_path, capsys, "deck", "builtin", "--workspace", "terminal")
    assert out.startswith("The shipped question bank is off for terminal")
    code, out, _ = run(tmp_path, capsys, "deck", "builtin", "on", "--workspace", "terminal")
    assert out.startswith("The shipped question bank is on for terminal")


def test_studybot_chat_plays_a_deck_imported_into_the_terminal_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = deck_file(tmp_path)
    code, _, err = run(
        tmp_path, capsys, "deck", "import", str(deck), "--workspace", "terminal", "--name", "Our Registry"
    )
    assert (code, err) == (0, "")
    environment = chat_environment(tmp_path, CONTENT_DIR) | {
        "PATH": os.environ.get("PATH", ""),
        "COLUMNS": "130",
    }
    script = "/quiz topics\n/quiz our-registry\nAmazon ECR\n"
    result = studybot_chat(tmp_path, script, environment, "--user", "ann")
    assert result.returncode == 0, result.stderr
    assert "[Our Registry · medium] Which registry does our team push images to?" in result.stdout
    assert "Correct! +" in result.stdout
    assert "We keep every image in ECR, next to the clusters." in result.stdout
    assert re.search(r"^our-registry +Our Registry \(1 question\)$", result.stdout, re.M)  # /quiz topics


def test_format_reads_a_file_whatever_its_name_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = deck_file(tmp_path, "ECS\tElastic Container Service\nEKS\tElastic Kubernetes Service\n", "set.dat")
    argv = ("deck", "import", str(deck), "--workspace", "terminal", "--name", "Glossary")
    code, out, err = run(tmp_path, capsys, *argv, "--format", "quizlet")
    assert (code, err) == (0, "")
    read = "2 questions read from set.dat (quizlet: 2 flashcards)"
    assert out == f"Imported deck 'Glossary' into terminal: {read}.\n"


@pytest.mark.parametrize("fmt", ["apkg", "csv", "yaml"])
def test_an_export_imports_back_as_the_same_questions(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every kind of question, and flashcards offered as multiple choice, survive `deck export`
    then `deck import` into another workspace."""
    mixed = """\
questions:
  - prompt: Which registry does our team push images to?
    choices: [Docker Hub, Amazon ECR, Quay]
    answer: Amazon ECR
  - prompt: Which two run containers?
    kind: multiple_response
    choices: [ECS, EKS, S3, IAM]
    answers: [ECS, EKS]
  - prompt: Fargate needs servers you manage.
    kind: true_false
    answer: false
"""
    terms = "What is ECS?\tElastic Container Service\nWhat is EKS?\tElastic Kubernetes Service\n"
    terms += "What is ECR?\tElastic Container Registry\nWhat is Fargate?\tServerless compute\n"
    for name, text, choices in (("Mixed", mixed, ()), ("Glossary", terms, ("--choices", "4"))):
        source = deck_file(tmp_path, text, f"{name}.{'yaml' if name == 'Mixed' else 'txt'}")
        argv = ("deck", "import", str(source), "--workspace", "slack:T1", "--name", name, *choices)
        code, out, err = run(tmp_path, capsys, *argv)
        assert (code, err) == (0, ""), out
        exported = tmp_path / f"{name}.{fmt}"
        argv = ("deck", "export", name, "--workspace", "slack:T1", "--format", fmt, "--output", str(exported))
        assert run(tmp_path, capsys, *argv)[0] == 0
        argv = ("deck", "import", str(exported), "--workspace", "discord:42", "--name", name)
        code, out, err = run(tmp_path, capsys, *argv)
        assert (code, err) == (0, ""), out
        again = tmp_path / f"again-{name}.yaml"
        argv = (
            "deck",
            "export",
            name,
            "--workspace",
            "discord:42",
            "--format",
            "yaml",
            "--output",
            str(again),
        )
        assert run(tmp_path, capsys, *argv)[0] == 0
        first = tmp_path / f"first-{name}.yaml"
        argv = ("deck", "export", name, "--workspace", "slack:T1", "--format", "yaml", "--output", str(first))
        assert run(tmp_path, capsys, *argv)[0] == 0
        assert questions(again) == questions(first)


def questions(path: Path) -> list[dict[str, object]]:
    """A deck export's questions without their ids (a deck's ids belong to its workspace)."""
    read = read_deck(path.read_bytes(), path.name, DeckOptions("deck"))
    assert read.ok, read.problems
    return [{k: v for k, v in entry.items() if k != "id"} for entry in read.entries]
