"""`studybot deck ...` (a workspace's own decks, issue 18) and `studybot content export`.

`deck import FILE --dry-run` without `--workspace` checks the file alone, with no database; the
commands on a workspace's decks (`adapters.deck_store_cli`) use the database `studybot chat` and
`serve` use (`--db` or STUDYBOT_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from adapters.deck_text import kinds_line, plural
from bot.app.deck_ports import WORKSPACE_SPELLING, ExportFormat, ImportReport
from bot.bank import BankError, Problem, QuestionBank, export_rows, load_bank
from bot.decks import FORMATS
from bot.decks.choices import CHOICES_RANGE
from bot.decks.limits import MAX_FILE_BYTES, too_big
from bot.settings import Settings

EXPORT_FORMATS = ("json", "csv", "yaml", "apkg")
BANK_DECK_NAME = "Studybot CLF-C02 containers"


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    content_commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """The `deck` command and `content export`, added to the `studybot` parser."""
    export = content_commands.add_parser("export", help="write every question of the bank")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="json")
    export.add_argument(
        "--output", type=Path, default=None, help="write to FILE (default: print; apkg needs one)"
    )

    deck = commands.add_parser("deck", help="a workspace's own decks: import, list, remove, export")
    deck_commands = deck.add_subparsers(dest="deck_command", required=True)
    check = deck_commands.add_parser(
        "import",
        help="import FILE as a deck of a workspace (or check it with --dry-run)",
        description=(
            "Read a deck (Studybot YAML, CSV, TSV, Anki .apkg or plain-text export, study notes, Quizlet), "
            "report every problem at once, by file, line and field, and import it into the workspace "
            "only if there is none. A deck of the same name is replaced; the history of its questions "
            "whose text is unchanged is kept. --dry-run without --workspace checks the file alone."
        ),
    )
    check.add_argument("file", type=Path)
    check.add_argument("--dry-run", action="store_true", help="check only: import nothing")
    check.add_argument("--name", default=None, help="the deck's name (default: the file's name)")
    _workspace_options(check)
    check.add_argument(
        "--format", choices=FORMATS, default=None, help="read as this format (default: by name)"
    )
    check.add_argument(
        "--choices",
        type=int,
        choices=CHOICES_RANGE,
        metavar="N",
        default=None,
        help=f"offer flashcards as multiple choice with N choices ({CHOICES_RANGE[0]}-{CHOICES_RANGE[-1]})",
    )
    listing = deck_commands.add_parser(
        "list", help="the workspace's decks and whether the shipped bank is on"
    )
    _workspace_options(listing)
    remove = deck_commands.add_parser("remove", help="remove a deck: its questions leave the workspace")
    remove.add_argument("name", nargs="?", default=None, help="the deck's name (or --name)")
    remove.add_argument("--name", dest="name_option", default=None, help=argparse.SUPPRESS)
    _workspace_options(remove)
    export_deck = deck_commands.add_parser("export", help="write a deck as an Anki package, CSV or YAML")
    export_deck.add_argument("name", nargs="?", default=None, help="the deck's name (or --name)")
    export_deck.add_argument("--name", dest="name_option", default=None, help=argparse.SUPPRESS)
    export_deck.add_argument("--format", choices=get_args(ExportFormat), default="apkg")
    export_deck.add_argument(
        "--output",
        type=Path,
        default=None,
        help="write to FILE (default: DECK.FORMAT here; - prints csv/yaml)",
    )
    _workspace_options(export_deck)
    builtin = deck_commands.add_parser(
        "builtin", help="turn the shipped question bank on or off for a workspace"
    )
    builtin.add_argument("state", nargs="?", choices=("on", "off"), default=None, help="(default: show it)")
    _workspace_options(builtin)


def _workspace_options(parser: argparse.ArgumentParser) -> None:
    """--workspace (checked by `run`, which says how to spell it) and --db."""
    parser.add_argument(
        "--workspace",
        default=None,
        help=f"{WORKSPACE_SPELLING} (the workspace `studybot chat` plays in)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file to use (default: STUDYBOT_DATABASE_URL, as for chat and serve)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch `deck ...` and `content export`."""
    if args.command != "deck":
        return _export_bank(settings, args.format, args.output)
    if args.workspace is None:
        if args.deck_command == "import" and args.dry_run:
            return _dry_run(args, settings)
        alone = ", or check the file alone with --dry-run" if args.deck_command == "import" else ""
        print(
            f"studybot: deck {args.deck_command}: name the workspace with --workspace "
            f"({WORKSPACE_SPELLING}){alone}",
            file=sys.stderr,
        )
        return 2
    from adapters.deck_store_cli import run_on_database

    return run_on_database(args, settings)


