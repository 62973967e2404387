"""What every importer produces: question entries in the content files' shape, and problems.

An importer reads its format into `Card`s (or, for Studybot's YAML, entries directly) and
hands them to `finish`, which makes the text plain, names the topics, offers flashcards as
multiple choice when asked, checks every entry with the bank's own schema and the deck limits,
and returns a `DeckImport`. Nothing raises half-way: every problem is collected with its line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bot.bank import Problem, field_name, validation_message
from bot.content_schema import QuestionEntry
from bot.decks.choices import offer_choices
from bot.decks.limits import MAX_QUESTIONS
from bot.decks.text import plain, slug
from bot.questions import BUTTON_TEXT_MAX

Entry = dict[str, Any]
# The exam-guide fields every shipped question carries; a team's own deck may leave them out.
DECK_OPTIONAL_FIELDS = frozenset({"domain", "task", "verified"})
# How many choices a deck's question may show: as many buttons as the bank's questions at most.
DECK_CHOICES = (2, 6)
FLASHCARD_ANSWER_MAX = 500
"""A deck's flashcard answer is shown in a message, not on a button as a choice is, so it may be
longer than the bank's answers: the back of an Anki card is often a sentence or two."""


@dataclass(frozen=True)
class DeckOptions:
    """`topic`: the deck's topic id (its name as a slug); `choices`: offer flashcards as
    multiple choice with this many choices, or None to keep them flashcards."""

    topic: str = "deck"
    choices: int | None = None


@dataclass(frozen=True)
class DeckImport:
    """The entries read from one file, every problem that keeps it from being imported and the
    warnings about what was left out (media). The caller imports all or nothing."""

    format: str
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.entries)


@dataclass
class Card:
    """One question as an importer read it, before its text is cleaned and checked."""

    line: int
    prompt: str
    answer: str | bool | None
    kind: str = "flashcard"
    explanation: str = ""
    choices: Sequence[str] = ()
    answers: Sequence[str] | None = None
    accepted: Sequence[str] = ()
    tags: Sequence[str] = ()
    difficulty: str = "medium"
    source: str = ""
    id: str = ""
    exam: dict[str, Any] = field(default_factory=dict)


def refused(fmt: str, display: str, message: str, line: int = 1) -> DeckImport:
    """A whole file turned away (too big, not what its name says, not readable)."""
    return DeckImport(fmt, (), (Problem(display, line, "", message),))


def question_id(topic: str, prompt: str) -> str:
    """A stable id from the deck and the prompt, so a re-import finds the same question."""
    return f"{topic[:40]}-{hashlib.sha256(prompt.encode()).hexdigest()[:8]}"


def card_entry(card: Card, options: DeckOptions, display: str) -> Entry:
    prompt = plain(card.prompt)
    entry: Entry = {
        "id": card.id or question_id(options.topic, prompt),
        "topics": list(dict.fromkeys([options.topic, *(t for t in map(slug, card.tags) if t)])),
        "kind": card.kind,
        "difficulty": card.difficulty or "medium",
        "prompt": prompt,
    }
    if card.choices:
        entry["choices"] = [plain(c, one_line=True) for c in card.choices]
    if card.answers is not None:
        entry["answers"] = [plain(a, one_line=True) for a in card.answers]
    if card.answer is not None:
        entry["answer"] = card.answer if isinstance(card.answer, bool) else plain(card.answer, one_line=True)
    if card.accepted:
        entry["accepted"] = [plain(a, one_line=True) for a in card.accepted]
    # An imported card without an explanation shows its answer again rather than filler.
    default_explanation = entry.get("answer") if isinstance(entry.get("answer"), str) else ""
    entry["explanation"] = plain(card.explanation) or default_explanation or prompt
    entry["source"] = plain(card.source, one_line=True) or f"{display}, line {card.line}"
    entry.update(card.exam)
    return entry


def schema_problems(entry: Entry, display: str, line_of: Callable[[str], int]) -> list[Problem]:
    """The entry checked by the bank's `QuestionEntry` (less the exam fields a deck may omit),
    then, when its fields are sound, by the kind rules that hold for decks."""
    known = QuestionEntry.model_fields
    checked = {k: v for k, v in entry.items() if k in known or k not in DECK_OPTIONAL_FIELDS}
    answer = checked.get("answer")
    if checked.get("kind") == "flashcard" and isinstance(answer, str):
        # Shown in a message, never on a button: its length is `deck_rules`' to check.
        checked["answer"] = answer[:BUTTON_TEXT_MAX]
    try:
        QuestionEntry.model_validate(checked)
    except ValidationError as error:
        found: list[Problem] = []
        whole: list[Problem] = []
        for item in error.errors():
            raw = tuple(item["loc"])
            # Keep the field and list indexes; drop the union member and validator names.
            loc: tuple[str | int, ...] = raw[:1] + tuple(p for p in raw[1:] if isinstance(p, int))
            if item["type"] == "missing" and loc and loc[0] in DECK_OPTIONAL_FIELDS:
                continue
            # A text-or-bool field reports against both members; keep the one its value is.
            if item["type"].startswith("bool_") and isinstance(item.get("input"), str):
                continue
            name = str(loc[0]) if loc else ""
            problem = Problem(display, line_of(name), field_name(loc), validation_message(item, loc))
            (found if loc else whole).append(problem)
        # A rule over the whole entry (the schema's kind rules) is reported by `deck_rules`,
        # which names the field, unless that finds nothing to say.
        return list(dict.fromkeys(found or _rule_problems(entry, display, line_of) or whole))
    return _rule_problems(entry, display, line_of)


