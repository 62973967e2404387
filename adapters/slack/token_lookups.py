"""Bot tokens for the question of the day, looked up many workspaces at a time.

A fan-out starts posting to a hundred workspaces in the same moment, each needing its bot token
from the installation store. Looked up one by one, the last workspace waits for the ninety-nine
before it (half a second, seen in the benchmarks) before its first post. Here the lookups asked
for while the event loop runs one turn are made together, in one query; a workspace whose lookup
is under way waits for that one rather than asking again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Protocol


class BotTokens(Protocol):
    async def bot_tokens(self, team_ids: Collection[str]) -> dict[str, str]:
        """The current bot token of each of these workspaces that has one."""
        ...


class TokenLookups:
    def __init__(self, store: BotTokens) -> None:
        self.store = store
        self._asked: dict[str, asyncio.Future[str | None]] = {}
        self._under_way: dict[str, asyncio.Future[str | None]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def token(self, workspace: str, fresh: bool = False) -> asyncio.Future[str | None]:
        """The workspace's token (None: not installed). `fresh` asks the store anew rather than
        sharing a lookup that was under way already (it may have read a token since refused)."""
        if workspace in self._asked:
            return self._asked[workspace]
        if not fresh and workspace in self._under_way:
            return self._under_way[workspace]
        loop = asyncio.get_running_loop()
        if not self._asked:
            loop.call_soon(self._look_up)
        answer: asyncio.Future[str | None] = loop.create_future()
        self._asked[workspace] = answer
        return answer

    def _look_up(self) -> None:
        asked, self._asked = self._asked, {}
        self._under_way.update(asked)
        lookup = asyncio.create_task(self._answer(asked))
        self._running.add(lookup)
        lookup.add_done_callback(self._running.discard)

    async def _answer(self, asked: dict[str, asyncio.Future[str | None]]) -> None:
        try:
            tokens = await self.store.bot_tokens(list(asked))
        except Exception as error:
            for answer in asked.values():
                answer.set_exception(error)
        else:
            for workspace, answer in asked.items():
                answer.set_result(tokens.get(workspace))
        finally:
            for workspace, answer in asked.items():
                if self._under_way.get(workspace) is answer:
                    del self._under_way[workspace]
