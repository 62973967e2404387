"""`studybot deck import FILE --dry-run` and `studybot content export --format ...`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli import main
from bot.bank import QuestionBank
from bot.decks.entries import DeckOptions
from bot.decks.reader import read_deck

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]


def test_a_dry_run_prints_every_problem_with_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "team.csv"
    deck.write_text("question,answer\nWhat is ECS?,Orchestrator\nNo answer here,\n,No question\n")
    assert main(["deck", "import", str(deck), "--dry-run", "--name", "Team Terms"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "team.csv has 2 problems:",
        "  team.csv:3: answer: is missing",
        "  team.csv:4: prompt: is empty",
    ]
    summary = "Dry run: 3 questions read from team.csv (csv: 3 flashcards); 2 problems"
    assert out == f"{summary}, so nothing would be imported.\n"


def test_a_dry_run_checks_the_name_as_the_import_would_with_the_files_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --name the deck is named after the file: `team` reads as `/quiz team`, which an
    import refuses, so the dry run says so too, beside the file's own problems."""
    deck = tmp_path / "team.csv"
    deck.write_text("question,answer\nWhat is ECS?,Orchestrator\nNo answer here,\n")
    assert main(["deck", "import", str(deck), "--dry-run"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "team.csv has 2 problems:",
        "  team.csv:1: name: 'team' reads as a /quiz command: choose another name",
        "  team.csv:3: answer: is missing",
    ]
    assert out.endswith("; 2 problems, so nothing would be imported.\n")


def test_a_clean_dry_run_summarises_and_offers_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "set.txt"
    deck.write_text(
        "ECS\tElastic Container Service\nEKS\tElastic Kubernetes Service\nECR\tRegistry\nOCI\tOpen\n"
    )
    assert main(["deck", "import", str(deck), "--dry-run", "--choices", "4", "--name", "AWS Terms"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        "Dry run: 4 questions read from set.txt (quizlet: 4 multiple-choice questions); "
        "deck 'AWS Terms' (topic aws-terms) is ready to import.\n"
    )


def test_warnings_are_printed_and_do_not_fail_the_dry_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "notes.txt"
    deck.write_text("#separator:tab\n#html:true\nWhat is <b>ECR</b>?\tA registry<img src=x.png>\n")
    assert main(["deck", "import", str(deck), "--dry-run"]) == 0
    assert (
        "warning: notes.txt:1: 1 images or sounds left out: decks hold text only" in capsys.readouterr().err
    )


def test_import_without_a_workspace_is_only_a_dry_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deck", "import", "team.csv"]) == 2
    assert capsys.readouterr().err == (
        "studybot: deck import: name the workspace with --workspace (slack:T0123, discord:123456789 "
        "or terminal), or check the file alone with --dry-run\n"
    )


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deck", "import", str(tmp_path / "nope.csv"), "--dry-run"]) == 1
    assert (
        capsys.readouterr().err
        == f"studybot: deck import: cannot read {tmp_path / 'nope.csv'}: No such file or directory\n"
    )


def test_a_file_over_the_limit_is_not_even_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.apkg"
    with big.open("wb") as file:
        file.truncate(11 * 1024 * 1024)
    assert main(["deck", "import", str(big), "--dry-run"]) == 1
    assert (
        capsys.readouterr().err
        == "studybot: deck import: big.apkg is larger than the 10 MB a deck file may be\n"
    )


@pytest.mark.parametrize("fmt", ["csv", "yaml", "apkg"])
def test_content_export_writes_the_bank_in_each_format(
    fmt: str, tmp_path: Path, bank: QuestionBank, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / f"bank.{fmt}"
    assert main(["content", "export", "--format", fmt, "--output", str(output)]) == 0
    count = len(bank.questions)
    assert capsys.readouterr().out == f"Exported {count} questions to {output} ({fmt}).\n"
    result = read_deck(output.read_bytes(), output.name, DeckOptions("bank"))
    assert result.ok and len(result.entries) == count


def test_content_export_json_to_stdout_is_unchanged(
    bank: QuestionBank, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "export"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [q.id for q in bank.questions]


def test_an_apkg_export_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "export", "--format", "apkg"]) == 2
    assert (
        capsys.readouterr().err == "studybot: content export: an .apkg is binary: name a file with --output\n"
    )


def test_a_device_with_no_size_is_read_no_further_than_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deck", "import", "/dev/zero", "--dry-run", "--format", "csv"]) == 1
    assert "zero:1: is larger than the 10 MB a deck file may be" in capsys.readouterr().err


def test_studybot_serve_starts_without_loading_a_deck_parser(tmp_path: Path) -> None:
    """The command line names the deck formats, but only `deck import` and `content export`
    load the parsers and their libraries: `studybot serve` starts without them."""
    script = (
        "import sys, warnings\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"
        "import adapters.serve, adapters.slack.app, adapters.discord.component\n"
        "async def started(settings):\n"
        "    loaded = {name for name in sys.modules if name.startswith('bot.decks')}\n"
        # zstandard is not in the list: discord.py itself uses it for the gateway when installed.
        "    loaded |= {'genanki', 'charset_normalizer'} & set(sys.modules)\n"
        "    print(sorted(loaded))\n"
        "adapters.serve.serve = started\n"
        "from adapters.cli import main\n"
        "sys.exit(main(['serve']))\n"
    )
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['bot.decks', 'bot.decks.choices', 'bot.decks.limits']"