def print_problems(heading: str, problems: Sequence[Problem | str]) -> None:
    print(heading, file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def print_report(report: ImportReport, filename: str, workspace: str | None = None) -> int:
    """An import's (or a dry run's) outcome, the exit status: warnings and every problem, each
    as `file:line: field: message`, on stderr; what was read and done on stdout."""
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    read = (
        f"{plural(report.questions, 'question')} read from {filename} ({report.format}: {kinds_line(report)})"
    )
    dry = "Dry run: " if report.dry_run else ""
    if report.problems:
        count = plural(len(report.problems), "problem")
        print_problems(f"{filename} has {count}:", report.problems)
        print(f"{dry}{read}; {count}, so nothing {'would be' if report.dry_run else 'was'} imported.")
        return 1
    kept = ""
    if report.replaced:
        kept = (
            f" It replaces the deck of that name; {plural(report.kept_history, 'question')} "
            "unchanged keep their answers and review history."
        )
    if report.dry_run:
        from bot.decks.text import slug

        deck = f"deck '{report.deck}'" if workspace else f"deck '{report.deck}' (topic {slug(report.deck)})"
        where = f" into {workspace}" if workspace else ""
        print(f"Dry run: {read}; {deck} is ready to import{where}.{kept}")
    else:
        print(f"Imported deck '{report.deck}' into {workspace}: {read}.{kept}")
    return 0


def read_file(file: Path) -> bytes | None:
    """The file's bytes, or None once the reason it cannot be imported is printed."""
    try:
        oversize = too_big(file.stat().st_size)
        # Never more than the limit, even from a file that grows or a device with no size.
        with file.open("rb") as handle:
            data = b"" if oversize else handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        print(f"studybot: deck import: cannot read {file}: {error.strerror or error}", file=sys.stderr)
        return None
    if oversize:
        print(f"studybot: deck import: {file.name} {oversize}", file=sys.stderr)
        return None
    return data


def _shipped_bank(settings: Settings) -> QuestionBank | None:
    """The shipped bank, or None once its problems are printed."""
    try:
        return load_bank(settings.studybot_content_dir)
    except BankError as error:
        print_problems(f"The question bank has {plural(len(error.problems), 'problem')}:", error.problems)
        return None


def _dry_run(args: argparse.Namespace, settings: Settings) -> int:
    """`deck import FILE --dry-run` without a workspace: the file and the name checked as an
    import would check them (`bot.app.decks.check_deck`), with no database."""
    from bot.app.decks import check_deck

    file: Path = args.file
    data = read_file(file)
    if data is None:
        return 1
    builtin = _shipped_bank(settings)
    if builtin is None:
        return 1
    checked = check_deck(builtin, args.name or file.stem, file.name, data, args.choices, args.format)
    return print_report(checked.report(), file.name)


def _export_bank(settings: Settings, fmt: str, output: Path | None) -> int:
    if fmt == "apkg" and output is None:
        print("studybot: content export: an .apkg is binary: name a file with --output", file=sys.stderr)
        return 2
    bank = _shipped_bank(settings)
    if bank is None:
        return 1
    from bot.decks.export import bank_entries, write_deck

    rows = export_rows(bank)
    if fmt == "json":
        data = (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode()
    else:
        data = write_deck(bank_entries(rows), fmt, BANK_DECK_NAME)
    if not write_output("content export", output, data):
        return 1
    if output is not None:
        print(f"Exported {plural(len(rows), 'question')} to {output} ({fmt}).")
    return 0


def write_output(command: str, output: Path | None, data: bytes) -> bool:
    """An export written to `output` (None: to stdout); False once a failure is printed."""
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        return True
    try:
        output.write_bytes(data)
    except OSError as error:
        print(f"studybot: {command}: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return False
    return True
