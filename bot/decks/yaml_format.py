"""Studybot's own YAML: a `questions:` list in the shape of the shipped bank's files.

Read with PyYAML's safe loader, node by node, so every field keeps its line. A deck has no use
for anchors and aliases, and a file that repeats a node through them (a "billion laughs" bomb)
is refused before anything is built from it. Left-out fields a deck does not need (id,
difficulty, explanation, source, kind) get the same defaults as the other formats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from bot.bank import Problem
from bot.decks.encoding import NotText, decode
from bot.decks.entries import DeckImport, DeckOptions, Entry, finish_entries, question_id, refused
from bot.decks.text import plain, slug

FORMAT = "yaml"
_MAX_NODES = 500_000
_MAX_DEPTH = 20
_TEXT_FIELDS = ("prompt", "explanation", "source")
_LIST_FIELDS = ("choices", "answers", "accepted")


class _Refused(Exception):
    pass


class _Reader:
    """Builds plain data from composed nodes, refusing aliases, depth and size a deck never needs."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, depth: int) -> Any:
        if id(node) in self.seen:
            raise _Refused("uses YAML anchors and aliases, which a deck file may not")
        self.seen.add(id(node))
        if len(self.seen) > _MAX_NODES or depth > _MAX_DEPTH:
            raise _Refused("is nested too deep or too large to be a deck")
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, depth + 1)
                if not isinstance(key, str | int | bool | float) or key is None:
                    raise _Refused(f"has a key that is not text (line {key_node.start_mark.line + 1})")
                result[key] = self.build(value_node, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, depth + 1) for item in node.value]
        return self.loader.construct_object(node, deep=True)


def _clean(raw: dict[Any, Any], options: DeckOptions, display: str, line: int) -> Entry:
    entry: Entry = {str(k): v for k, v in raw.items()}
    for name in _TEXT_FIELDS:
        if isinstance(entry.get(name), str):
            entry[name] = plain(entry[name])
    if isinstance(entry.get("answer"), str):
        entry["answer"] = plain(entry["answer"], one_line=True)
    for name in _LIST_FIELDS:
        if isinstance(entry.get(name), list):
            entry[name] = [plain(v, one_line=True) if isinstance(v, str) else v for v in entry[name]]
    topics = entry.get("topics", [])
    tags = [slug(t) for t in topics if isinstance(t, str)] if isinstance(topics, list) else []
    entry["topics"] = list(dict.fromkeys([options.topic, *(t for t in tags if t)]))
    entry.setdefault("kind", "multiple_choice" if entry.get("choices") else "flashcard")
    entry.setdefault("difficulty", "medium")
    if isinstance(entry.get("prompt"), str):
        entry.setdefault("id", question_id(options.topic, entry["prompt"]))
        answer = entry.get("answer")
        entry.setdefault("explanation", answer if isinstance(answer, str) and answer else entry["prompt"])
    entry.setdefault("source", f"{display}, line {line}")
    return entry


def _yaml_error(error: yaml.YAMLError, text: str, display: str) -> DeckImport:
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return refused(
            FORMAT, display, f"holds a character YAML does not allow (#x{error.character:04x})", line
        )
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    return refused(FORMAT, display, f"is not valid YAML: {getattr(error, 'problem', error)}", line)


def _load(text: str, display: str) -> tuple[Any, yaml.Node] | DeckImport:
    """The file's data and its root node, or the import refused."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as error:
        return _yaml_error(error, text, display)
    try:
        node = loader.get_single_node()
        if node is None:
            return refused(FORMAT, display, "holds no questions")
        return _Reader(loader).build(node, 0), node
    except yaml.YAMLError as error:
        return _yaml_error(error, text, display)
    except (_Refused, RecursionError) as error:
        return refused(FORMAT, display, str(error) or "is nested too deep to be a deck")
    finally:
        loader.dispose()


def parse(data: bytes, display: str, options: DeckOptions) -> DeckImport:
    try:
        text, _encoding = decode(data)
    except NotText as error:
        return refused(FORMAT, display, str(error))
    loaded = _load(text, display)
    if isinstance(loaded, DeckImport):
        return loaded
    content, node = loaded
    if (
        not isinstance(content, dict)
        or list(content) != ["questions"]
        or not isinstance(content["questions"], list)
        or not isinstance(node, yaml.MappingNode)
        or not isinstance(node.value[0][1], yaml.SequenceNode)
    ):
        return refused(FORMAT, display, "must hold one key, `questions:`, with a list of questions")
    return _entries(content["questions"], node.value[0][1], display, options)


def _line_of(field_lines: dict[str, int], start: int) -> Callable[[str], int]:
    return lambda name: field_lines.get(name, start)


def _entries(raw: list[Any], items: yaml.SequenceNode, display: str, options: DeckOptions) -> DeckImport:
    entries: list[Entry] = []
    lines: list[Callable[[str], int]] = []
    problems: list[Problem] = []
    for value, node in zip(raw, items.value, strict=True):
        start = node.start_mark.line + 1
        if not isinstance(value, dict):
            problems.append(Problem(display, start, "", "a question must be a mapping of fields"))
            continue
        field_lines = {str(k.value): k.start_mark.line + 1 for k, _v in getattr(node, "value", [])}
        entries.append(_clean(value, options, display, start))
        lines.append(_line_of(field_lines, start))
    return finish_entries(FORMAT, display, entries, lines, options, problems)
