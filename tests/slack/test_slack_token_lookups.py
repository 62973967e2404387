"""Bot tokens for a fan-out: the lookups asked for together are made in one query."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

import pytest

from adapters.slack.token_lookups import TokenLookups
from tests.conftest import yield_until


class Store:
    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens
        self.queries: list[list[str]] = []
        self.answer = asyncio.Event()
        self.answer.set()
        self.broken = False

    async def bot_tokens(self, team_ids: Collection[str]) -> dict[str, str]:
        self.queries.append(sorted(team_ids))
        await self.answer.wait()
        if self.broken:
            raise ConnectionError("database gone")
        return {team: self.tokens[team] for team in team_ids if team in self.tokens}


async def test_lookups_asked_for_together_are_one_query() -> None:
    store = Store({f"T{n}": f"xoxb-{n}" for n in range(100)})
    lookups = TokenLookups(store)
    asked = [lookups.token(f"T{n}") for n in range(100)] + [lookups.token("T3"), lookups.token("TX")]
    tokens = await asyncio.gather(*asked)
    assert tokens == [f"xoxb-{n}" for n in range(100)] + ["xoxb-3", None]
    assert len(store.queries) == 1 and len(store.queries[0]) == 101


async def test_a_lookup_under_way_is_shared_unless_a_fresh_one_is_asked_for() -> None:
    store = Store({"T1": "xoxb-old"})
    store.answer.clear()
    lookups = TokenLookups(store)
    first = lookups.token("T1")
    await yield_until(lambda: store.queries, "the first query")
    shared = lookups.token("T1")
    fresh = lookups.token("T1", fresh=True)
    assert shared is first and fresh is not first
    store.tokens["T1"] = "xoxb-new"
    store.answer.set()
    assert await asyncio.gather(first, fresh) == ["xoxb-new", "xoxb-new"]
    assert store.queries == [["T1"], ["T1"]]


async def test_a_failed_lookup_fails_each_waiter_and_the_next_one_asks_again() -> None:
    store = Store({"T1": "xoxb-1"})
    store.broken = True
    lookups = TokenLookups(store)
    for answer in asyncio.as_completed([lookups.token("T1"), lookups.token("T2")]):
        with pytest.raises(ConnectionError):
            await answer
    store.broken = False
    assert await lookups.token("T1") == "xoxb-1"
