"""Tables of cards: CSV and TSV with a header row naming the columns.

Read with the standard library's csv module (quoting, embedded line breaks, any delimiter).
The delimiter is the one the header row uses most among comma, semicolon, tab and pipe (Excel
writes semicolons where the decimal mark is a comma). Columns are found by name, with the names
other tools give them (Front/Back, Term/Definition, Question/Answer). Anki's plain-text export
(`bot.decks.anki_text`) reads its rows through the same `read_rows`. A row whose question cell
holds cloze deletions (`{{c1::...}}`), or whose note type is a Cloze one, is a Cloze note: one
flashcard for each deletion number (`bot.decks.cloze`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from bot.bank import Problem
from bot.decks.cloze import has_cloze, is_image_occlusion, note_cards, occlusion_warning
from bot.decks.entries import Card, DeckImport, DeckOptions, finish
from bot.decks.text import html_to_text

FORMAT = "csv"
DELIMITERS = (",", ";", "\t", "|")
# Header names (lower case, without spaces, dashes and underscores) -> the field they fill.
COLUMN_NAMES = {
    "prompt": "prompt", "question": "prompt", "front": "prompt", "term": "prompt", "q": "prompt",
    "text": "prompt",
    "answer": "answer", "back": "answer", "definition": "answer", "a": "answer",
    "correctanswer": "answer", "correct": "answer", "rightanswer": "answer",
    "explanation": "explanation", "extra": "explanation", "backextra": "explanation", "why": "explanation",
    "notes": "explanation", "rationale": "explanation", "choices": "choices", "options": "choices",
    "answers": "answers", "accepted": "accepted", "kind": "kind",
    "difficulty": "difficulty", "tags": "tags", "topics": "tags", "source": "source", "id": "id",
    "domain": "domain", "task": "task", "verified": "verified", "notetype": "notetype",
    "deck": "deck", "guid": "guid",
}  # fmt: skip
# "Choice 1", "Option B", "Wrong 2": one column a choice (a wrong one). Spreadsheets of
# multiple-choice questions letter their choices ("Option A") and often give the answer as a letter.
_NUMBERED = re.compile(r"^(choice|option|wrong|distractor)(\d+|[a-f])$")
_LETTERS = "abcdef"
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
# A cell our CSV export wrote with a leading apostrophe, so a spreadsheet shows it as text
# instead of running it as a formula (`=HYPERLINK(...)`): the apostrophe is taken off again.
_DEFUSED_FORMULA = re.compile(r"^'(?=[=+\-@])")


@dataclass(frozen=True)
class Layout:
    """How a table's rows are read: delimiter, the field of each column, whether cells are HTML,
    the line its first row is on, fixed values (Anki's `#notetype:`, `#tags:`), and whether each
    row's last cell is its tags, whatever its width (Anki's export without header lines)."""

    delimiter: str
    columns: tuple[str | None, ...]
    html: bool = False
    first_line: int = 1
    notetype: str = ""
    tags: tuple[str, ...] = ()
    tags_last: bool = False


def column_field(name: str) -> str | None:
    key = re.sub(r"[\s_\-]+", "", name.strip().lower())
    if _NUMBERED.match(key):
        return "wrong" if key.startswith(("wrong", "distractor")) else "choice"
    return COLUMN_NAMES.get(key)


def header_fields(header: list[str]) -> tuple[str | None, ...]:
    """The field of each column. Bare letters are the choices when another column is the
    answer ("Question, A, B, C, D, Answer"); otherwise "A" is the answer ("Q, A")."""
    columns = [column_field(name) for name in header]
    keys = [name.strip().lower() for name in header]
    lettered = [i for i, key in enumerate(keys) if len(key) == 1 and key in _LETTERS]
    if len(lettered) > 1 and any(c == "answer" and keys[i] != "a" for i, c in enumerate(columns)):
        for i in lettered:
            columns[i] = "choice"
    return tuple(columns)


def _lettered(answer: str, choices: list[str]) -> str:
    """A choice's text for an answer given as its letter ("B" or "b)"), else the answer."""
    letter = answer.strip().rstrip(".)").lower()
    if answer in choices or len(letter) != 1 or letter not in _LETTERS[: len(choices)]:
        return answer
    return choices[_LETTERS.index(letter)]


def split_list(cell: str) -> list[str]:
    """A list in one cell: one item a line, or separated by `|` (tags also by spaces)."""
    parts = cell.splitlines() if "\n" in cell else cell.split("|")
    return [p.strip() for p in parts if p.strip()]


def _bool_or_text(cell: str) -> bool | str:
    folded = cell.strip().lower()
    return True if folded in _TRUE else False if folded in _FALSE else cell


def _date_or_text(cell: str) -> date | str:
    try:
        return date.fromisoformat(cell)
    except ValueError:
        return cell


def _cell(raw: str, layout: Layout, media: list[int]) -> str:
    raw = _DEFUSED_FORMULA.sub("", raw)
    if not layout.html:
        return raw
    text, count = html_to_text(raw)
    media[0] += count
    return text


def _tags(values: dict[str, list[str]], layout: Layout) -> list[str]:
    cells = values.get("tags", [])
    return [*layout.tags, *(t for cell in cells for t in re.split(r"[\s|,]+", cell) if t)]


def _raw_prompt(row: list[str], layout: Layout) -> str:
    """The question cell as the file has it (HTML when the layout says so)."""
    at = layout.columns.index("prompt") if "prompt" in layout.columns else 0
    return row[at] if at < len(row) else ""


