"""`/quiz-admin deck import|list|remove|export|builtin`: a server's own decks (issue 18), for
server managers only (the Manage Server permission, as for the question of the day).

Each is journaled before its defer (`command_journal`, issue 13: an acknowledgement is a
promise), its options in the row, and carried out by one body of work live and, after a crash,
from the row. A name that is no deck name, or a file no importer reads, is refused before
anything is deferred or journaled. An import's row keeps the attachment's name, its size as
Discord states it, and its URL: the file is downloaded only once the admin rule has passed, its
size checked before a byte is read and again once read; a recovery downloads it again (an
attachment's URL outlives the 14 minutes a recovery may come in) or, if Discord no longer hands
it over, tells the manager that nothing was imported and to send the file again.

Every reply is ephemeral: an export is a file only the manager sees, since every answer of the
deck is in it. Deck names, file names and problem messages come from the file: they are escaped,
or shown in a code block that cannot be closed early, and no message may mention anyone
(`NO_MENTIONS`).
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import aiohttp
import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters import deck_text
from adapters.discord.command_journal import Followups, Options
from adapters.discord.exchange import Exchange
from adapters.discord.markdown import code_block, safe
from adapters.discord.slash import QuizCommands
from adapters.terminal_render import table
from bot.app.commands import Reply
from bot.app.deck_commands import DeckChanged, DeckList
from bot.app.deck_ports import ExportedDeck, ImportReport
from bot.decks.choices import CHOICES_RANGE
from bot.decks.limits import MAX_NAME, too_big
from bot.errors import UserFacingError
from bot.grammar_decks import (
    DEFAULT_EXPORT,
    EXPORT_FORMATS,
    NAME_THE_DECK,
    DeckCommand,
    DeckFile,
    ExportDeck,
    ImportDeck,
    ListDecks,
    RemoveDeck,
    SetBuiltin,
    deck_name,
    file_type_refusal,
)

DECK_COMMAND = "/quiz-admin deck"
CHOICES = [Choice(name=f"Multiple choice, {n} choices", value=n) for n in CHOICES_RANGE]
FORMATS = [Choice(name=fmt, value=fmt) for fmt in EXPORT_FORMATS]
NOT_HANDED_OVER = "Discord did not hand over the attachment ({why}). Try the import again."
SEND_AGAIN = (
    "Studybot restarted before it imported '{filename}', and Discord no longer hands the file over: "
    "nothing was imported. Please send the file again with /quiz-admin deck import."
)
REPORT_COLOUR = discord.Colour.green()
PROBLEM_COLOUR = discord.Colour.red()


class NotHandedOver(UserFacingError):
    """Discord did not hand the attachment over (an error status, or no connection)."""


async def read_attachment(filename: str, size: int, download: Callable[[], Awaitable[bytes]]) -> DeckFile:
    """The attachment's bytes: refused by its stated size before it is read (its name was
    checked before the command was deferred)."""
    if too_big(size) is not None:
        said = f"'{filename}' {too_big(size)}; it was not downloaded, and nothing was imported."
        raise UserFacingError(said)
    try:
        data = await download()
    except discord.HTTPException as error:
        raise NotHandedOver(NOT_HANDED_OVER.format(why=f"HTTP {error.status}")) from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise NotHandedOver(NOT_HANDED_OVER.format(why="no connection")) from error
    if too_big(len(data)) is not None:
        raise UserFacingError(f"'{filename}' {too_big(len(data))}; nothing was imported.")
    return DeckFile(filename, data)


def report_embed(report: ImportReport) -> discord.Embed:
    parts = [safe(deck_text.report_heading(report, "/quiz-topics"))]
    if report.problems:
        parts += [
            "**Problems** (file:line: field: message)",
            code_block("\n".join(deck_text.problem_lines(report))),
        ]
        hint = deck_text.more_problems_hint(report, "attached")
        if hint is not None:
            parts.append(safe(hint))
    if report.warnings:
        parts += ["**Warnings** (imported anyway)", code_block("\n".join(deck_text.warning_lines(report)))]
    colour = PROBLEM_COLOUR if report.problems else REPORT_COLOUR
    return discord.Embed(description="\n".join(parts), colour=colour)


def list_embed(listed: DeckList) -> discord.Embed:
    builtin = safe(deck_text.builtin_line(listed, DECK_COMMAND))
    if not listed.decks:
        return discord.Embed(description=f"{safe(deck_text.no_decks_line(DECK_COMMAND))}\n{builtin}")
    rows = code_block(table(deck_text.DECK_COLUMNS, deck_text.deck_rows(listed)))
    title = f"Decks of this server · {deck_text.plural(len(listed.decks), 'deck')}"
    return discord.Embed(title=title, description=f"{rows}\n{builtin}")


class DeckCommands:
    """The deck commands, journaled before their defer; `client` downloads an import's file."""

    def __init__(self, base: QuizCommands, client: discord.Client) -> None:
        self.base = base
        self.client = client
        journal = base.journal
        journal.register("deck import", self.import_deck, public=False)
        journal.register("deck list", self.list_decks, public=False)
        journal.register("deck remove", self.remove, public=False)
        journal.register("deck export", self.export, public=False)
        journal.register("deck builtin", self.builtin, public=False)

    async def run(self, interaction: discord.Interaction, action: str, options: Options) -> None:
        await self.base.journal.run(interaction, action, options, self.base.in_flight)

    async def import_(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        name: str,
        choices: int | None,
        dry_run: bool,
    ) -> None:
        named = deck_name(name)
        refusal = NAME_THE_DECK if named is None else file_type_refusal(file.filename)
        if refusal is not None:
            await self.base.refuse_at_once(interaction, "deck import", refusal)
            return
        options: Options = {
            "name": named,
            "choices": choices,
            "dry_run": dry_run,
            "filename": file.filename,
            "size": file.size,
            "url": file.url,
        }
        await self.run(interaction, "deck import", options)

    async def named(self, interaction: discord.Interaction, name: str, export: str | None) -> None:
        """`remove` (no format) or `export` (a format) the deck `name`."""
        named = deck_name(name)
        action = "deck remove" if export is None else "deck export"
        if named is None:
            await self.base.refuse_at_once(interaction, action, NAME_THE_DECK)
            return
        await self.run(interaction, action, {"name": named, "format": export})

    async def import_deck(self, replies: Exchange | Followups, options: Options) -> None:
        filename, size, url = str(options["filename"]), options["size"], str(options["url"])
        recovered = isinstance(replies, Followups)

        async def download() -> bytes:
            return await self.client.http.get_from_cdn(url)

        async def fetch() -> DeckFile:
            try:
                return await read_attachment(filename, size if isinstance(size, int) else 0, download)
            except NotHandedOver as error:
                if recovered:
                    raise UserFacingError(SEND_AGAIN.format(filename=safe(filename))) from error
                raise

        choices = options.get("choices")
        picked = choices if isinstance(choices, int) else None
        command = ImportDeck(str(options["name"]), fetch, picked, bool(options.get("dry_run")))
        await self._carry_out(replies, command)

    async def list_decks(self, replies: Exchange | Followups, _options: Options) -> None:
        await self._carry_out(replies, ListDecks())

    async def remove(self, replies: Exchange | Followups, options: Options) -> None:
        await self._carry_out(replies, RemoveDeck(str(options["name"])))

    async def export(self, replies: Exchange | Followups, options: Options) -> None:
        fmt = next((f for f in EXPORT_FORMATS if f == options.get("format")), DEFAULT_EXPORT)
        await self._carry_out(replies, ExportDeck(str(options["name"]), fmt))

    async def builtin(self, replies: Exchange | Followups, options: Options) -> None:
        await self._carry_out(replies, SetBuiltin(bool(options["enabled"])))

    async def _carry_out(self, replies: Exchange | Followups, command: DeckCommand) -> None:
        await show(replies, await replies.execute(self.base.commands, command))


