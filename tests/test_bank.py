"""The question bank: every shipped file passes, and each kind of mistake is reported precisely."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bank import BankError, QuestionBank, load_bank
from bot.questions import Kind
from tests.conftest import CONTENT_DIR

SEEDS_DIR = CONTENT_DIR.parent.parent / "shared" / "seeds"
# `.ci/run`, which has the study notes beside the checkout, sets this so that their absence fails.
REQUIRE_SEEDS_VARIABLE = "STUDYBOT_TEST_REQUIRE_SEEDS"

GOOD = """\
questions:
  - id: ecs-one
    topics: [ecs]
    kind: multiple_choice
    difficulty: easy
    prompt: What does ECS stand for?
    choices: [Elastic Container Service, Elastic Compute Service, EC2 Container Storage, Cluster Kit]
    answer: Elastic Container Service
    explanation: The C in ECS is Container; Elastic Compute Cloud is EC2.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
    domain: 3
    task: "3.3"
    verified: 2026-12-06
"""


def bank_dir(tmp_path: Path, questions: str, name: str = "content") -> Path:
    directory = tmp_path / name
    directory.mkdir()
    shutil.copy(CONTENT_DIR / "topics.yaml", directory / "topics.yaml")
    (directory / "pack.yaml").write_text(questions)
    return directory


def problems_of(tmp_path: Path, questions: str) -> list[str]:
    with pytest.raises(BankError) as caught:
        load_bank(bank_dir(tmp_path, questions))
    return [str(p) for p in caught.value.problems]


def test_the_shipped_bank_is_whole(bank: QuestionBank) -> None:
    assert len(bank.questions) >= 150
    topics_used = {t for q in bank.questions for t in q.topics}
    assert len(topics_used) >= 12
    assert {
        "containers-vs-vms",
        "docker",
        "oci",
        "kubernetes",
        "microservices",
        "orchestration",
        "ecs",
        "eks",
        "ecr",
        "fargate",
        "lambda",
        "provisioning",
        "supporting",
    } <= topics_used
    assert {q.kind for q in bank.questions} == set(Kind)
    assert all(q.explanation and q.source for q in bank.questions)


def test_the_shipped_bank_is_exam_shaped(bank: QuestionBank) -> None:
    """Issue 16, point 4: at least 300 questions, 40 of them multiple response, every domain."""
    assert len(bank.questions) >= 300
    assert sum(q.kind is Kind.MULTIPLE_RESPONSE for q in bank.questions) >= 40
    assert {q.domain for q in bank.questions} == {1, 2, 3, 4}


def test_the_coverage_table_maps_every_seed_to_existing_questions(bank: QuestionBank) -> None:
    """content/README.md: | seed file | fact | question ids | note |, rows for every seed file."""
    seeds = sorted(p.name for p in SEEDS_DIR.glob("*.txt"))
    if not seeds:
        reason = f"the study notes are not beside this checkout (expected in {SEEDS_DIR})"
        if os.environ.get(REQUIRE_SEEDS_VARIABLE):
            pytest.fail(f"{reason}; {REQUIRE_SEEDS_VARIABLE} requires them")
        pytest.skip(reason)
    covered: dict[str, int] = {}
    for line in (CONTENT_DIR / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        seed = next((s for s in seeds if s in cells[0]), None) if len(cells) >= 3 else None
        if seed is None:
            continue
        ids = [i for i in re.split(r"[\s,`]+", cells[2]) if i]
        assert ids, f"a fact of {seed} has no question: {line}"
        unknown = [i for i in ids if bank.question(i) is None]
        assert not unknown, f"unknown question ids {unknown} in: {line}"
        covered[seed] = covered.get(seed, 0) + 1
    assert set(covered) == set(seeds)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "answer: Elastic Container Service",
            "answer: Elastic Cloud Service",
            "pack.yaml:8: questions[0].answer: answer 'Elastic Cloud Service' is not among the choices",
        ),
        (
            "Elastic Compute Service,",
            "elastic container service,",
            "pack.yaml:7: questions[0].choices[1]: duplicate choice 'elastic container service'",
        ),
        (
            "topics: [ecs]",
            "topics: [ecs, cobol]",
            "pack.yaml:3: questions[0].topics[1]: unknown topic 'cobol'",
        ),
        (
            "explanation: The C in ECS is Container; Elastic Compute Cloud is EC2.",
            "explanation: ''",
            "pack.yaml:9: questions[0].explanation: is empty",
        ),
        (
            "Elastic Compute Service,",
            "Elastic Compute Service" + " and more" * 8 + ",",
            "pack.yaml:7: questions[0].choices[1]: is longer than the 75 characters a button can show",
        ),
        (
            "prompt: What does ECS stand for?",
            "prompt: " + "Why? " * 300,
            "pack.yaml:6: questions[0].prompt: is longer than the 1000 characters a message can hold",
        ),
        ("kind: multiple_choice", "kind: essay", "pack.yaml:4: questions[0].kind: must be one of"),
        (
            "choices: [Elastic Container Service,",
            "choices: [1,000,",
            "pack.yaml:7: questions[0].choices[0]: must be text: put it in quotes",
        ),
        (
            "id: ecs-one",
            "id: one-ecs",
            "pack.yaml:2: questions[0].id: must start with its main topic id 'ecs'",
        ),
        (
            "    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html\n",
            "",
            "pack.yaml:2: questions[0].source: is missing",
        ),
        (
            "difficulty: easy",
            "difficulty: easy\n    hint: none",
            "pack.yaml:6: questions[0].hint: is not a known field",
        ),
        (
            ", EC2 Container Storage, Cluster Kit]",
            "]",
            "pack.yaml:7: questions[0].choices: a multiple-choice question needs 3 to 6 choices, not 2",
        ),
        ("domain: 3", "domain: 5", "pack.yaml:11: questions[0].domain: must be a CLF-C02 domain, 1 to 4"),
        ("domain: 3", "domain: three", "pack.yaml:11: questions[0].domain: must be a CLF-C02 domain number"),
        ("    domain: 3\n", "", "pack.yaml:2: questions[0].domain: is missing"),
        (
            'task: "3.3"',
            "task: 3.3",
            'pack.yaml:12: questions[0].task: must be a quoted task statement like "3.3"',
        ),
        (
            'task: "3.3"',
            'task: "2.1"',
            "pack.yaml:12: questions[0].task: '2.1' is not a task of domain 3 (3.1,",
        ),
        ('task: "3.3"', 'task: "3.9"', "pack.yaml:12: questions[0].task: '3.9' is not a task of domain 3"),
        ('    task: "3.3"\n', "", "pack.yaml:2: questions[0].task: is missing"),
        (
            "verified: 2026-12-06",
            'verified: "2026-12-06"',
            "pack.yaml:13: questions[0].verified: must be a date",
        ),
        (
            "verified: 2026-12-06",
            "verified: last week",
            "pack.yaml:13: questions[0].verified: must be a date",
        ),
        ("    verified: 2026-12-06\n", "", "pack.yaml:2: questions[0].verified: is missing"),
        (
            "source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html",
            "source: 000_416a3283f2f717e8.txt",
            "pack.yaml:10: questions[0].source: must be an https URL of official documentation",
        ),
        (
            "source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html",
            "source: http://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html",
            "pack.yaml:10: questions[0].source: must be an https URL",
        ),
        (
            "source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html",
            "source: https://someones-cheatsheet.example/ecs",
            "pack.yaml:10: questions[0].source: 'someones-cheatsheet.example' is not an official",
        ),
        (
            "source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html",
            "source: https://github.com/someone/notes",
            "pack.yaml:10: questions[0].source: 'github.com' is not an official documentation",
        ),
        (
            "explanation: The C in ECS is Container;",
            "explanation: As the study notes say, the C in ECS is Container;",
            "pack.yaml:9: questions[0].explanation: mentions 'study notes'",
        ),
        (
            "explanation: The C in ECS is Container;",
            "explanation: Unlike the notes claim, the C in ECS is Container;",
            "pack.yaml:9: questions[0].explanation: mentions 'the notes'",
        ),
        (
            "prompt: What does ECS stand for?",
            "prompt: What does ECS stand for in the seed file?",
            "pack.yaml:6: questions[0].prompt: mentions 'seed'",
        ),
        (
            "answer: Elastic Container Service",
            "answers: [Elastic Container Service]",
            "pack.yaml:8: questions[0].answers: only a multiple-response question has answers; use answer",
        ),
        ("prompt: What", "prompt: [What", "pack.yaml:6: is not valid YAML"),
    ],
)
def test_each_mistake_is_named_with_file_line_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    problems = problems_of(tmp_path, GOOD.replace(old, new))
    assert any(p.startswith("content/" + expected) for p in problems), problems


def test_duplicate_ids_and_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    second = GOOD.split("\n", 1)[1].replace("answer: Elastic Container Service", "answer: Nope")
    problems = problems_of(tmp_path, GOOD + second)
    assert any(
        "questions[1].id: duplicate id 'ecs-one' (first in content/pack.yaml:2)" in p for p in problems
    )
    assert any("questions[1].answer: answer 'Nope' is not among the choices" in p for p in problems)


def test_schema_errors_do_not_hide_the_checks_across_entries(tmp_path: Path) -> None:
    """Seven problems in one file, all reported by one run: two schema errors, the four checks
    that read across entries (topics, answers, duplicate choices and ids) and the rule that an
    id starts with its main topic's."""
    first = GOOD.replace("topics: [ecs]", "topics: [cobol]").replace(
        "explanation: The C in ECS is Container; Elastic Compute Cloud is EC2.", "explanation: ''"
    )
    entry = GOOD.split("\n", 1)[1]
    second = entry.replace("answer: Elastic Container Service", "answer: Nope").replace(
        "    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html\n", ""
    )
    third = entry.replace("Elastic Compute Service,", "elastic container service,")
    problems = problems_of(tmp_path, first + second + third)
    expected = [
        "questions[0].topics[0]: unknown topic 'cobol'",
        "questions[0].explanation: is empty",
        "questions[0].id: must start with its main topic id 'cobol'",
        "questions[1].source: is missing",
        "questions[1].answer: answer 'Nope' is not among the choices",
        "questions[1].id: duplicate id 'ecs-one'",
        "questions[2].choices[1]: duplicate choice 'elastic container service'",
    ]
    assert all(any(e in p for p in problems) for e in expected), problems
    assert len(problems) == len(expected) + 1, problems  # questions[2] repeats the id too


