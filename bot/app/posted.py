"""Posted questions as the answer path reads them: each instance's fixed facts read once and
shared by every click on it."""

from __future__ import annotations

import asyncio

from bot.app.ports import PostedQuestion, UnitOfWork

CACHE_SIZE = 10_000


class PostedQuestions:
    def __init__(self, uow: UnitOfWork, size: int = CACHE_SIZE) -> None:
        self.uow = uow
        self.size = size
        self._loading: dict[int, asyncio.Future[PostedQuestion | None]] = {}

    async def fresh(self, instance_id: int) -> PostedQuestion | None:
        """The instance as it stands now."""
        return await self.uow.read(lambda r: r.posts.get(instance_id))

    async def shared(self, instance_id: int) -> PostedQuestion | None:
        """An instance's fixed facts (channel, question, mode...), read once and shared by every
        click on it, even by the many that arrive before the first read returns.

        `revealed_at` and `answer_count` in the cached row go stale; the recorder reads them
        fresh in its transaction.
        """
        loading = self._loading.get(instance_id)
        if loading is None:
            if len(self._loading) >= self.size:
                self._loading.pop(next(iter(self._loading)))
            loading = asyncio.ensure_future(self.fresh(instance_id))
            self._loading[instance_id] = loading
        try:
            row = await asyncio.shield(loading)
        except BaseException:
            self._loading.pop(instance_id, None)
            raise
        if row is None:
            self._loading.pop(instance_id, None)
        return row
