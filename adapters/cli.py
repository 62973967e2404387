"""The `studybot` command line: the composition root that wires settings, core and adapters."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import os
import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import TextIO

from adapters import cli_dashboard, deck_cli
from adapters.startup import Unreachable, check_content_dir, check_database_path, missing_extra, where
from bot.bank import BankError, load_bank
from bot.bootstrap import build_core
from bot.cues import cue_report
from bot.db.database import Database
from bot.errors import StorageUnavailable
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, default_database_path, load_settings


def _version() -> str:
    try:
        return metadata.version("studybot")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studybot", description="Studybot: quizzes for study groups.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    chat = commands.add_parser("chat", help="play the quiz in this terminal")
    chat.add_argument("--user", default=None, help="your name (default: your login name)")
    chat.add_argument("--team", default=None, help="join this team at start")
    chat.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"SQLite file to use (default: STUDYBOT_DATABASE_URL, else {default_database_path()})",
    )

    content = commands.add_parser("content", help="check or export the question bank")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    lint = content_commands.add_parser("lint", help="report every problem in the bank")
    lint.add_argument("paths", nargs="*", type=Path, help="question files to check (default: all)")
    content_commands.add_parser("reports", help="list the reports of bad questions, newest first")
    stats = content_commands.add_parser("stats", help="how each question is answered, with flags")
    stats.add_argument("--flagged", action="store_true", help="only the flagged questions")

    commands.add_parser("serve", help="run every configured chat adapter (Slack, Discord)")

    deck_cli.add_parsers(commands, content_commands)

    discord = commands.add_parser("discord", help="Discord set-up")
    discord_commands = discord.add_subparsers(dest="discord_command", required=True)
    discord_commands.add_parser("invite-url", help="print the link that adds the bot to a server")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the schema migrations")
    db_export = db_commands.add_parser("export", help="write every table to FILE as JSON lines")
    db_export.add_argument("file", type=Path)
    db_import = db_commands.add_parser("import", help="load an export into a new, empty database")
    db_import.add_argument("file", type=Path)
    cli_dashboard.add_parser(commands)
    return parser


def _print_bank_error(error: BankError) -> None:
    count = len(error.problems)
    print(f"The question bank has {count} problem{'s' if count != 1 else ''}:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)


def _lint(settings: Settings, paths: list[Path]) -> int:
    try:
        bank = load_bank(settings.studybot_content_dir, [p.resolve() for p in paths] or None)
    except BankError as error:
        _print_bank_error(error)
        return 1
    report = cue_report(bank.questions)
    for line in report.lines(bank.locations):
        print(line)
    failures = report.failures()
    for failure in failures:
        print(f"Too easy to guess: {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"OK: {len(bank.questions)} questions in {len(bank.topics)} topics.")
    return 0


async def _db_upgrade(settings: Settings) -> int:
    from bot.db.migrate import upgrade

    database = Database(settings.database_url)
    try:
        await upgrade(database)
    except StorageUnavailable as error:
        print(f"studybot: {error}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    print("The database schema is up to date.")
    return 0


def _private_file(path: Path) -> TextIO:
    """A file for its owner only: an export holds the stored Slack installation tokens."""
    return open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8")


async def _db_transfer(settings: Settings, action: str, file: Path) -> int:
    """`db export FILE` from the configured database, `db import FILE` into it (migrated first)."""
    from bot.db.migrate import upgrade
    from bot.db.transfer import TransferError, export_database, import_database

    database = Database(settings.database_url)
    try:
        if action == "export":
            with _private_file(file) as out:
                counts = await export_database(database, out)
        else:
            await upgrade(database)
            with file.open(encoding="utf-8") as lines:
                counts = await import_database(database, lines)
    except (TransferError, StorageUnavailable, OSError) as error:
        print(f"studybot: db {action}: {error}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    verb = "Exported" if action == "export" else "Imported"
    print(f"{verb} {sum(counts.values())} rows from {len(counts)} tables ({file}).")
    return 0


async def _chat(settings: Settings, user: str, team: str | None) -> int:
    from adapters.inflight import within
    from adapters.scheduling import schedulers_for
    from adapters.terminal import PLATFORM, TerminalChat, prompted_lines, stdin_lines, terminal_kept
    from bot.app.outbox_job import OutboxJob

    core = await build_core(settings)
    chat = TerminalChat(core.quiz, core.commands, user, print)
    core.daily.posters[PLATFORM] = chat
    core.outbox.deliver_to(PLATFORM)
    # Only the terminal's own subscriptions, under the terminal's lock on a shared database.
    (scheduler,) = schedulers_for(settings, core, [PLATFORM])
    outbox_job = OutboxJob(core.outbox, settings.studybot_outbox_check_seconds)
    try:
        await scheduler.start()
        outbox_job.start()
        if team:
            await chat.join(team)
        if sys.stdin.isatty():
            with terminal_kept():
                await chat.loop(prompted_lines, interactive=True)
        else:
            await chat.loop(stdin_lines, interactive=False)
    finally:
        # A run under way finishes (bounded by the stop grace); a part that fails is logged.
        deadline = asyncio.get_running_loop().time() + settings.studybot_stop_grace_seconds
        await within(outbox_job.stop(), deadline, "stopping the delivery job")
        await within(scheduler.stop(), deadline, "stopping the scheduler")
        await core.close()
    return 0


def _discord_invite_url(settings: Settings) -> int:
    from adapters.discord.config import application_id
    from adapters.discord.invite import invite_url

    print(invite_url(application_id(settings)))
    return 0


def _serve(settings: Settings) -> int:
    from adapters import early_signals

    early_signals.remember()
    from adapters import event_loop
    from adapters.serve import serve

    configure_logging(settings.studybot_log_level, settings.studybot_log_format == "json", settings.secrets())
    try:
        event_loop.run(serve(settings))
    except asyncio.CancelledError:  # a second SIGTERM or SIGINT while stopping
        return 1
    finally:
        # The process ends now; spare it the interpreter's last collection over every object. Stopped
        # while starting (before `freeze_long_lived`), that took about a second of the stop grace on
        # a busy machine.
        gc.freeze()
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in ("chat", "serve", "content"):
        check_content_dir(settings)
    if args.command in ("chat", "serve", "db"):
        check_database_path(settings, "--db" if getattr(args, "db", None) else "STUDYBOT_DATABASE_URL")
    if args.command == "deck" or getattr(args, "content_command", None) == "export":
        return deck_cli.run(args, settings)
    if args.command == "content" and args.content_command in ("reports", "stats"):
        from adapters.content_feedback import show_reports, show_stats

        if args.content_command == "reports":
            return asyncio.run(show_reports(settings))
        return asyncio.run(show_stats(settings, args.flagged))
    if args.command == "content":
        return _lint(settings, args.paths)
    if args.command == "db":
        if args.db_command == "upgrade":
            return asyncio.run(_db_upgrade(settings))
        return asyncio.run(_db_transfer(settings, args.db_command, args.file))
    if args.command == "serve":
        return _serve(settings)
    if args.command == "dashboard":
        return cli_dashboard.link(settings, args)
    if args.command == "discord":
        return _discord_invite_url(settings)
    return asyncio.run(_chat(settings, args.user or getpass.getuser(), args.team))


def main(argv: list[str] | None = None) -> int:
    """Run one `studybot` command; a mistake in the set-up ends in one line, never a traceback."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides: dict[str, object] = {}
    if getattr(args, "db", None) is not None:
        overrides["studybot_database_url"] = f"sqlite:///{args.db.expanduser().resolve()}"
    settings: Settings | None = None
    try:
        settings = load_settings(**overrides)
        return _run(args, settings)
    except SettingsError as error:
        print(f"studybot: {error}", file=sys.stderr)
        return 2
    except Unreachable as error:
        print(f"studybot: {error}", file=sys.stderr)
        return 1
    except StorageUnavailable as error:
        cause = getattr(error.__cause__, "orig", None) or error.__cause__ or error
        place = where(settings) if settings is not None else "configured"
        print(f"studybot: cannot use the database {place}: {cause}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as error:
        line = missing_extra(error, settings)
        if line is None:
            raise
        print(f"studybot: {line}", file=sys.stderr)
        return 2
    except BankError as error:
        _print_bank_error(error)
        print("studybot: refusing to start on a broken question bank.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nBye.")  # Ctrl-C: end the prompt's line, so the shell's starts on its own
        return 130


def run() -> None:
    """The `studybot` command: `main`, then leave. A thread still at work once `main` returns is a
    write that `studybot serve`'s stop cut short and its people were told of: one waiting on
    SQLite's lock would hold the exit for the rest of its busy timeout, past the stop grace, as
    the interpreter joins it. The process leaves without it, its logs and output flushed."""
    code = main()
    if any(thread.is_alive() and not thread.daemon for thread in _other_threads()):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _other_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread is not threading.current_thread()]


if __name__ == "__main__":
    run()
