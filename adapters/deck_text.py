"""The words of the deck replies, shared by Slack, Discord and the terminal, which each escape
them their own way: every line here is raw text that may hold a deck's names and cards.

An import report shows every problem by `file:line: field: message` up to a cap, then how many
more there are: a chat message has a size limit, so every one of them goes with it as a text file
(the command line prints them all).
"""

from __future__ import annotations

from bot.app.deck_commands import DeckChanged, DeckImportForm, DeckList, DeckReply
from bot.app.deck_ports import ExportedDeck, ImportReport
from bot.bank import Problem

PROBLEMS_SHOWN = 15
WARNINGS_SHOWN = 5
LINE_MAX = 180


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


KIND_NAMES = {
    "multiple_choice": "multiple-choice question",
    "multiple_response": "multiple-response question",
    "true_false": "true/false question",
    "flashcard": "flashcard",
}


def kinds_line(report: ImportReport) -> str:
    """How many questions of each kind the import read: "3 flashcards, 1 true/false question"."""
    return ", ".join(plural(n, KIND_NAMES.get(kind, kind)) for kind, n in report.kinds) or "nothing"


def cut(text: str, limit: int = LINE_MAX) -> str:
    """One line at most `limit` characters long (a card's field can be very long)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def report_heading(report: ImportReport, topics_command: str = "/quiz topics") -> str:
    """`topics_command` is how the platform spells the topic list."""
    deck = cut(report.deck, 100)
    if report.problems:
        found = plural(len(report.problems), "problem")
        if report.dry_run:
            return f"Dry run of '{deck}': {found}; it could not be imported as it is."
        return f"Nothing was imported: {found} in '{deck}'. Fix them and import the file again."
    questions = plural(report.questions, "question")
    if report.dry_run:
        return (
            f"Dry run of '{deck}': {questions} ({report.format}) read without a problem; nothing was stored."
        )
    done = f"Imported the deck '{deck}': {questions} ({report.format}), now in {topics_command}."
    if report.replaced:
        kept = plural(report.kept_history, "unchanged question")
        done += f" It replaced the deck of that name; {kept} kept their history."
    return done


def _capped(problems: tuple[Problem, ...], shown: int, what: str) -> list[str]:
    lines = [cut(str(problem)) for problem in problems[:shown]]
    rest = len(problems) - shown
    if rest > 0:
        lines.append(f"… and {plural(rest, 'more ' + what)}.")
    return lines


def problem_lines(report: ImportReport) -> list[str]:
    """Each problem as `file:line: field: message`, the first `PROBLEMS_SHOWN`, then the count."""
    return _capped(report.problems, PROBLEMS_SHOWN, "problem")


def warning_lines(report: ImportReport) -> list[str]:
    return _capped(report.warnings, WARNINGS_SHOWN, "warning")


def problems_file(report: ImportReport) -> ExportedDeck | None:
    """Every problem, `file:line: field: message` one a line, as a text file sent with a report
    that shows only the first `PROBLEMS_SHOWN` (a chat message has a size limit)."""
    if len(report.problems) <= PROBLEMS_SHOWN:
        return None
    from bot.decks.text import slug  # with the first long report, not with `studybot serve`

    text = "".join(f"{problem}\n" for problem in report.problems)
    return ExportedDeck(f"{slug(report.deck) or 'deck'}-problems.txt", text.encode())


def more_problems_hint(report: ImportReport, sent_where: str) -> str | None:
    """Where the file of every problem went (`problems_file`), when the report is cut short."""
    listed = problems_file(report)
    if listed is None:
        return None
    return f"All {plural(len(report.problems), 'problem')} are in {listed.filename}, {sent_where}."


def deck_rows(listed: DeckList) -> list[tuple[str, str, int, str]]:
    """Name, topic, questions and import date of each deck."""
    return [
        (
            cut(deck.name, 40),
            cut(deck.topic_id, 30),
            deck.questions,
            f"{deck.imported_at:%Y-%m-%d}",
        )
        for deck in listed.decks
    ]


DECK_COLUMNS = ("Deck", "Topic", "Questions", "Imported")


def builtin_line(listed: DeckList, deck_command: str) -> str:
    """`deck_command` is how the platform spells the deck commands: `/quiz deck` on Slack."""
    if listed.builtin:
        return f"The built-in questions are on here too ({deck_command} builtin off turns them off)."
    return f"The built-in questions are off here ({deck_command} builtin on turns them back on)."


def no_decks_line(deck_command: str) -> str:
    return f"This workspace has no decks of its own yet. Import one with {deck_command} import."


def exported_line(exported: ExportedDeck) -> str:
    size = len(exported.data)
    shown = f"{size / 1024:.1f} KB" if size >= 1024 else plural(size, "byte")
    return f"Your deck as {cut(exported.filename, 120)} ({shown})."


TERMINAL_IMPORT = (
    "In the terminal, import with the command line: "
    "studybot deck import FILE --workspace terminal --name NAME"
)
TERMINAL_EXPORT = (
    "In the terminal, export with the command line: "
    "studybot deck export NAME --workspace terminal --format FORMAT"
)


def plain_reply(result: DeckReply) -> str:
    """A deck reply as the terminal shows it (`studybot chat` plays in the workspace `terminal`)."""
    match result:
        case ImportReport():
            lines = [report_heading(result), *problem_lines(result), *warning_lines(result)]
            return "\n".join(lines)
        case DeckList():
            rows = [" · ".join(str(cell) for cell in row) for row in deck_rows(result)]
            return "\n".join([*(rows or [no_decks_line("/quiz deck")]), builtin_line(result, "/quiz deck")])
        case DeckChanged(text):
            return text
        case DeckImportForm():
            return TERMINAL_IMPORT
    return TERMINAL_EXPORT
