"""Block Kit for a workspace's decks: the import modal (a `file_input`), the import report,
`/quiz deck list` and the confirmations. Deck names, file names and problem messages come from
the admin's file: every one goes through `escape` or a code block, so none pings anyone or
changes the markup."""

from __future__ import annotations

import json

from adapters import deck_text
from adapters.slack.kit import Block, Message, context, message, plain, section
from adapters.slack.mrkdwn import code_block, escape
from adapters.terminal_render import table
from bot.app.deck_commands import DeckChanged, DeckList
from bot.app.deck_ports import ImportReport
from bot.decks.choices import CHOICES_RANGE
from bot.decks.limits import MAX_NAME
from bot.grammar_decks import DECK_FILE_TYPES

DECK_IMPORT_VIEW = "deck-import"
FILE_BLOCK, NAME_BLOCK, CHOICES_BLOCK, DRY_RUN_BLOCK = "deck-file", "deck-name", "deck-choices", "dry-run"
DECK_COMMAND = "/quiz deck"
NAME_HINT = "Its questions become a topic of this name."
IMPORT_BY_COMMAND = "Type the command /quiz deck import: it opens a form to choose the deck file."
# A section's text may be 3,000 characters; escaping can make a line longer than it was typed.
SECTION_MAX = 2900
FORMATS_HINT = (
    "An Anki package (.apkg), a CSV or TSV with a header row (or Anki's Notes in Plain Text), "
    "Studybot YAML, study notes (.txt, .md: a question line, then its answer) or a Quizlet export. "
    "Up to 10 MB and 5,000 questions. Importing a name again replaces that deck; "
    "unchanged questions keep their history."
)


def _input(block_id: str, label: str, element: Block, optional: bool = False, hint: str = "") -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint, "emoji": False}
    return block


def _file_input() -> Block:
    """One file, of the types the importers read (Slack checks the type for convenience only;
    the name is checked again on submission and the bytes by the importer)."""
    return {"type": "file_input", "action_id": FILE_BLOCK, "filetypes": list(DECK_FILE_TYPES), "max_files": 1}


def _name_input(name: str | None) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": NAME_BLOCK,
        "max_length": MAX_NAME,
        "placeholder": plain("e.g. Team ECS notes"),
    }
    if name is not None:
        element["initial_value"] = name
    return element


def import_modal(response_url: str, channel: str, name: str | None = None) -> dict[str, object]:
    """The modal `/quiz deck import [NAME]` opens; where to answer rides in `private_metadata`."""
    choices = [{"text": plain(f"Multiple choice, {n} choices"), "value": str(n)} for n in CHOICES_RANGE]
    dry_run = {"text": plain("Dry run only: check the file, import nothing"), "value": "dry-run"}
    return {
        "type": "modal",
        "callback_id": DECK_IMPORT_VIEW,
        "title": plain("Import a deck"),
        "submit": plain("Import"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"response_url": response_url, "channel": channel}),
        "blocks": [
            {"type": "section", "text": {"type": "plain_text", "text": FORMATS_HINT, "emoji": False}},
            _input(FILE_BLOCK, "Deck file", _file_input()),
            _input(NAME_BLOCK, "Deck name", _name_input(name), hint=NAME_HINT),
            _input(
                CHOICES_BLOCK,
                "Flashcards",
                {
                    "type": "static_select",
                    "action_id": CHOICES_BLOCK,
                    "placeholder": plain("Ask them as flashcards"),
                    "options": choices,
                },
                optional=True,
                hint="Offer flashcards as multiple choice: the wrong choices are other cards' answers.",
            ),
            _input(
                DRY_RUN_BLOCK,
                "Dry run",
                {"type": "checkboxes", "action_id": DRY_RUN_BLOCK, "options": [dry_run]},
                optional=True,
            ),
        ],
    }


def _sections(lines: list[str]) -> list[Block]:
    """`lines` in code blocks, as many sections as the size limit of one needs."""
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len(code_block("\n".join([*chunk, line]))) > SECTION_MAX:
            blocks.append(section(code_block("\n".join(chunk))))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section(code_block("\n".join(chunk))))
    return blocks


def import_report(report: ImportReport) -> Message:
    heading = deck_text.report_heading(report)
    blocks = [section(escape(heading))]
    if report.problems:
        blocks.append(section("*Problems* (file:line: field: message)"))
        blocks += _sections(deck_text.problem_lines(report))
        hint = deck_text.more_problems_hint(report, "sent to your direct messages with Studybot")
        if hint is not None:
            blocks.append(context(escape(hint)))
    if report.warnings:
        blocks.append(section("*Warnings* (imported anyway)"))
        blocks += _sections(deck_text.warning_lines(report))
    return message(heading, blocks)


def deck_list(listed: DeckList) -> Message:
    builtin = context(escape(deck_text.builtin_line(listed, DECK_COMMAND)))
    if not listed.decks:
        return message("Decks", [section(escape(deck_text.no_decks_line(DECK_COMMAND))), builtin])
    rows = table(deck_text.DECK_COLUMNS, deck_text.deck_rows(listed)).splitlines()
    head = f"*Decks of this workspace* · {deck_text.plural(len(listed.decks), 'deck')}"
    return message("Decks", [section(head), *_sections(rows), builtin])


def reply(result: ImportReport | DeckList | DeckChanged) -> Message:
    match result:
        case ImportReport():
            return import_report(result)
        case DeckList():
            return deck_list(result)
    return message(result.text, [section(escape(result.text))])
