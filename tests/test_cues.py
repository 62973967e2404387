"""Cue statistics: the bank-wide bounds that keep answers from being guessed, and the lint that
enforces them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.cues import cue_report
from bot.questions import TRUE_FALSE_CHOICES, Difficulty, Kind, Question
from tests.test_bank import bank_dir, run_cli


def multiple_choice(n: int, right_longest: bool) -> Question:
    choices = ("Amazon ECS", "Amazon EKS", "AWS Batch", "AWS Fargate with Spot capacity")
    right = choices[3] if right_longest else choices[0]
    return Question(
        id=f"ecs-q{n}",
        topics=("ecs",),
        kind=Kind.MULTIPLE_CHOICE,
        difficulty=Difficulty.EASY,
        prompt="Which service runs containers without servers to manage?",
        choices=choices,
        answers=(right,),
        explanation="Because.",
        source="https://docs.aws.amazon.com/",
        domain=3,
        task="3.3",
        verified=date(2026, 12, 6),
    )


def true_false(n: int, prompt: str, true: bool) -> Question:
    return Question(
        id=f"lambda-tf{n}",
        topics=("lambda",),
        kind=Kind.TRUE_FALSE,
        difficulty=Difficulty.EASY,
        prompt=prompt,
        choices=TRUE_FALSE_CHOICES,
        answers=(TRUE_FALSE_CHOICES[0] if true else TRUE_FALSE_CHOICES[1],),
        explanation="Because.",
        source="https://docs.aws.amazon.com/",
        domain=3,
        task="3.3",
        verified=date(2026, 12, 6),
    )


def test_the_right_choice_uniquely_longest_in_at_most_30_percent() -> None:
    keeps = cue_report([multiple_choice(n, right_longest=n < 3) for n in range(10)])
    assert (keeps.right_longest, keeps.multiple_choice) == (3, 10) and keeps.failures() == []
    past = cue_report([multiple_choice(n, right_longest=n < 4) for n in range(10)])
    [failure] = past.failures()
    assert "uniquely longest in 40% of single-answer multiple-choice questions (at most 30%)" in failure


def test_a_tie_for_longest_is_no_cue() -> None:
    question = multiple_choice(0, right_longest=False)
    tied = replace(question, choices=("Amazon ECS", "Amazon EKS", "AWS Batch", "AWS Bench"))
    assert cue_report([tied]).right_longest == 0


def test_at_least_a_third_of_absolute_true_false_statements_are_true() -> None:
    statements = [
        true_false(0, "Lambda always needs a container image.", False),
        true_false(1, "Fargate only runs Linux containers.", False),
        true_false(2, "Every ECS task needs a task definition.", True),
        true_false(3, "Lambda functions run for at most 15 minutes.", False),  # no absolute word
    ]
    keeps = cue_report(statements)
    assert (keeps.absolute_true, keeps.absolute_true_false) == (1, 3) and keeps.failures() == []
    past = cue_report([*statements[:2], true_false(4, "You cannot run Windows on Fargate.", False)])
    [failure] = past.failures()
    assert "only 0% of true/false statements with an absolute word are true (at least 33%)" in failure


def test_a_right_choice_repeating_a_distinctive_prompt_word_is_listed() -> None:
    question = multiple_choice(0, right_longest=False)
    echoing = replace(
        question,
        prompt="Which orchestrator schedules Kubernetes pods?",
        choices=("Amazon EKS for Kubernetes", "Amazon ECS", "AWS Batch", "AWS App Mesh"),
        answers=("Amazon EKS for Kubernetes",),
    )
    fair = replace(
        echoing,
        id="ecs-fair",
        choices=("Amazon EKS for Kubernetes", "Kubernetes on EC2", "AWS Batch", "AWS App Mesh"),
    )
    lure = replace(  # a wrong choice echoing the prompt is counted, not listed
        echoing,
        id="ecs-lure",
        choices=("Amazon EKS", "Amazon ECS", "AWS Batch", "Pods on AWS App Mesh"),
        answers=("Amazon EKS",),
    )
    report = cue_report([echoing, fair, lure])
    [echo] = report.echoes
    assert (echo.question_id, echo.choice, echo.words) == (
        "ecs-q0",
        "Amazon EKS for Kubernetes",
        ("kubernetes",),
    )
    lines = report.lines({"ecs-q0": "content/ecs.yaml:12"})
    assert (
        "Right choices repeating a distinctive prompt word no other choice has: 1 "
        "(judge each; 2 choices, right or wrong, do so)"
    ) in lines
    assert "  content/ecs.yaml:12: ecs-q0: 'Amazon EKS for Kubernetes' repeats kubernetes" in lines
    assert report.echoes and not any("prompt word" in f for f in report.failures())  # judged, not bound


MC = """\
  - id: ecs-q{n}
    topics: [ecs]
    kind: multiple_choice
    difficulty: easy
    domain: 3
    task: "3.3"
    verified: 2026-12-06
    prompt: Which service runs containers without servers to manage?
    choices: [Amazon ECS, Amazon EKS, AWS Batch, AWS Fargate with Spot capacity]
    answer: {answer}
    explanation: Because.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
"""


def test_lint_prints_the_statistics_and_fails_past_a_bound(tmp_path: Path) -> None:
    def bank(longest: int, name: str) -> Path:
        questions = "".join(
            MC.format(n=n, answer="AWS Fargate with Spot capacity" if n < longest else "Amazon ECS")
            for n in range(10)
        )
        return bank_dir(tmp_path, "questions:\n" + questions, name)

    past = run_cli("content", "lint", content=bank(4, "past"), cwd=tmp_path)
    assert past.returncode == 1
    assert (
        "Right choice uniquely longest: 4 of 10 single-answer multiple-choice questions (40%" in past.stdout
    )
    assert "Too easy to guess: the right choice is the uniquely longest in 40%" in past.stderr
    keeps = run_cli("content", "lint", content=bank(3, "keeps"), cwd=tmp_path)
    assert keeps.returncode == 0, keeps.stderr
    assert "True/false with an absolute word that are true: 0 of 0" in keeps.stdout
    assert "OK: 10 questions in" in keeps.stdout