async def show(replies: Exchange | Followups, reply: Reply) -> None:
    """A deck command's reply, to the manager alone (a refusal was sent already)."""
    match reply:
        case ImportReport():
            listed = deck_text.problems_file(reply)
            every = None if listed is None else discord.File(io.BytesIO(listed.data), listed.filename)
            await replies.send(embed=report_embed(reply), ephemeral=True, file=every)
        case DeckList():
            await replies.send(embed=list_embed(reply), ephemeral=True)
        case DeckChanged(text):
            await replies.send(safe(text), ephemeral=True)
        case ExportedDeck(filename, data):
            file = discord.File(io.BytesIO(data), filename=filename)
            await replies.send(safe(deck_text.exported_line(reply)), ephemeral=True, file=file)


def add_decks(admin: app_commands.Group, decks: DeckCommands) -> None:
    group = app_commands.Group(name="deck", description="This server's own decks of questions", parent=admin)

    @group.command(name="import", description="Import a deck: Anki .apkg, CSV/TSV, Studybot YAML, notes")
    @app_commands.describe(
        file="The deck file (.apkg, .csv, .tsv, .txt, .md, .yaml; up to 10 MB)",
        name="The deck's name; its questions become a topic of this name",
        choices="Offer flashcards as multiple choice (wrong choices: other cards' answers)",
        dry_run="Only check the file and report its problems; import nothing",
    )
    @app_commands.choices(choices=CHOICES)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def import_(
        interaction: discord.Interaction,
        file: discord.Attachment,
        name: Range[str, 1, MAX_NAME],
        choices: int | None = None,
        dry_run: bool = False,
    ) -> None:
        await decks.import_(interaction, file, name, choices, dry_run)

    @group.command(name="list", description="This server's decks")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def list_(interaction: discord.Interaction) -> None:
        await decks.run(interaction, "deck list", {})

    @group.command(name="remove", description="Remove a deck: its questions leave every list")
    @app_commands.describe(name="The deck's name")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def remove(interaction: discord.Interaction, name: Range[str, 1, MAX_NAME]) -> None:
        await decks.named(interaction, name, None)

    @group.command(name="export", description="A deck as a file, shown to you alone")
    @app_commands.describe(name="The deck's name", format="The file's format (csv by default)")
    @app_commands.choices(format=FORMATS)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def export(
        interaction: discord.Interaction, name: Range[str, 1, MAX_NAME], format: str = DEFAULT_EXPORT
    ) -> None:
        await decks.named(interaction, name, format)

    @group.command(name="builtin", description="Ask the built-in questions here too, or only your decks")
    @app_commands.describe(enabled="On: the built-in questions too; off: only this server's decks")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def builtin(interaction: discord.Interaction, enabled: bool) -> None:
        await decks.run(interaction, "deck builtin", {"enabled": enabled})
