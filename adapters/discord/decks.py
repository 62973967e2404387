"""`/quiz-admin deck import|list|remove|export|builtin`: a server's own decks (issue 18), for
server managers only (the Manage Server permission, as for the question of the day).

`import` takes the file as an attachment option: its size, as Discord states it, is checked
before a byte is read, and again once read. Every reply is ephemeral: an export is a file only
the manager sees, since every answer of the deck is in it. Deck names, file names and problem
messages come from the file: they are escaped, or shown in a code block that cannot be closed
early, and no message may mention anyone (`NO_MENTIONS`).
"""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters import deck_text
from adapters.discord.exchange import Exchange
from adapters.discord.markdown import code_block, safe
from adapters.inflight import InFlight
from adapters.terminal_render import table
from bot.app.commands import Commands, Reply
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
NOT_HANDED_OVER = "Discord did not hand over the attachment (HTTP {status}). Try the import again."
REPORT_COLOUR = discord.Colour.green()
PROBLEM_COLOUR = discord.Colour.red()


async def read_attachment(file: discord.Attachment) -> DeckFile:
    """The attachment's bytes: refused by its name or its stated size before it is read."""
    refusal = file_type_refusal(file.filename)
    if refusal is not None:
        raise UserFacingError(refusal)
    if too_big(file.size) is not None:
        raise UserFacingError(
            f"'{file.filename}' {too_big(file.size)}; it was not downloaded, and nothing was imported."
        )
    try:
        data = await file.read()
    except discord.HTTPException as error:
        raise UserFacingError(NOT_HANDED_OVER.format(status=error.status)) from error
    if too_big(len(data)) is not None:
        raise UserFacingError(f"'{file.filename}' {too_big(len(data))}; nothing was imported.")
    return DeckFile(file.filename, data)


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
    def __init__(self, commands: Commands, in_flight: InFlight) -> None:
        self.commands = commands
        self.in_flight = in_flight

    async def run(self, interaction: discord.Interaction, command: DeckCommand | str, what: str) -> None:
        """Carry out one deck command; a string is a refusal of the typed options."""
        exchange = Exchange(interaction)
        async with self.in_flight.track(), exchange.guard(what):
            if isinstance(command, str):
                await exchange.refuse(command)
                return
            await exchange.defer(ephemeral=True)
            await self._show(exchange, await exchange.execute(self.commands, command))

    async def _show(self, exchange: Exchange, reply: Reply) -> None:
        match reply:
            case ImportReport():
                listed = deck_text.problems_file(reply)
                if listed is None:
                    await exchange.send(embed=report_embed(reply), ephemeral=True)
                else:
                    every = discord.File(io.BytesIO(listed.data), filename=listed.filename)
                    await exchange.send(embed=report_embed(reply), ephemeral=True, file=every)
            case DeckList():
                await exchange.send(embed=list_embed(reply), ephemeral=True)
            case DeckChanged(text):
                await exchange.send(safe(text), ephemeral=True)
            case ExportedDeck(filename, data):
                file = discord.File(io.BytesIO(data), filename=filename)
                await exchange.send(safe(deck_text.exported_line(reply)), ephemeral=True, file=file)

    async def import_(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        name: str,
        choices: int | None,
        dry_run: bool,
    ) -> None:
        named = deck_name(name)

        async def fetch() -> DeckFile:
            return await read_attachment(file)

        command = NAME_THE_DECK if named is None else ImportDeck(named, fetch, choices, dry_run)
        await self.run(interaction, command, "deck import")

    async def named(self, interaction: discord.Interaction, name: str, export: str | None) -> None:
        """`remove` (no format) or `export` (a format) the deck `name`."""
        named = deck_name(name)
        if named is None:
            await self.run(interaction, NAME_THE_DECK, "deck")
            return
        fmt = next((f for f in EXPORT_FORMATS if f == export), DEFAULT_EXPORT)
        command = RemoveDeck(named) if export is None else ExportDeck(named, fmt)
        await self.run(interaction, command, "deck export" if export else "deck remove")


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
        await decks.run(interaction, ListDecks(), "deck list")

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
        await decks.run(interaction, SetBuiltin(enabled), "deck builtin")
