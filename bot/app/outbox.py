"""The one delivery table (STYLE.md point 11): everything Studybot sends later, delivered once.

A kind of delivery (a reveal, a reminder, a digest, an exam deadline) gives only what differs:
a `DeliveryHandler` that renders and posts one `Due` row. The rest is here, once: a row is
scheduled idempotently by (kind, key); the runner claims due rows with a conditional UPDATE
(pending, due, not leased or lease expired: two processes never both win a row), leases them,
calls the handlers concurrently, and marks each row sent, backs it off for a retry, or drops it.
A row still undelivered when its kind's grace window has passed is marked missed, logged once.
A claimer that dies leaves its lease to run out; the next run anywhere takes the row again.

Exactly once: a row is marked sent in its own one-row transaction as soon as its handler
returns, so a crash repeats a send only if it falls between the platform's answer and that
write (`docs/outbox.md` gives the measured figure).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock
from bot.daily.fanout import FanOut, leases_kept

if TYPE_CHECKING:
    from bot.app.ports import Repositories, UnitOfWork

log = logging.getLogger(__name__)

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]

ANY_PLATFORM = "any"
DEFAULT_LEASE = timedelta(minutes=2)
DEFAULT_GRACE = timedelta(hours=2)
# Rows claimed per statement; a run claims again while it finds full batches.
BATCH = 200


@dataclass(frozen=True)
class Scheduled:
    """One delivery to make once, at `due_at`, by a process that can post to `platform`."""

    kind: str
    key: str
    platform: str
    due_at: datetime
    payload: Mapping[str, JsonValue]


@dataclass(frozen=True)
class Due:
    """A claimed row handed to a handler; `attempts` counts the deliveries tried before this."""

    id: int
    item: Scheduled
    attempts: int


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    DROPPED = "dropped"


class DeliveryHandler(Protocol):
    """What one kind of delivery gives: how to deliver one row. SENT: done. RETRY: a transient
    failure (platform 5xx, rate limit), tried again after a backoff while within the kind's
    grace window. DROPPED: permanent (DMs closed, channel gone), logged and not retried. A
    handler that raises is treated as RETRY."""

    @property
    def kind(self) -> str: ...

    async def deliver(self, due: Due) -> Outcome: ...


def exponential_backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most 10 minutes."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 600))


@dataclass(frozen=True)
class RunReport:
    """What one `run_due` did: row ids by outcome, and the rows found past their grace."""

    sent: tuple[int, ...] = ()
    retried: tuple[int, ...] = ()
    dropped: tuple[int, ...] = ()
    missed: tuple[int, ...] = ()


class OutboxRunner:
    """Claims due rows this process can deliver and hands them to their kind's handler."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        handlers: Iterable[DeliveryHandler] = (),
        platforms: Collection[str] = (),
        lease: timedelta = DEFAULT_LEASE,
        graces: Mapping[str, timedelta] | None = None,
        default_grace: timedelta = DEFAULT_GRACE,
        backoff: Callable[[int], timedelta] = exponential_backoff,
        batch: int = BATCH,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.handlers: dict[str, DeliveryHandler] = {}
        self.graces: dict[str, timedelta] = dict(graces or {})
        self.platforms: set[str] = {ANY_PLATFORM, *platforms}
        self.lease = lease
        self.default_grace = default_grace
        self.backoff = backoff
        self.batch = batch
        self.claimer = uuid.uuid4().hex
        self._run_lock = asyncio.Lock()
        for handler in handlers:
            self.register(handler)

    def register(self, handler: DeliveryHandler, grace: timedelta | None = None) -> None:
        """Deliver `handler.kind` rows with it; late by more than `grace`, a row is missed."""
        self.handlers[handler.kind] = handler
        if grace is not None:
            self.graces[handler.kind] = grace

    def deliver_to(self, platform: str) -> None:
        """This process can post to `platform` (an adapter started): its rows are ours too."""
        self.platforms.add(platform)

    def grace(self, kind: str) -> timedelta:
        return self.graces.get(kind, self.default_grace)

    async def run_due(self) -> RunReport:
        """Deliver every due row of this process's kinds and platforms; one run at a time."""
        async with self._run_lock:
            report = RunReport(missed=tuple(await self._expire()))
            while True:
                claimed = await self._claim()
                if not claimed:
                    return report
                report = _merged(report, await self._deliver(claimed))
                if len(claimed) < self.batch:
                    return report

    async def _expire(self) -> list[int]:
        if not self.handlers:
            return []
        now = self.clock.now()
        graces = {kind: self.grace(kind) for kind in self.handlers}
        missed = await self.uow.write(lambda r: r.outbox.expire(now, graces, sorted(self.platforms)))
        for row_id, item in missed:
            log.warning(
                "%s %s for %s due at %s missed: not delivered within %s",
                item.kind,
                row_id,
                item.key,
                item.due_at.isoformat(),
                self.grace(item.kind),
            )
        return [row_id for row_id, _ in missed]

    async def _claim(self) -> list[Due]:
        if not self.handlers:
            return []
        now = self.clock.now()
        return await self.uow.write(
            lambda r: r.outbox.claim(
                sorted(self.handlers), sorted(self.platforms), now, now + self.lease, self.claimer, self.batch
            )
        )

    async def _deliver(self, claimed: list[Due]) -> RunReport:
        unsent = {due.id for due in claimed}
        sender: FanOut[Due, Outcome] = FanOut(_pacing_key, partial(self._deliver_one, unsent))
        async with leases_kept(
            self.uow, self.clock, self.lease, unsent, partial(_extend_leases, self.claimer)
        ):
            sender.submit(claimed)
            outcomes = await sender.results()
        by_outcome: dict[Outcome, list[int]] = {outcome: [] for outcome in Outcome}
        for due, outcome in zip(claimed, outcomes, strict=True):
            by_outcome[outcome].append(due.id)
        return RunReport(
            tuple(by_outcome[Outcome.SENT]),
            tuple(by_outcome[Outcome.RETRY]),
            tuple(by_outcome[Outcome.DROPPED]),
        )

    async def _deliver_one(self, unsent: set[int], due: Due) -> Outcome:
        try:
            outcome = await self._attempt(due)
            try:
                await self.uow.write(partial(self._record, due, outcome))
            except Exception:
                # The lease runs out and the row is tried again: for SENT that is the duplicate
                # window the module docstring names, widened by the database's outage.
                log.exception("%s %s: outcome %s not recorded", due.item.kind, due.id, outcome.value)
                return Outcome.RETRY
            return outcome
        finally:
            unsent.discard(due.id)

    async def _attempt(self, due: Due) -> Outcome:
        handler = self.handlers[due.item.kind]
        try:
            outcome = await handler.deliver(due)
        except Exception:
            log.exception("%s %s for %s failed; retrying later", due.item.kind, due.id, due.item.key)
            return Outcome.RETRY
        if outcome is Outcome.DROPPED:
            log.warning(
                "%s %s for %s dropped: it can never be delivered", due.item.kind, due.id, due.item.key
            )
        return outcome

    def _record(self, due: Due, outcome: Outcome, repositories: Repositories) -> None:
        now = self.clock.now()
        if outcome is Outcome.RETRY:
            retry_at = now + self.backoff(due.attempts + 1)
            repositories.outbox.retry(due.id, self.claimer, retry_at)
        else:
            repositories.outbox.finish(due.id, outcome.value, now)


def _pacing_key(due: Due) -> str:
    """Rows take turns per workspace (a platform's rate limits are per workspace)."""
    return f"{due.item.platform}/{due.item.payload.get('workspace', '')}"


def _extend_leases(claimer: str, ids: list[int], lease_until: datetime, repositories: Repositories) -> None:
    repositories.outbox.extend(ids, claimer, lease_until)


def _merged(first: RunReport, second: RunReport) -> RunReport:
    return RunReport(
        first.sent + second.sent,
        first.retried + second.retried,
        first.dropped + second.dropped,
        first.missed + second.missed,
    )
