"""Requests made one at a time, answered many at a time.

Many deliveries run at once (the outbox runner sends a claimed batch concurrently), and each
needs a little of the database: one transaction each costs far more than the rows it reads or
writes (a hop to the database thread, a BEGIN and a COMMIT). Here a request waits while the group
before it is being answered; everything asked meanwhile is answered next, together, by one call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")

GROUP = 500
"""Requests answered by one call at most (a statement's bound parameters stay within limits)."""


class Gathered(Generic[Key, Value]):
    """`await gathered(key)`: the value `answer_all` gives for `key`, where `answer_all` answers
    every request waiting when it was called (at most `most`), in their order. A failure of
    `answer_all` is raised to each caller of its group; the next group is answered anyway."""

    def __init__(
        self, answer_all: Callable[[Sequence[Key]], Awaitable[Sequence[Value]]], most: int = GROUP
    ) -> None:
        self.answer_all = answer_all
        self.most = most
        self._waiting: list[tuple[Key, asyncio.Future[Value]]] = []
        self._answering: asyncio.Task[None] | None = None

    async def __call__(self, key: Key) -> Value:
        answer: asyncio.Future[Value] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, answer))
        if self._answering is None or self._answering.done():
            self._answering = asyncio.create_task(self._answer())
        return await answer

    async def _answer(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting[: self.most], self._waiting[self.most :]
            try:
                values = list(await self.answer_all([key for key, _ in group]))
                if len(values) != len(group):
                    raise ValueError(f"{len(values)} answers to {len(group)} requests")
            except asyncio.CancelledError:
                for _, answer in group + self._waiting:
                    answer.cancel()
                self._waiting = []
                raise
            except Exception as error:
                for _, answer in group:
                    if not answer.done():
                        answer.set_exception(error)
                continue
            for (_, answer), value in zip(group, values, strict=True):
                if not answer.done():
                    answer.set_result(value)
