"""Requests journaled before they are acknowledged (issue 13, point 1: an acknowledgement is a
promise), in the one delivery table (`bot.app.outbox`).

An adapter that is about to tell a platform "received" writes the request as a row of the
delivery table first, already claimed by this process with a lease (`begin`), carries it out,
then marks the row done (`end`, group-committed like every delivery mark). While the request
waits and runs, the lease is renewed. If the process dies in between, the lease runs out and
the delivery runner of any process that can post to the platform claims the row like any due
delivery and hands it to the platform's handler for that kind, which carries the request out
(or tells its person it could not be), within the kind's grace window.

The row is keyed by the platform's id of the request, so a request delivered twice is journaled
(and carried out) once. A crash after the request's effect and before `end` is committed
carries it out again: the delivery table's duplicate window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.app.outbox import JsonValue, OutboxRunner, Scheduled, finish_rows
from bot.daily.fanout import PostedMarks

if TYPE_CHECKING:
    from bot.app.ports import Repositories

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(seconds=60)
DONE = "sent"
ABANDONED = "dropped"


class RequestJournal:
    def __init__(self, runner: OutboxRunner, lease: timedelta = DEFAULT_LEASE) -> None:
        self.runner = runner
        self.lease = lease
        self._rows: dict[str, asyncio.Task[int | None]] = {}
        self._open: set[int] = set()
        self._marks = PostedMarks(runner.uow, runner.clock, write=finish_rows, kind=None)
        self._keeper: asyncio.Task[None] | None = None

    def begin(
        self, kind: str, key: str, platform: str, payload: Mapping[str, JsonValue]
    ) -> asyncio.Future[int | None]:
        """Start writing the request's row, claimed by this process. The result is the row's
        id, or None if the request was journaled before (delivered twice); it raises if the
        database refused the row."""
        if key in self._rows:
            again: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
            again.set_result(None)
            return again
        now = self.runner.clock.now()
        item = Scheduled(kind, key, platform, now, payload)
        claimer, lease_until = self.runner.claimer, now + self.lease

        def write(repositories: Repositories) -> int | None:
            if not repositories.outbox.schedule(item):
                return None
            [due] = repositories.outbox.claim_keys(kind, [key], now, lease_until, claimer)
            return due.id

        task = asyncio.ensure_future(self._journaled(write))
        self._rows[key] = task
        return task

    async def _journaled(self, write: Callable[[Repositories], int | None]) -> int | None:
        row_id = await self.runner.uow.write(write)
        if row_id is not None:
            self._open.add(row_id)
            if self._keeper is None or self._keeper.done():
                self._keeper = asyncio.create_task(self._keep_leases(), name="journal-leases")
        return row_id

    async def end(self, key: str, state: str = DONE) -> None:
        """The request was carried out (or its person told why not): mark its row done. A row
        that could not be written, or whose mark fails, is logged; its lease then runs out and
        the request is carried out again."""
        task = self._rows.pop(key, None)
        if task is None:
            return
        try:
            row_id = await task
            if row_id is None:
                return
            self._open.discard(row_id)
            await self._marks.mark(row_id, state)
        except Exception:
            log.exception("the journal row of request %s could not be written or marked done", key)

    async def abandon_open(self) -> int:
        """Stopping, after the people whose requests could not be finished were told: mark those
        requests' rows done, so that no other process carries them out after all."""
        keys = list(self._rows)
        for key in keys:
            await self.end(key, ABANDONED)
        self.close()
        return len(keys)

    def close(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()

    async def _keep_leases(self) -> None:
        """Renew the leases of the rows under way every third of a lease, until none is."""
        while self._open:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            lease_until, ids = self.runner.clock.now() + self.lease, sorted(self._open)
            try:
                await self.runner.uow.write(partial(_extend, self.runner.claimer, ids, lease_until))
            except Exception:
                log.exception("renewing the leases of %s journaled requests failed", len(ids))


def _extend(claimer: str, ids: list[int], lease_until: datetime, repositories: Repositories) -> None:
    repositories.outbox.extend(ids, claimer, lease_until)
