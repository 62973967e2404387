"""The exam-shaped fields: multiple response, domain and task, and every problem reported at once."""

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bank import BankError, load_bank
from bot.questions import Kind
from tests.test_bank import GOOD, bank_dir, problems_of

MULTIPLE_RESPONSE = """\
questions:
  - id: ecs-compute
    topics: [ecs, fargate]
    kind: multiple_response
    difficulty: medium
    prompt: Which provide the compute for Amazon ECS tasks? (Choose TWO.)
    choices: [AWS Fargate, Amazon EC2 instances, Amazon S3, AWS Direct Connect, Amazon Route 53]
    answers: [AWS Fargate, Amazon EC2 instances]
    explanation: Tasks run on Fargate or on EC2 instances; the others store, connect or resolve.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_types.html
    domain: 3
    task: "3.3"
    verified: 2026-12-06
"""


def test_a_multiple_response_question_loads_with_every_field(tmp_path: Path) -> None:
    bank = load_bank(bank_dir(tmp_path, MULTIPLE_RESPONSE))
    [question] = bank.questions
    assert question.kind is Kind.MULTIPLE_RESPONSE
    assert question.answers == ("AWS Fargate", "Amazon EC2 instances")
    assert (question.domain, question.task, question.verified) == (3, "3.3", date(2026, 12, 6))
    assert bank.locations == {"ecs-compute": "content/pack.yaml:2"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "Amazon S3, AWS Direct Connect, Amazon Route 53]",
            "Amazon S3]",
            "pack.yaml:7: questions[0].choices: a multiple-response question needs 5 to 6 choices, not 3",
        ),
        (
            "answers: [AWS Fargate, Amazon EC2 instances]",
            "answers: [AWS Fargate]",
            "pack.yaml:8: questions[0].answers: needs 2 or 3 right choices, not 1",
        ),
        (
            "answers: [AWS Fargate, Amazon EC2 instances]",
            "answers: [AWS Fargate, Amazon EC2 instances, Amazon S3, Amazon Route 53]",
            "pack.yaml:8: questions[0].answers: needs 2 or 3 right choices, not 4",
        ),
        (
            "answers: [AWS Fargate, Amazon EC2 instances]",
            "answers: [AWS Fargate, AWS Lambda]",
            "pack.yaml:8: questions[0].answers[1]: 'AWS Lambda' is not among the choices",
        ),
        (
            "answers: [AWS Fargate, Amazon EC2 instances]",
            "answers: [AWS Fargate, AWS Fargate]",
            "pack.yaml:8: questions[0].answers[1]: 'AWS Fargate' is listed twice",
        ),
        (
            "(Choose TWO.)",
            "(Choose THREE.)",
            "pack.yaml:6: questions[0].prompt: must end with '(Choose TWO.)' to match its 2 answers",
        ),
        (
            " (Choose TWO.)",
            "",
            "pack.yaml:6: questions[0].prompt: must end with '(Choose TWO.)'",
        ),
        (
            "answers: [AWS Fargate, Amazon EC2 instances]",
            "answer: AWS Fargate",
            "pack.yaml:2: questions[0].answers: needs 2 or 3 right choices, not 0",
        ),
        (
            "    answers: [AWS Fargate, Amazon EC2 instances]\n",
            "    answers: [AWS Fargate, Amazon EC2 instances]\n    answer: AWS Fargate\n",
            "pack.yaml:9: questions[0].answer: a multiple-response question lists its right choices",
        ),
    ],
)
def test_each_multiple_response_rule_names_its_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in MULTIPLE_RESPONSE
    problems = problems_of(tmp_path, MULTIPLE_RESPONSE.replace(old, new))
    assert any(p.startswith("content/" + expected) for p in problems), problems


def test_every_problem_of_every_question_is_reported_at_once(tmp_path: Path) -> None:
    broken_fields = GOOD.replace('task: "3.3"', "task: 3.3").replace("domain: 3", "domain: 9")
    broken_rules = (
        MULTIPLE_RESPONSE.split("\n", 1)[1]
        .replace(" (Choose TWO.)", "")
        .replace("answers: [AWS Fargate, Amazon EC2 instances]", "answers: [AWS Fargate, Nope]")
        .replace("explanation: Tasks", "explanation: The notes say tasks")
        .replace("https://docs.aws.amazon.com", "https://example.org")
    )
    problems = problems_of(tmp_path, broken_fields + broken_rules)
    assert [p.split(": ", 2)[1] for p in problems] == [
        "questions[0].domain",
        "questions[0].task",
        "questions[1].explanation",
        "questions[1].source",
        "questions[1].answers[1]",
        "questions[1].prompt",
    ], problems


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.binary().map(lambda raw: raw.decode("utf-8", "replace")),
        st.builds(lambda old, new: GOOD.replace(old, new), st.sampled_from(GOOD.split()), st.text()),
    )
)
def test_any_file_is_loaded_or_refused_with_problems_never_a_crash(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        content = bank_dir(Path(directory), text)
        try:
            bank = load_bank(content)
        except BankError as error:
            assert error.problems and all(str(p).startswith("content/") for p in error.problems)
        else:
            assert all(q.source.startswith("https://") and q.domain in (1, 2, 3, 4) for q in bank.questions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("? [a, b]\n: c\n", "pack.yaml:1: is not valid YAML: a key must be a plain name"),
        ("questions:\n  - {? [x]: 1}\n", "pack.yaml:2: is not valid YAML: a key must be a plain name"),
        ("questions: &a [*a]\n", "pack.yaml:1: is not valid YAML: an alias refers to the list or mapping"),
        ("questions:\n  - &q {id: x, more: *q}\n", "pack.yaml:2: is not valid YAML: an alias refers to"),
    ],
)
def test_yaml_that_builds_no_plain_data_is_refused_with_its_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert any(p.startswith("content/" + expected) for p in problems_of(tmp_path, text))


def test_a_question_failing_the_schema_still_has_its_id_and_topics_checked(tmp_path: Path) -> None:
    twin = GOOD.split("\n", 1)[1].replace("topics: [ecs]", "topics: [ecs, cobol]").replace('"3.3"', "3.3")
    problems = problems_of(tmp_path, GOOD + twin)
    assert [p.split(": ", 2)[1:] for p in problems] == [
        ["questions[1].task", 'must be a quoted task statement like "3.3"'],
        ["questions[1].id", "duplicate id 'ecs-one' (first in content/pack.yaml:2)"],
        ["questions[1].topics[1]", "unknown topic 'cobol'"],
    ], problems
