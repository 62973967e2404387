"""A team's Anki deck of Cloze notes imported with `studybot deck import` and asked by
`studybot chat`, as flashcards or, with `--choices`, as multiple choice."""

from __future__ import annotations

import re
from pathlib import Path

import genanki
import pytest

from adapters.cli import main
from bot.decks.entries import DeckOptions
from bot.decks.reader import read_deck
from tests.chat_session import chat_environment, studybot_chat
from tests.conftest import CONTENT_DIR
from tests.decks.anki_builders import genanki_package

pytestmark = pytest.mark.timeout(90)
CLOZE_NOTES = [
    ("{{c1::Fargate}} runs containers without servers", "No servers to <b>manage</b>."),
    ("{{c1::ECR}} stores the images {{c2::ECS}} runs", ""),
    ("{{c1::EKS}} runs Kubernetes", ""),
    ("{{c1::CloudWatch}} collects container logs", ""),
]


def cloze_deck(tmp_path: Path, notes: list[tuple[str, str]]) -> Path:
    path = tmp_path / "Team Cloze.apkg"
    model = genanki.CLOZE_MODEL
    path.write_bytes(genanki_package([(model, [text, extra], ["aws"]) for text, extra in notes]))
    return path


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(tmp_path / "chat.db")])
    out, err = capsys.readouterr()
    return code, out, err


def chat(tmp_path: Path, typed: str) -> str:
    environment = {**chat_environment(tmp_path, CONTENT_DIR), "COLUMNS": "130"}
    result = studybot_chat(tmp_path, typed, environment, "--user", "ann")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_cloze_deck_is_imported_and_asked_in_the_chat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = cloze_deck(tmp_path, CLOZE_NOTES[:1])
    argv = ("deck", "import", str(deck), "--workspace", "terminal", "--name", "Cloze Deck")
    code, out, err = run(tmp_path, capsys, *argv)
    assert (code, err) == (0, "")
    assert out == (
        "Imported deck 'Cloze Deck' into terminal: 1 question read from Team Cloze.apkg "
        "(apkg: 1 flashcard).\n"
    )
    shown = chat(tmp_path, "/quiz cloze-deck\nFargate\n")
    assert "[Cloze Deck · medium] [...] runs containers without servers" in shown
    assert "Correct! +" in shown
    assert "No servers to manage." in shown
    assert "Source: Team Cloze.apkg, note 1" in shown


def test_cloze_answers_can_be_offered_as_multiple_choice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = cloze_deck(tmp_path, CLOZE_NOTES)
    options = DeckOptions("cloze-deck", choices=4)
    read = read_deck(deck.read_bytes(), deck.name, options)
    assert read.ok, read.problems
    answers = {"Fargate", "ECR", "ECS", "EKS", "CloudWatch"}
    for entry in read.entries:
        assert entry["kind"] == "multiple_choice" and len(entry["choices"]) == 4
        assert entry["answer"] in entry["choices"] and set(entry["choices"]) <= answers
    argv = ("deck", "import", str(deck), "--workspace", "terminal", "--name", "Cloze Deck", "--choices", "4")
    code, out, err = run(tmp_path, capsys, *argv)
    assert (code, err) == (0, "")
    assert "5 questions read from Team Cloze.apkg (apkg: 5 multiple-choice questions)" in out
    shown = chat(tmp_path, "/quiz cloze-deck\n")
    asked = re.search(r"\[Cloze Deck · medium\] (.*)\n((?:  [A-F]\) .*\n)+)", shown)
    assert asked is not None, shown
    assert "[...]" in asked.group(1)
    assert {line.split(") ", 1)[1] for line in asked.group(2).splitlines()} <= answers


def test_a_cloze_deck_with_an_unusable_note_imports_nothing_and_names_the_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = cloze_deck(tmp_path, [*CLOZE_NOTES, ("{{c1::}} is empty", "")])
    argv = ("deck", "import", str(deck), "--workspace", "terminal", "--name", "Cloze Deck")
    code, out, err = run(tmp_path, capsys, *argv)
    assert code == 1
    assert err == (
        "Team Cloze.apkg has 1 problem:\n"
        "  Team Cloze.apkg:5: note 5: cloze c1 has no text to answer (it is empty or only an image)\n"
    )
    assert out.endswith("1 problem, so nothing was imported.\n")
    code, out, _ = run(tmp_path, capsys, "deck", "list", "--workspace", "terminal")
    assert "No decks of its own yet" in out
