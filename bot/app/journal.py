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
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.app.outbox import JsonValue, OutboxRunner, Scheduled, finish_rows
from bot.app.urgent import acknowledging
from bot.errors import StorageUnavailable

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
        self._rows: dict[str, asyncio.Future[int | None]] = {}
        self._open: set[int] = set()
        self._begun: list[tuple[Scheduled, asyncio.Future[int | None]]] = []
        self._ended: list[tuple[int, str, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._end_writer: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None

    def begin(
        self, kind: str, key: str, platform: str, payload: Mapping[str, JsonValue]
    ) -> asyncio.Future[int | None]:
        """Start writing the request's row, claimed by this process. The result is the row's
        id, or None if the request was journaled before (delivered twice); an error if its
        transaction failed."""
        row: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        if key in self._rows:
            row.set_result(None)
            return row
        self._rows[key] = row
        self._begun.append((Scheduled(kind, key, platform, self.runner.clock.now(), payload), row))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_begun(), name="journal-writer")
        return row

    async def end(self, key: str, state: str = DONE) -> None:
        """The request was carried out (or its person told why not): mark its row done. A row
        that could not be written, or whose mark fails, is logged (a database fault in one line,
        anything else with its traceback); its lease then runs out and the request is carried
        out again."""
        row = self._rows.pop(key, None)
        if row is None:
            return
        try:
            row_id = await row
            if row_id is None:
                return
            self._open.discard(row_id)
            marked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._ended.append((row_id, state, marked))
            if self._end_writer is None or self._end_writer.done():
                self._end_writer = asyncio.create_task(self._write_ended(), name="journal-marks")
            await marked
        except StorageUnavailable as error:
            log.warning("the journal row of request %s could not be written or marked done (%s)", key, error)
        except Exception:
            log.exception("the journal row of request %s could not be written or marked done", key)

    async def _write_begun(self) -> None:
        """Group commit: the rows begun while one transaction is written go together in the next
        one, with the marks waiting by then (a busy SQLite writer takes one transaction at a
        time, and the answers' batches wait behind each). Acknowledgements wait for these rows:
        their transactions go first."""
        acknowledging()
        while self._begun:
            await self._write(self._begun, self._ended)

    async def _write_ended(self) -> None:
        """The marks of finished requests, when no row begun carries them first: nobody's
        acknowledgement waits for these, so their transactions take their turn after those that
        do, and the marks made meanwhile go together."""
        while self._ended:
            await self._write([], self._ended)

    async def _write(
        self,
        waiting_begun: list[tuple[Scheduled, asyncio.Future[int | None]]],
        waiting_ended: list[tuple[int, str, asyncio.Future[None]]],
    ) -> None:
        """One transaction of the rows begun and the marks waiting now (taken off their lists)."""
        begun, ended = list(waiting_begun), list(waiting_ended)
        waiting_begun.clear()
        waiting_ended.clear()
        now = self.runner.clock.now()
        items = [item for item, _ in begun]
        marks = [(row_id, state, None) for row_id, state, _ in ended]
        write = partial(_journal, items, marks, now, now + self.lease, self.runner.claimer)
        futures = [row for _, row in begun] + [marked for *_, marked in ended]
        try:
            ids = await self.runner.uow.write(write)
        except Exception as error:
            for future in futures:
                if not future.done():
                    future.set_exception(error)
            return
        self._open.update(row_id for row_id in ids if row_id is not None)
        if self._open and (self._keeper is None or self._keeper.done()):
            self._keeper = asyncio.create_task(self._keep_leases(), name="journal-leases")
        for (_, row), row_id in zip(begun, ids, strict=True):
            if not row.done():
                row.set_result(row_id)
        for *_, marked in ended:
            if not marked.done():
                marked.set_result(None)

    async def abandon_open(self) -> int:
        """Stopping, after the people whose requests could not be finished were told: mark those
        requests' rows done, so that no other process carries them out after all."""
        keys = list(self._rows)
        await asyncio.gather(*(self.end(key, ABANDONED) for key in keys))
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
            if not ids:  # every row ended while this one slept
                return
            try:
                await self.runner.uow.write(partial(_extend, self.runner.claimer, ids, lease_until))
            except StorageUnavailable as error:
                log.warning("renewing the leases of %s journaled requests failed (%s)", len(ids), error)
            except Exception:
                log.exception("renewing the leases of %s journaled requests failed", len(ids))


def _extend(claimer: str, ids: list[int], lease_until: datetime, repositories: Repositories) -> None:
    repositories.outbox.extend(ids, claimer, lease_until)


def _journal(
    items: list[Scheduled],
    marks: Sequence[tuple[int, str, object]],
    now: datetime,
    lease_until: datetime,
    claimer: str,
    repositories: Repositories,
) -> list[int | None]:
    """Insert each request's row claimed by `claimer` (None for a request journaled before),
    and mark the finished ones."""
    ids = repositories.outbox.schedule_claimed(items, lease_until, claimer)
    finish_rows(marks, now, repositories)
    return ids