def test_a_field_error_does_not_hide_the_rules_across_fields(tmp_path: Path) -> None:
    one_choice = GOOD.replace(
        "choices: [Elastic Container Service, Elastic Compute Service, EC2 Container Storage, Cluster Kit]",
        "choices: [Elastic Container Service]",
    ).replace("explanation: The C in ECS is Container; Elastic Compute Cloud is EC2.", "explanation: ''")
    problems = problems_of(tmp_path, one_choice)
    assert problems == [
        "content/pack.yaml:9: questions[0].explanation: is empty",
        "content/pack.yaml:7: questions[0].choices: a multiple-choice question needs 3 to 6 choices, not 1",
    ]


def test_a_field_error_leaves_out_only_the_rules_that_read_it(tmp_path: Path) -> None:
    """A choice too long for a button fails the choices; the answer, read against those choices,
    is then not judged, while the rules on the other fields still are."""
    long_choice = GOOD.replace("Cluster Kit]", f"{'x' * 80}]").replace('task: "3.3"', 'task: "1.1"')
    problems = problems_of(tmp_path, long_choice)
    assert len(problems) == 2, problems
    assert "questions[0].choices[3]: " in problems[0]
    assert "questions[0].task: '1.1' is not a task of domain 3" in problems[1]


def test_true_false_and_flashcard_rules(tmp_path: Path) -> None:
    true_false = GOOD.replace("kind: multiple_choice", "kind: true_false")
    problems = problems_of(tmp_path, true_false)
    assert any("the answer of a true/false question is true or false" in p for p in problems), problems
    good_cards = GOOD.replace("kind: multiple_choice", "kind: flashcard").replace(
        "    choices: [Elastic Container Service, Elastic Compute Service, EC2 Container Storage,"
        " Cluster Kit]\n",
        "    accepted: [ecs]\n",
    )
    bank = load_bank(bank_dir(tmp_path, good_cards, "cards"))
    assert bank.questions[0].accepted == ("ecs",) and bank.questions[0].choices == ()