def _rule_problems(entry: Entry, display: str, line_of: Callable[[str], int]) -> list[Problem]:
    return [Problem(display, line_of(f.split("[")[0]), f, m) for f, m in deck_rules(entry)]


def _choice_rules(entry: Entry) -> Iterable[tuple[str, str]]:
    choices = entry.get("choices") or []
    low, high = DECK_CHOICES
    if entry.get("kind") in ("multiple_choice", "multiple_response") and not low <= len(choices) <= high:
        yield "choices", f"a choice question needs {low} to {high} choices, not {len(choices)}"
    folded = [str(c).casefold() for c in choices]
    for i, choice in enumerate(choices):
        if folded.index(str(choice).casefold()) != i:
            yield f"choices[{i}]", f"duplicate choice '{choice}'"
    kind, answer = entry.get("kind"), entry.get("answer")
    if kind == "multiple_choice" and isinstance(answer, str) and answer not in choices:
        yield "answer", f"answer '{answer}' is not among the choices"
    if kind == "multiple_response":
        for i, right in enumerate(entry.get("answers") or []):
            if right not in choices:
                yield f"answers[{i}]", f"'{right}' is not among the choices"


def deck_rules(entry: Entry) -> list[tuple[str, str]]:
    """The kind rules that hold for decks (the bank adds rules for its own files)."""
    found = list(_choice_rules(entry))
    kind, answer = entry.get("kind"), entry.get("answer")
    if kind == "true_false" and not isinstance(answer, bool):
        found.append(("answer", "the answer of a true/false question is true or false"))
    if kind == "flashcard" and entry.get("choices"):
        found.append(("choices", "a flashcard has no choices; list typed alternatives in accepted"))
    if kind in ("multiple_choice", "flashcard") and (answer is None or isinstance(answer, bool)):
        found.append(("answer", "is missing" if answer is None else "must be text"))
    if kind == "flashcard" and isinstance(answer, str) and len(answer) > FLASHCARD_ANSWER_MAX:
        found.append(
            ("answer", f"is longer than the {FLASHCARD_ANSWER_MAX} characters a flashcard's answer may be")
        )
    return found


def check_entries(
    entries: Sequence[Entry], lines: Sequence[Callable[[str], int]], display: str
) -> list[Problem]:
    """Every problem of every entry: schema, kind rules, duplicate ids and prompts, deck size."""
    problems: list[Problem] = []
    first_id: dict[str, int] = {}
    first_prompt: dict[str, int] = {}
    for entry, line_of in zip(entries, lines, strict=True):
        problems.extend(schema_problems(entry, display, line_of))
        line = line_of("prompt")
        prompt = str(entry.get("prompt", "")).casefold()
        if prompt and prompt in first_prompt:
            problems.append(
                Problem(display, line, "prompt", f"the same question as line {first_prompt[prompt]}")
            )
        elif str(entry.get("id", "")) in first_id:
            where = first_id[str(entry["id"])]
            problems.append(
                Problem(display, line_of("id"), "id", f"'{entry['id']}' is used twice (line {where})")
            )
        first_prompt.setdefault(prompt, line)
        first_id.setdefault(str(entry.get("id", "")), line_of("id"))
    if len(entries) > MAX_QUESTIONS:
        problems.append(
            Problem(
                display, 1, "", f"holds {len(entries):,} questions; a deck takes at most {MAX_QUESTIONS:,}"
            )
        )
    return problems


def finish(
    fmt: str,
    display: str,
    cards: Sequence[Card],
    options: DeckOptions,
    problems: Sequence[Problem] = (),
    warnings: Sequence[Problem] = (),
) -> DeckImport:
    """Cards read from a file, made into checked entries (see the module docstring)."""
    entries = [card_entry(card, options, display) for card in cards]
    lines = [_at(card.line) for card in cards]
    return finish_entries(fmt, display, entries, lines, options, problems, warnings)


def _at(line: int) -> Callable[[str], int]:
    return lambda _field: line


def finish_entries(
    fmt: str,
    display: str,
    entries: list[Entry],
    lines: Sequence[Callable[[str], int]],
    options: DeckOptions,
    problems: Sequence[Problem] = (),
    warnings: Sequence[Problem] = (),
) -> DeckImport:
    found = list(problems)
    if options.choices is not None:
        found += [
            Problem(display, lines[i]("answer") if lines else 1, f, m)
            for i, f, m in offer_choices(entries, options.choices)
        ]
    found += check_entries(entries, lines, display)
    if not entries and not found:
        found.append(Problem(display, 1, "", "holds no questions"))
    return DeckImport(fmt, tuple(entries), tuple(found), tuple(warnings))
