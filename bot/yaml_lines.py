"""YAML read with the line each key and item starts on, so that a problem names its line.

Only plain data comes out (text, numbers, dates, lists, mappings): a file that builds anything
else, a list used as a key or an alias to the list that holds it, is unreadable, with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Unreadable:
    """Why a file could not be read as YAML, and the line to look at."""

    line: int
    message: str


# libyaml's parser where PyYAML was built with it (its wheels are): the whole bank loads in
# 0.02 s instead of 0.14 s, a tenth of `studybot serve`'s start-up. Same nodes, same marks.
Loader = yaml.SafeLoader | yaml.CSafeLoader
LOADER: type[Loader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineMap:
    """YAML data plus the line each key and item starts on."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self._open: list[yaml.Node] = []  # the lists and mappings being built, outermost first

    def line(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def build(self, loader: Loader, node: yaml.Node, path: Path_) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if node in self._open:
                raise yaml.constructor.ConstructorError(
                    None, None, "an alias refers to the list or mapping that holds it", node.start_mark
                )
            self._open.append(node)
            try:
                return self._collection(loader, node, path)
            finally:
                self._open.pop()
        return loader.construct_object(node, deep=True)

    def _collection(self, loader: Loader, node: yaml.Node, path: Path_) -> Any:
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool | None):
                    raise yaml.constructor.ConstructorError(
                        None, None, "a key must be a plain name, not a list or mapping", key_node.start_mark
                    )
                where = (*path, key if isinstance(key, str | int) else str(key))
                self.lines[where] = key_node.start_mark.line + 1
                result[key] = self.build(loader, value_node, where)
            return result
        return [self.build(loader, item, (*path, i)) for i, item in enumerate(node.value)]


def read_yaml(path: Path) -> tuple[Any, LineMap] | Unreadable:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Unreadable(1, f"cannot be read: {error}")
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        lines = LineMap()
        data = lines.build(loader, node, ()) if node is not None else None
    except yaml.YAMLError as error:
        # Where the broken construct began (an unclosed bracket or quote) when the parser says,
        # rather than where it gave up, which differs between libyaml and PyYAML's own parser.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return Unreadable(line, f"is not valid YAML: {getattr(error, 'problem', error)}")
    finally:
        loader.dispose()
    return data, lines