def run_cli(*args: str, cwd: Path, content: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`studybot ARGS` in `cwd` (a test's own folder, never the checkout and its `.env`)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(CONTENT_DIR.parent)}
    if content is not None:
        env["STUDYBOT_CONTENT_DIR"] = str(content)
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_lint_command_lists_every_problem_and_fails(tmp_path: Path) -> None:
    broken = bank_dir(
        tmp_path,
        GOOD.replace("answer: Elastic Container Service", "answer: X").replace(
            "topics: [ecs]", "topics: [ecs, cobol]"
        ),
    )
    result = run_cli("content", "lint", content=broken, cwd=tmp_path)
    assert result.returncode == 1
    assert "The question bank has 2 problems:" in result.stderr
    assert "unknown topic 'cobol'" in result.stderr and "answer 'X' is not among the choices" in result.stderr


def test_lint_passes_on_the_shipped_bank_and_export_prints_json(tmp_path: Path) -> None:
    lint = run_cli("content", "lint", cwd=tmp_path)
    assert lint.returncode == 0, lint.stderr
    export = run_cli("content", "export", "--format", "json", cwd=tmp_path)
    rows = json.loads(export.stdout)
    assert len(rows) >= 150
    assert {"id", "topics", "kind", "prompt", "choices", "answers", "explanation", "source"} <= set(rows[0])
    assert {"domain", "task", "verified"} <= set(rows[0])


def test_the_bot_refuses_to_start_on_a_broken_bank(tmp_path: Path) -> None:
    broken = bank_dir(tmp_path, GOOD.replace("topics: [ecs]", "topics: [cobol]"))
    result = run_cli("chat", "--db", str(tmp_path / "x.db"), content=broken, cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown topic 'cobol'" in result.stderr and "refusing to start" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_the_example_in_the_content_readme_loads(tmp_path: Path) -> None:
    readme = (CONTENT_DIR / "README.md").read_text()
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    [question] = load_bank(bank_dir(tmp_path, "questions:\n" + example)).questions
    assert question.kind is Kind.MULTIPLE_RESPONSE and question.task == "3.3"
