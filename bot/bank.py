"""Loading and linting the question bank: YAML files under `content/`.

Every problem is collected, never only the first, and each names its file, line and field, so
`studybot content lint` and a refused start-up tell an author everything to fix in one go.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.content_schema import SLUG_PATTERN, QuestionEntry, QuestionsFile, TopicsFile, question_rules
from bot.questions import (
    BUTTON_TEXT_MAX,
    EXPLANATION_MAX,
    PROMPT_MAX,
    TRUE_FALSE_CHOICES,
    Kind,
    Question,
    Topic,
)
from bot.topics import TopicIndex
from bot.yaml_lines import LineMap, Path_, Unreadable, read_yaml

TOPICS_FILE = "topics.yaml"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class BankError(Exception):
    """The bank cannot be used; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class QuestionBank:
    """The topics and questions; `locations` gives each question's "file:line" when loaded."""

    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]
    locations: Mapping[str, str] = field(default_factory=dict)

    def topic(self, topic_id: str) -> Topic:
        """The topic of this id; one this bank does not know (a deck's since removed) is named
        by its id."""
        return self.topics_by_id.get(topic_id) or Topic(topic_id, topic_id)

    def question(self, question_id: str) -> Question | None:
        return self.by_id.get(question_id)

    def in_topic(self, topic_id: str) -> tuple[Question, ...]:
        return self.by_topic.get(topic_id, ())

    @cached_property
    def by_id(self) -> Mapping[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def topics_by_id(self) -> Mapping[str, Topic]:
        return {t.id: t for t in self.topics}

    @cached_property
    def by_topic(self) -> Mapping[str, tuple[Question, ...]]:
        """The questions of each topic, in the bank's order: a topic's pool without a scan of
        every question (a workspace's decks may hold 250,000)."""
        found: dict[str, list[Question]] = {}
        for question in self.questions:
            for topic_id in question.topics:
                found.setdefault(topic_id, []).append(question)
        return {topic_id: tuple(questions) for topic_id, questions in found.items()}

    @cached_property
    def topic_index(self) -> TopicIndex:
        return TopicIndex(self.topics)


def field_name(path: Path_) -> str:
    """A field's place as a content file's reader writes it: `questions[3].choices[1]`."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


_LIMITS = {"prompt": PROMPT_MAX, "explanation": EXPLANATION_MAX}
# What a field of the wrong type must be instead (YAML reads 3.3 as a number, 2026-12-06 as a date).
_TYPE_HINTS = {
    "domain": "must be a CLF-C02 domain number, 1 to 4",
    "task": 'must be a quoted task statement like "3.3"',
    "verified": "must be a date, YYYY-MM-DD, unquoted",
}


def validation_message(error: Mapping[str, Any], loc: Path_) -> str:
    """One of pydantic's errors in words a content author (or a deck's admin) understands."""
    kind = error["type"]
    last = loc[-1] if loc else ""
    if kind == "string_too_short":
        return "is empty"
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        if limit == BUTTON_TEXT_MAX:
            return f"is longer than the {BUTTON_TEXT_MAX} characters a button can show"
        return f"is longer than the {_LIMITS.get(str(last), limit)} characters a message can hold"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "missing":
        return "is missing"
    if kind == "string_pattern_mismatch":
        return "must be lower-case letters, digits and dashes"
    if kind == "enum":
        return f"must be one of {error.get('ctx', {}).get('expected', '')}"
    if str(last) in _TYPE_HINTS and str(kind).endswith(("_type", "_parsing")):
        return _TYPE_HINTS[str(last)]
    if kind == "string_type":
        return "must be text: put it in quotes (YAML reads 1000000 as a number, and 1,000 in [...] as two)"
    return str(error["msg"]).removeprefix("Value error, ")


def _validation_problems(
    error: ValidationError, display: str, lines: LineMap, at: Path_ = ()
) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc: Path_ = at + tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        # A union (text or bool or none) reports one error per member; name the field once.
        while loc and loc[-1] in ("str", "bool", "none"):
            loc = loc[:-1]
        problems.append(Problem(display, lines.line(loc), field_name(loc), validation_message(item, loc)))
    return list(dict.fromkeys(problems))


def _to_question(entry: QuestionEntry) -> Question:
    if entry.kind is Kind.TRUE_FALSE:
        choices: tuple[str, ...] = TRUE_FALSE_CHOICES
        answers: tuple[str, ...] = (TRUE_FALSE_CHOICES[0] if entry.answer else TRUE_FALSE_CHOICES[1],)
    else:
        choices = tuple(entry.choices)
        answers = tuple(entry.answers) if entry.answers is not None else (str(entry.answer),)
    return Question(
        id=entry.id,
        topics=tuple(entry.topics),
        kind=entry.kind,
        difficulty=entry.difficulty,
        prompt=entry.prompt,
        choices=choices,
        answers=answers,
        explanation=entry.explanation,
        source=entry.source,
        domain=entry.domain,
        task=entry.task,
        verified=entry.verified,
        accepted=tuple(entry.accepted),
    )


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _load_topics(path: Path, display: str, problems: list[Problem]) -> tuple[Topic, ...]:
    read = read_yaml(path)
    if isinstance(read, Unreadable):
        problems.append(Problem(display, read.line, "", read.message))
        return ()
    data, lines = read
    try:
        parsed = TopicsFile.model_validate(data)
    except ValidationError as error:
        problems.extend(_validation_problems(error, display, lines))
        return ()
    topics = []
    names: dict[str, Path_] = {}
    for i, entry in enumerate(parsed.topics):
        for j, name in enumerate((entry.id, *entry.aliases)):
            loc: Path_ = ("topics", i, "id") if j == 0 else ("topics", i, "aliases", j - 1)
            if name in names:
                problems.append(Problem(display, lines.line(loc), field_name(loc), f"'{name}' is used twice"))
            names[name] = loc
        topics.append(Topic(entry.id, entry.name, tuple(entry.aliases)))
    return tuple(topics)


def _identity_problems(
    question_id: str,
    topics: Sequence[str],
    loc: Path_,
    display: str,
    lines: LineMap,
    topic_ids: set[str],
    seen_ids: dict[str, str],
) -> list[Problem]:
    """A duplicate id and unknown topics: checked even on a question that fails the schema, so
    that one lint run reports them too."""
    found = []
    if question_id in seen_ids:
        where: Path_ = (*loc, "id")
        message = f"duplicate id '{question_id}' (first in {seen_ids[question_id]})"
        found.append(Problem(display, lines.line(where), field_name(where), message))
    for i, topic in enumerate(topics):
        if topic not in topic_ids:
            where = (*loc, "topics", i)
            found.append(Problem(display, lines.line(where), field_name(where), f"unknown topic '{topic}'"))
    return found


def _raw_identity(item: object) -> tuple[str, list[str]]:
    """The id and the well-formed topic ids of a question that failed the schema."""
    if not isinstance(item, dict):
        return "", []
    question_id = item.get("id")
    topics = item.get("topics")
    slugs = (
        [t for t in topics if isinstance(t, str) and re.match(SLUG_PATTERN, t)]
        if isinstance(topics, list)
        else []
    )
    return (
        question_id if isinstance(question_id, str) and re.match(SLUG_PATTERN, question_id) else ""
    ), slugs


def _check_question(
    entry: QuestionEntry,
    loc: Path_,
    display: str,
    lines: LineMap,
    topic_ids: set[str],
    seen_ids: dict[str, str],
    failed: Collection[str] = (),
) -> list[Problem]:
    """What the checks across entries and across an entry's fields say of it; `failed` names
    the fields that failed the schema (`_unchecked_entry`), which those rules leave alone."""

    def problem(field: str, message: str, index: int | None = None) -> Problem:
        where: Path_ = (*loc, field) if index is None else (*loc, field, index)
        return Problem(display, lines.line(where), field_name(where), message)

    found = _identity_problems(entry.id, entry.topics, loc, display, lines, topic_ids, seen_ids)
    folded: set[str] = set()
    for i, choice in enumerate(entry.choices):
        if choice.casefold() in folded:
            found.append(problem("choices", f"duplicate choice '{choice}'", i))
        folded.add(choice.casefold())
    found.extend(problem(field, message, index) for field, index, message in question_rules(entry, failed))
    return found


def _unchecked_entry(item: dict[Any, Any], failed: Collection[str]) -> QuestionEntry:
    """A question that failed the schema, built unchecked from its fields that passed, so that
    the checks across entries and the rules across its fields still run on them: its id and
    topics as far as they are well formed, its choices that are text (for duplicates)."""
    question_id, topics = _raw_identity(item)
    choices = item.get("choices")
    values = {name: item[name] for name in QuestionEntry.model_fields if name in item and name not in failed}
    if "kind" in values:
        values["kind"] = Kind(values["kind"])  # it passed, so it is a kind's name
    values |= {
        "id": question_id,
        "topics": topics,
        "choices": [c for c in choices if isinstance(c, str)] if isinstance(choices, list) else [],
    }
    return QuestionEntry.model_construct(**values)


def load_bank(content_dir: Path, files: Iterable[Path] | None = None) -> QuestionBank:
    """Load and check the bank; raise BankError listing every problem found.

    `files` limits the question files checked (the topics file is always read).
    """
    problems: list[Problem] = []
    topics_path = content_dir / TOPICS_FILE
    topics = _load_topics(topics_path, _display(topics_path, content_dir), problems)
    topic_ids = {t.id for t in topics}
    question_files = sorted(files) if files is not None else sorted(content_dir.glob("*.yaml"))
    questions: list[Question] = []
    seen_ids: dict[str, str] = {}
    for path in question_files:
        if path.name == TOPICS_FILE:
            continue
        display = _display(path, content_dir)
        read = read_yaml(path)
        if isinstance(read, Unreadable):
            problems.append(Problem(display, read.line, "", read.message))
            continue
        data, lines = read
        try:
            parsed = QuestionsFile.model_validate(data)
        except ValidationError as error:
            problems.extend(_validation_problems(error, display, lines))
            continue
        # Each question on its own, so that one broken question hides nothing about the others.
        for i, item in enumerate(parsed.questions):
            loc: Path_ = ("questions", i)
            try:
                entry = QuestionEntry.model_validate(item)
            except ValidationError as error:
                problems.extend(_validation_problems(error, display, lines, loc))
                if not isinstance(item, dict):
                    continue
                # The checks across entries and fields still run on the fields that passed, so
                # that one lint run reports every problem of the file, not only its schema errors.
                failed = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
                unchecked = _unchecked_entry(item, failed)
                problems.extend(_check_question(unchecked, loc, display, lines, topic_ids, seen_ids, failed))
                if unchecked.id:
                    seen_ids.setdefault(unchecked.id, f"{display}:{lines.line((*loc, 'id'))}")
                continue
            problems.extend(_check_question(entry, loc, display, lines, topic_ids, seen_ids))
            seen_ids.setdefault(entry.id, f"{display}:{lines.line((*loc, 'id'))}")
            questions.append(_to_question(entry))
    if not questions and not problems:
        problems.append(Problem(_display(content_dir, content_dir), 1, "", "holds no questions"))
    if problems:
        raise BankError(problems)
    return QuestionBank(topics, tuple(questions), seen_ids)


def export_rows(bank: QuestionBank) -> list[dict[str, Any]]:
    """Every question as a plain dict, for `studybot content export`."""
    return [
        {
            "id": q.id,
            "topics": list(q.topics),
            "kind": q.kind.value,
            "difficulty": q.difficulty.value,
            "prompt": q.prompt,
            "choices": list(q.choices),
            "answers": list(q.answers),
            "accepted": list(q.accepted),
            "explanation": q.explanation,
            "source": q.source,
            "domain": q.domain,
            "task": q.task,
            "verified": q.verified.isoformat(),
        }
        for q in bank.questions
    ]
