"""Topic matching: ids, aliases and names, case-insensitive, with suggestions on a typo."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from bot.questions import Topic

SUGGESTION_CUTOFF = 60
COMPLETION_CUTOFF = 40
_PREFIXES = ("amazon-", "aws-")


def normalize(text: str) -> str:
    """'Amazon  ECS' -> 'ecs'; 'step functions' -> 'step-functions'."""
    key = re.sub(r"[\s_/]+", "-", text.strip().casefold()).strip("-")
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
    return key


class TopicIndex:
    def __init__(self, topics: Iterable[Topic]) -> None:
        self.topics = tuple(topics)
        self._by_key: dict[str, Topic] = {}
        for topic in self.topics:
            for key in (topic.id, *topic.aliases, topic.name):
                self._by_key.setdefault(normalize(key), topic)

    def resolve(self, query: str) -> Topic | None:
        return self._by_key.get(normalize(query))

    def _ranked(self, key: str, cutoff: int) -> list[str]:
        found = process.extract(key, list(self._by_key), scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
        return [self._by_key[k].id for k, _score, _i in found]

    def suggest(self, query: str, limit: int = 3) -> tuple[str, ...]:
        """The topic ids nearest to a query that matched nothing, best first."""
        return tuple(dict.fromkeys(self._ranked(normalize(query), SUGGESTION_CUTOFF)))[:limit]

    def complete(self, prefix: str, limit: int = 25) -> tuple[Topic, ...]:
        """Topics for an autocomplete box: prefix matches first, then near matches."""
        key = normalize(prefix)
        if not key:
            return self.topics[:limit]
        starts = [t.id for k, t in self._by_key.items() if k.startswith(key)]
        ids = dict.fromkeys([*starts, *self._ranked(key, COMPLETION_CUTOFF)])
        by_id = {t.id: t for t in self.topics}
        return tuple(by_id[i] for i in ids)[:limit]
