"""How choices are shown and graded: a shuffle per posted question, all-or-nothing scoring."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.choices import LETTERS, grade_picks, parse_letters, picks_of, recorded_pick, shown_choices
from bot.errors import QuizError
from bot.questions import TRUE_FALSE_CHOICES, Difficulty, Kind, Question


def question(kind: Kind, choices: tuple[str, ...], answers: tuple[str, ...]) -> Question:
    return Question(
        id="ecs-q",
        topics=("ecs",),
        kind=kind,
        difficulty=Difficulty.MEDIUM,
        prompt="Which? (Choose TWO.)" if kind is Kind.MULTIPLE_RESPONSE else "Which?",
        choices=choices,
        answers=answers,
        explanation="Because.",
        source="https://docs.aws.amazon.com/",
        domain=3,
        task="3.3",
        verified=date(2026, 12, 6),
    )


FOUR = ("Amazon ECS", "Amazon EKS", "AWS Batch", "AWS Lambda")
SINGLE = question(Kind.MULTIPLE_CHOICE, FOUR, ("Amazon ECS",))
FIVE = ("AWS Fargate", "Amazon EC2", "Amazon S3", "AWS Direct Connect", "Amazon Route 53")
MULTIPLE = question(Kind.MULTIPLE_RESPONSE, FIVE, ("AWS Fargate", "Amazon EC2"))
TRUE_FALSE = question(Kind.TRUE_FALSE, TRUE_FALSE_CHOICES, ("False",))


def test_the_order_is_a_function_of_the_posted_question_and_varies_between_them() -> None:
    assert shown_choices(SINGLE, 41) == shown_choices(SINGLE, 41)
    assert sorted(shown_choices(SINGLE, 41)) == sorted(FOUR)
    orders = {shown_choices(SINGLE, instance) for instance in range(200)}
    assert len(orders) > 12  # of the 24 possible
    # The right choice lands everywhere, about as often: the file's order gives nothing away.
    positions = Counter(shown_choices(SINGLE, i).index("Amazon ECS") for i in range(2000))
    assert set(positions) == {0, 1, 2, 3}
    assert all(400 <= n <= 600 for n in positions.values()), positions


def test_true_false_keeps_true_before_false() -> None:
    assert {shown_choices(TRUE_FALSE, i) for i in range(50)} == {("True", "False")}


def test_a_single_answer_is_graded_by_the_choice_shown_at_that_position() -> None:
    shown = shown_choices(SINGLE, 7)
    right = shown.index("Amazon ECS")
    assert grade_picks(SINGLE, 7, [right]) == ("Amazon ECS", True)
    wrong = (right + 1) % 4
    assert grade_picks(SINGLE, 7, [wrong]) == (shown[wrong], False)


def test_multiple_response_is_all_or_nothing() -> None:
    shown = shown_choices(MULTIPLE, 3)
    at = {choice: i for i, choice in enumerate(shown)}
    both = grade_picks(MULTIPLE, 3, [at["Amazon EC2"], at["AWS Fargate"]])
    assert both == ("AWS Fargate\nAmazon EC2", True)
    half = grade_picks(MULTIPLE, 3, [at["AWS Fargate"], at["Amazon S3"]])
    assert half == ("AWS Fargate\nAmazon S3", False)
    assert grade_picks(MULTIPLE, 3, [at["Amazon S3"], at["Amazon Route 53"]])[1] is False


def test_multiple_response_must_pick_as_many_as_it_asks_for() -> None:
    with pytest.raises(QuizError, match="Choose TWO: you picked 1. Nothing was recorded"):
        grade_picks(MULTIPLE, 3, [0])
    with pytest.raises(QuizError, match="Choose TWO: you picked 3"):
        grade_picks(MULTIPLE, 3, [0, 1, 2])
    with pytest.raises(QuizError, match="not one of this question's choices"):
        grade_picks(MULTIPLE, 3, [0, 9])
    with pytest.raises(QuizError, match="Choose TWO: you picked 0"):
        grade_picks(MULTIPLE, 3, [])
    with pytest.raises(QuizError, match="Pick one choice"):
        grade_picks(SINGLE, 3, [0, 1])


def test_a_pick_is_recorded_in_one_canonical_text_and_read_back() -> None:
    one_way = recorded_pick(MULTIPLE, ["Amazon S3", "AWS Fargate"])
    assert one_way == recorded_pick(MULTIPLE, ["AWS Fargate", "Amazon S3"]) == "AWS Fargate\nAmazon S3"
    assert picks_of(MULTIPLE, one_way) == ("AWS Fargate", "Amazon S3")
    assert picks_of(SINGLE, "Amazon ECS") == ("Amazon ECS",)


@pytest.mark.parametrize(
    ("typed", "picked"),
    [("B, D", (1, 3)), ("b d", (1, 3)), ("B,D", (1, 3)), (" e ;a ", (4, 0)), ("2 4", (1, 3)), ("B B", (1,))],
)
def test_letters_separated_by_commas_or_spaces(typed: str, picked: tuple[int, ...]) -> None:
    assert parse_letters(typed, 5) == picked


@pytest.mark.parametrize("typed", ["", "F", "B, X", "BD", "6", "0", "B and D", ",,"])
def test_anything_else_is_not_a_pick(typed: str) -> None:
    assert parse_letters(typed, 5) is None


@given(st.text())
def test_the_letter_parser_never_crashes_and_picks_only_real_positions(text: str) -> None:
    picked = parse_letters(text, 5)
    assert picked is None or (picked and all(0 <= i < 5 for i in picked) and len(set(picked)) == len(picked))


@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=6, unique=True),
    st.sampled_from([", ", " ", ",", " , "]),
    st.booleans(),
)
def test_typed_letters_come_back_as_their_positions(picks: list[int], separator: str, lower: bool) -> None:
    letters = [LETTERS[i].lower() if lower else LETTERS[i] for i in picks]
    assert parse_letters(separator.join(letters), 6) == tuple(picks)


@given(st.integers(min_value=0, max_value=2**63), st.permutations(FIVE))
def test_the_shown_order_does_not_depend_on_the_file_order(
    instance: int, file_order: tuple[str, ...]
) -> None:
    reordered = question(Kind.MULTIPLE_RESPONSE, tuple(file_order), MULTIPLE.answers)
    assert shown_choices(reordered, instance) == shown_choices(MULTIPLE, instance)


@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.integers(0, 4), min_size=2, max_size=2, unique=True),
)
def test_a_pair_of_picks_is_right_exactly_when_it_is_the_right_pair(instance: int, picks: list[int]) -> None:
    shown = shown_choices(MULTIPLE, instance)
    recorded, correct = grade_picks(MULTIPLE, instance, picks)
    assert correct == ({shown[i] for i in picks} == set(MULTIPLE.answers))
    assert set(picks_of(MULTIPLE, recorded)) == {shown[i] for i in picks}
    assert recorded == grade_picks(MULTIPLE, instance, list(reversed(picks)))[0]
