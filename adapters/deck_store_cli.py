"""`studybot deck import|list|remove|export|builtin --workspace W`: a workspace's decks in the
database `studybot chat` and `serve` use (`--db` or STUDYBOT_DATABASE_URL), migrated first.

The work is the core's `DeckService` (the same the chat adapters call); this module reads the
file, prints every problem by file, line and field, and writes exports.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from adapters.deck_cli import print_report, read_file, write_output
from adapters.deck_text import plural
from adapters.startup import check_content_dir, check_database_path
from bot.app.deck_ports import ExportFormat
from bot.app.decks import DeckService
from bot.app.library import Library
from bot.bank import load_bank
from bot.clock import SystemClock
from bot.db.database import Database
from bot.db.schema import upgrade_if_behind
from bot.db.unit_of_work import SqlUnitOfWork
from bot.errors import UserFacingError
from bot.settings import Settings


def run_on_database(args: argparse.Namespace, settings: Settings) -> int:
    check_content_dir(settings)
    check_database_path(settings, "--db" if args.db else "STUDYBOT_DATABASE_URL")
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    database = Database(settings.database_url)
    try:
        await upgrade_if_behind(database)
        uow = SqlUnitOfWork(database)
        # The shipped bank's topics are names a deck may not take (`DeckService`).
        library = Library(uow, load_bank(settings.studybot_content_dir))
        service = DeckService(uow, library, SystemClock(), settings.studybot_default_timezone)
        return await _dispatch(service, args)
    except UserFacingError as error:
        print(f"studybot: deck {args.deck_command}: {error}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()


async def _dispatch(service: DeckService, args: argparse.Namespace) -> int:
    workspace: str = args.workspace
    if args.deck_command == "import":
        return await _import(service, workspace, args)
    if args.deck_command == "list":
        return await _list(service, workspace)
    if args.deck_command == "builtin":
        return await _builtin(service, workspace, args.state)
    name = args.name or args.name_option
    if not name:
        print(f"studybot: deck {args.deck_command}: name the deck (see deck list)", file=sys.stderr)
        return 2
    if args.deck_command == "remove":
        if not await service.remove_deck(workspace, name):
            print(f"studybot: deck remove: {workspace} has no deck '{name}' (see deck list)", file=sys.stderr)
            return 1
        print(f"Removed deck '{name}' from {workspace}: its questions are no longer asked there.")
        return 0
    return await _export(service, workspace, name, args.format, args.output)


async def _import(service: DeckService, workspace: str, args: argparse.Namespace) -> int:
    file: Path = args.file
    data = read_file(file)
    if data is None:
        return 1
    report = await service.import_deck(
        workspace,
        args.name or file.stem,
        file.name,
        data,
        choices=args.choices,
        dry_run=args.dry_run,
        fmt=args.format,
    )
    return print_report(report, file.name, workspace)


async def _list(service: DeckService, workspace: str) -> int:
    decks = await service.list_decks(workspace)
    builtin = await service.builtin_enabled(workspace)
    print(f"The shipped question bank is {'on' if builtin else 'off'} for {workspace}.")
    if not decks:
        print("No decks of its own yet: studybot deck import FILE --workspace ... --name NAME adds one.")
        return 0
    print(f"{plural(len(decks), 'deck')}:")
    for deck in decks:
        when = deck.imported_at.strftime("%Y-%m-%d %H:%M UTC")
        print(
            f"  {deck.name} (topic {deck.topic_id}): {plural(deck.questions, 'question')}, "
            f"from {deck.source_file}, {when}"
        )
    return 0


async def _builtin(service: DeckService, workspace: str, state: str | None) -> int:
    if state is not None:
        await service.set_builtin(workspace, state == "on")
    enabled = await service.builtin_enabled(workspace)
    if enabled:
        print(f"The shipped question bank is on for {workspace}: its topics are asked beside the decks.")
    else:
        print(f"The shipped question bank is off for {workspace}: only its own decks are asked.")
    return 0


async def _export(
    service: DeckService, workspace: str, name: str, fmt: ExportFormat, output: Path | None
) -> int:
    exported = await service.export_deck(workspace, name, fmt)
    if exported is None:
        print(f"studybot: deck export: {workspace} has no deck '{name}' (see deck list)", file=sys.stderr)
        return 1
    if output is not None and str(output) == "-":
        if fmt == "apkg":
            print("studybot: deck export: an .apkg is binary: name a file with --output", file=sys.stderr)
            return 2
        return 0 if write_output("deck export", None, exported.data) else 1
    target = output or Path(exported.filename)
    if not write_output("deck export", target, exported.data):
        return 1
    print(f"Exported deck '{name}' of {workspace} to {target} ({fmt}).")
    return 0
