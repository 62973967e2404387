"""Flashcards offered as multiple choice (`--choices N`)."""

from __future__ import annotations

import pytest

from bot.decks.entries import DeckImport, DeckOptions
from bot.decks.reader import read_deck

pytestmark = pytest.mark.timeout(30)
QUIZLET = (
    "ECS\tElastic Container Service\n"
    "EKS\tElastic Kubernetes Service\n"
    "ECR\tElastic Container Registry\n"
    "OCI\tOpen Container Initiative\n"
    "Elastic Container Service?\telastic container SERVICE\n"
    "IaC\tInfrastructure as Code\n"
)


def read(data: str, choices: int | None) -> DeckImport:
    return read_deck(data.encode(), "set.txt", DeckOptions("team", choices))


def test_each_flashcard_gets_other_cards_answers_as_wrong_choices() -> None:
    result = read(QUIZLET, 4)
    assert result.ok, result.problems
    answers = {e["answer"] for e in result.entries}
    for entry in result.entries:
        assert entry["kind"] == "multiple_choice"
        assert len(entry["choices"]) == 4 and entry["answer"] in entry["choices"]
        folded = [c.casefold() for c in entry["choices"]]
        assert len(set(folded)) == 4, entry["choices"]
        assert folded.count(entry["answer"].casefold()) == 1
        assert set(entry["choices"]) <= answers


def test_the_same_deck_gets_the_same_choices_on_every_import() -> None:
    assert read(QUIZLET, 4).entries == read(QUIZLET, 4).entries


def test_without_choices_they_stay_flashcards() -> None:
    assert {e["kind"] for e in read(QUIZLET, None).entries} == {"flashcard"}


def test_a_deck_with_too_few_different_answers_says_so() -> None:
    result = read("A\tone\nB\ttwo\nC\tONE\n", 4)
    assert [str(p) for p in result.problems][0] == (
        "set.txt:1: answer: needs 3 other answers in the deck to offer 4 choices; it has 1"
    )


def test_a_choice_count_outside_3_to_6_is_refused() -> None:
    (problem,) = read(QUIZLET, 9).problems
    assert problem.message == "asked for 9 choices; a question shows 3 to 6"


def test_accepted_forms_of_the_answer_are_never_offered_as_wrong_choices() -> None:
    deck = (
        "question,answer,accepted\n"
        "What is EKS?,Elastic Kubernetes Service,Amazon EKS|EKS\n"
        "Short name of EKS?,EKS,\n"
        "Another name?,Amazon EKS,\n"
        "What is ECS?,Elastic Container Service,\n"
        "What is ECR?,Elastic Container Registry,\n"
    )
    for _ in range(3):
        result = read_deck(deck.encode(), "d.csv", DeckOptions("team", 3))
        assert result.ok, result.problems
        first = result.entries[0]
        assert not {"EKS", "Amazon EKS"} & set(first["choices"])
        assert len(first["choices"]) == 3