def _cloze_cards(
    row: list[str], values: dict[str, list[str]], line: int, layout: Layout
) -> tuple[list[Card], list[str]]:
    """A Cloze note's flashcards from its question cell; the cells after it (Anki's `Back
    Extra`, in the answer's place, and an explanation column) are its explanation."""
    extra = "\n".join(c for name in ("answer", "explanation") for c in values.get(name, [])[:1] if c.strip())
    text = _raw_prompt(row, layout)
    return note_cards(text, layout.html, line=line, explanation=extra, tags=_tags(values, layout))


def _card(values: dict[str, list[str]], line: int, layout: Layout) -> Card:
    def one(name: str) -> str:
        return values.get(name, [""])[0].strip()

    choices = [c for c in values.get("choice", []) if c.strip()]
    choices += split_list(one("choices"))
    answer: str | bool | None = one("answer") or None
    wrong = [w for w in values.get("wrong", []) if w.strip()]
    if wrong and isinstance(answer, str):
        choices = [answer, *choices, *wrong]
    kind = one("kind").lower() or ("multiple_choice" if choices else "")
    if isinstance(answer, str) and choices and not wrong:
        answer = _lettered(answer, choices)
    if kind == "true_false" and answer is not None:
        answer = _bool_or_text(str(answer))
    answers = [_lettered(a, choices) for a in split_list(one("answers"))] or None
    if kind == "multiple_response":
        answer = None
    exam: dict[str, object] = {"task": one("task")} if one("task") else {}
    if one("verified"):
        exam["verified"] = _date_or_text(one("verified"))
    if one("domain"):
        exam["domain"] = int(one("domain")) if one("domain").isdigit() else one("domain")
    return Card(
        line=line,
        prompt=one("prompt"),
        answer=answer,
        kind=kind or "flashcard",
        explanation=one("explanation"),
        choices=choices,
        answers=answers,
        accepted=split_list(one("accepted")),
        tags=_tags(values, layout),
        difficulty=one("difficulty").lower() or "medium",
        source=one("source"),
        id=one("id"),
        exam=exam,
    )


def read_rows(text: str, display: str, layout: Layout) -> tuple[list[Card], list[Problem], list[Problem]]:
    """Cards, problems and warnings (what was left out) of a table's data rows."""
    cards: list[Card] = []
    problems: list[Problem] = []
    media = [0]
    occlusions = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter, strict=False)
    line = layout.first_line
    end = layout.first_line - 1
    try:
        for row in reader:
            line, end = end + 1, layout.first_line - 1 + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            tags = row[-1:] if layout.tags_last else []
            row = row[:-1] if layout.tags_last else row
            if len(row) > len(layout.columns):
                problems.append(
                    Problem(
                        display, line, "", f"has {len(row)} cells; the header names {len(layout.columns)}"
                    )
                )
                continue
            values: dict[str, list[str]] = {"tags": tags} if tags else {}
            for name, raw in zip(layout.columns, row, strict=False):
                if name is not None:
                    values.setdefault(name, []).append(_cell(raw, layout, media))
            notetype = (values.get("notetype", [""])[0] or layout.notetype).lower()
            prompt = _raw_prompt(row, layout)
            if "cloze" in notetype or "occlusion" in notetype or has_cloze(prompt):
                if "occlusion" in notetype or is_image_occlusion(prompt):
                    occlusions += 1
                    continue
                made, messages = _cloze_cards(row, values, line, layout)
                cards += made
                problems += [Problem(display, line, "", message) for message in messages]
                continue
            card = _card(values, line, layout)
            cards.append(card)
            if "reversed" in notetype and isinstance(card.answer, str):
                cards.append(Card(line, card.answer, card.prompt, tags=card.tags))
    except csv.Error as error:
        problems.append(Problem(display, end + 1, "", f"cannot be read as a table: {error}"))
    warnings = []
    if media[0]:
        warnings.append(
            Problem(display, 1, "", f"{media[0]} images or sounds left out: decks hold text only")
        )
    if occlusions:
        warnings.append(occlusion_warning(display, occlusions))
    return cards, problems, warnings


def guess_delimiter(header: str, preferred: str | None = None) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    if preferred and counts.get(preferred):
        return preferred
    return max(DELIMITERS, key=lambda d: counts[d])


def parse_table(text: str, display: str, options: DeckOptions, preferred: str | None = None) -> DeckImport:
    header_line = text.partition("\n")[0]
    delimiter = guess_delimiter(header_line, preferred)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error as error:
        return DeckImport(FORMAT, (), (Problem(display, 1, "header", f"cannot be read: {error}"),))
    columns = header_fields(header)
    problems: list[Problem] = []
    # A table of Cloze notes ("Text", "Back Extra") has no answer column: its answers are in its text.
    answered = {"answer", "answers"} & set(columns) or has_cloze(text)
    missing = [f for f in ("prompt", "answer") if f not in columns and not (f == "answer" and answered)]
    if missing:
        named = ", ".join(repr(h) for h in header[:8]) or "nothing"
        return DeckImport(
            FORMAT,
            (),
            (Problem(display, 1, "header", f"names no {' or '.join(missing)} column (it names {named})"),),
        )
    unknown = [h for h, c in zip(header, columns, strict=True) if c is None and h.strip()]
    warnings = [Problem(display, 1, "header", f"column '{h}' is not used") for h in unknown]
    body = text[len(header_line) + 1 :] if "\n" in text else ""
    cards, row_problems, row_warnings = read_rows(body, display, Layout(delimiter, columns, first_line=2))
    problems += row_problems
    return finish(FORMAT, display, cards, options, problems, warnings + row_warnings)
