"""Loading and linting the question bank: YAML files under `content/`.

Every problem is collected, never only the first, and each names its file, line and field, so
`studybot content lint` and a refused start-up tell an author everything to fix in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content_schema import QuestionEntry, QuestionsFile, TopicsFile
from bot.questions import (
    BUTTON_TEXT_MAX,
    EXPLANATION_MAX,
    PROMPT_MAX,
    TRUE_FALSE_CHOICES,
    Kind,
    Question,
    Topic,
)

TOPICS_FILE = "topics.yaml"
Path_ = tuple[str | int, ...]


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
    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)

    def question(self, question_id: str) -> Question | None:
        return self.by_id.get(question_id)

    def in_topic(self, topic_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if topic_id in q.topics)

    @cached_property
    def by_id(self) -> Mapping[str, Question]:
        return {q.id: q for q in self.questions}


# libyaml's parser where PyYAML was built with it (its wheels are): the whole bank loads in
# 0.02 s instead of 0.14 s, a tenth of `studybot serve`'s start-up. Same nodes, same marks.
Loader = yaml.SafeLoader | yaml.CSafeLoader
LOADER: type[Loader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineMap:
    """YAML data plus the line each key and item starts on."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}

    def line(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def build(self, loader: Loader, node: yaml.Node, path: Path_) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.build(loader, value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(loader, item, (*path, i)) for i, item in enumerate(node.value)]
        return loader.construct_object(node, deep=True)


def _read_yaml(path: Path, display: str) -> tuple[Any, _LineMap] | Problem:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Problem(display, 1, "", f"cannot be read: {error}")
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        lines = _LineMap()
        data = lines.build(loader, node, ()) if node is not None else None
    except yaml.YAMLError as error:
        # Where the broken construct began (an unclosed bracket or quote) when the parser says,
        # rather than where it gave up, which differs between libyaml and PyYAML's own parser.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return Problem(display, line, "", f"is not valid YAML: {getattr(error, 'problem', error)}")
    finally:
        loader.dispose()
    return data, lines


def _field_name(path: Path_) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


_LIMITS = {"prompt": PROMPT_MAX, "explanation": EXPLANATION_MAX}


def _message(error: Mapping[str, Any], loc: Path_) -> str:
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
    return str(error["msg"]).removeprefix("Value error, ")


def _validation_problems(error: ValidationError, display: str, lines: _LineMap) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc: Path_ = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        # A union (text or bool) reports one error per member; name the field once.
        if loc and loc[-1] in ("str", "bool"):
            loc = loc[:-1]
        problems.append(Problem(display, lines.line(loc), _field_name(loc), _message(item, loc)))
    return list(dict.fromkeys(problems))


def _to_question(entry: QuestionEntry) -> Question:
    if entry.kind is Kind.TRUE_FALSE:
        choices: tuple[str, ...] = TRUE_FALSE_CHOICES
        answer = TRUE_FALSE_CHOICES[0] if entry.answer else TRUE_FALSE_CHOICES[1]
    else:
        choices = tuple(entry.choices)
        answer = str(entry.answer)
    return Question(
        id=entry.id,
        topics=tuple(entry.topics),
        kind=entry.kind,
        difficulty=entry.difficulty,
        prompt=entry.prompt,
        choices=choices,
        answer=answer,
        explanation=entry.explanation,
        source=entry.source,
        accepted=tuple(entry.accepted),
    )


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _load_topics(path: Path, display: str, problems: list[Problem]) -> tuple[Topic, ...]:
    read = _read_yaml(path, display)
    if isinstance(read, Problem):
        problems.append(read)
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
                problems.append(
                    Problem(display, lines.line(loc), _field_name(loc), f"'{name}' is used twice")
                )
            names[name] = loc
        topics.append(Topic(entry.id, entry.name, tuple(entry.aliases)))
    return tuple(topics)


def _check_question(
    entry: QuestionEntry,
    loc: Path_,
    display: str,
    lines: _LineMap,
    topic_ids: set[str],
    seen_ids: dict[str, str],
) -> list[Problem]:
    def problem(field: str, message: str, index: int | None = None) -> Problem:
        where: Path_ = (*loc, field) if index is None else (*loc, field, index)
        return Problem(display, lines.line(where), _field_name(where), message)

    found = []
    if entry.id and entry.id in seen_ids:
        found.append(problem("id", f"duplicate id '{entry.id}' (first in {seen_ids[entry.id]})"))
    for i, topic in enumerate(entry.topics):
        if topic not in topic_ids:
            found.append(problem("topics", f"unknown topic '{topic}'", i))
    folded: set[str] = set()
    for i, choice in enumerate(entry.choices):
        if choice.casefold() in folded:
            found.append(problem("choices", f"duplicate choice '{choice}'", i))
        folded.add(choice.casefold())
    if entry.kind is Kind.MULTIPLE_CHOICE and entry.answer not in entry.choices:
        found.append(problem("answer", f"answer '{entry.answer}' is not among the choices"))
    return found


def _readable_entry(raw: Any) -> QuestionEntry | None:
    """An entry that failed the schema, built unchecked from the fields the checks across entries
    read (id, topics, choices, kind, answer); None when it is not even a mapping."""
    if not isinstance(raw, dict):
        return None

    def texts(field: str) -> list[str]:
        return [str(v) for v in raw[field]] if isinstance(raw.get(field), list) else []

    kind = raw.get("kind")
    return QuestionEntry.model_construct(
        id=str(raw.get("id") or ""),
        topics=texts("topics"),
        choices=texts("choices"),
        kind=Kind(kind) if kind in {k.value for k in Kind} else None,
        answer=raw.get("answer"),
    )


def _entry_rules(entry: QuestionEntry) -> list[str]:
    """What the schema's rules across an entry's fields (its `after` model validators) say of an
    entry built unchecked."""
    messages = []
    for validator in QuestionEntry.__pydantic_decorators__.model_validators.values():
        if validator.info.mode == "after":
            try:
                validator.func(entry)
            except ValueError as error:
                messages.append(str(error))
    return messages


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
        read = _read_yaml(path, display)
        if isinstance(read, Problem):
            problems.append(read)
            continue
        data, lines = read
        try:
            parsed = QuestionsFile.model_validate(data)
        except ValidationError as error:
            problems.extend(_validation_problems(error, display, lines))
            # The checks across entries still run on what can be read, so that one lint run
            # reports every problem of the file, not only its schema errors.
            depths: dict[tuple[Any, ...], set[int]] = {}
            for item in error.errors():
                depths.setdefault(tuple(item["loc"][:2]), set()).add(len(item["loc"]))
            for i, raw in enumerate(data.get("questions") or [] if isinstance(data, dict) else []):
                unchecked = _readable_entry(raw)
                if unchecked is None:
                    continue
                where: Path_ = ("questions", i)
                failed = depths.get(where, set())
                if failed and 2 not in failed and unchecked.kind is not None and "answer" in raw:
                    # Its fields failed, so pydantic never reached the rules across them.
                    for message in _entry_rules(unchecked):
                        problems.append(Problem(display, lines.line(where), _field_name(where), message))
                problems.extend(_check_question(unchecked, where, display, lines, topic_ids, seen_ids))
                seen_ids.setdefault(unchecked.id, f"{display}:{lines.line((*where, 'id'))}")
            continue
        for i, entry in enumerate(parsed.questions):
            loc: Path_ = ("questions", i)
            problems.extend(_check_question(entry, loc, display, lines, topic_ids, seen_ids))
            seen_ids.setdefault(entry.id, f"{display}:{lines.line((*loc, 'id'))}")
            questions.append(_to_question(entry))
    if not questions and not problems:
        problems.append(Problem(_display(content_dir, content_dir), 1, "", "holds no questions"))
    if problems:
        raise BankError(problems)
    return QuestionBank(topics, tuple(questions))


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
            "answer": q.answer,
            "accepted": list(q.accepted),
            "explanation": q.explanation,
            "source": q.source,
        }
        for q in bank.questions
    ]
