"""The one delivery table (STYLE.md point 11): everything Studybot sends later, delivered once.

A kind of delivery (a reveal, a reminder, a digest, an exam deadline) gives only what differs:
a `DeliveryHandler` that renders and posts one `Due` row. The rest is here, once: a row is
scheduled idempotently by (kind, key); the runner claims due rows with a conditional UPDATE
(pending, due, not leased or lease expired: two processes never both win a row), leases them,
calls the handlers concurrently, and marks each row sent, backs it off for a retry, or drops it.
A row still undelivered when its kind's grace window has passed is marked missed, logged once.
A claimer that dies leaves its lease to run out; the next run anywhere takes the row again.

Exactly once: a row is marked sent (or dropped) only after its handler returned, in batches
(group commit, `bot.daily.fanout.PostedMarks`: what arrived while one batch was being written
makes the next), so a crash repeats a send only if it falls between the platform's answer and
the commit of that row's batch (`docs/outbox.md` gives the measured figure). A retry is
written at once, one row: it is rare, and it needs the row's attempts for its backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock
from bot.daily.fanout import FanOut, PostedMarks, leases_kept
from bot.metrics import DELIVERY_UNRECORDED

if TYPE_CHECKING:
    from bot.app.ports import Repositories, UnitOfWork

log = logging.getLogger(__name__)

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]

ANY_PLATFORM = "any"
DEFAULT_LEASE = timedelta(minutes=2)
DEFAULT_GRACE = timedelta(hours=2)
# Rows claimed per statement; a run claims again while it finds full batches.
BATCH = 200
# Rows claimed and not yet delivered, at most: a run claims the next batch while earlier ones are
# still being sent (issue 17's reminders: waiting for each batch's slowest workspace before
# claiming the next made 10,000 reminders in 100 workspaces take four times the rate floor).
IN_FLIGHT = 5_000


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
        in_flight: int = IN_FLIGHT,
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
        self.in_flight = max(in_flight, batch)
        self.claimer = uuid.uuid4().hex
        self.claiming = True
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

    def stop_claiming(self) -> None:
        """Stopping: runs claim no more rows (a run under way sends what it holds)."""
        self.claiming = False

    def grace(self, kind: str) -> timedelta:
        return self.graces.get(kind, self.default_grace)

    async def run_due(self) -> RunReport:
        """Deliver every due row of this process's kinds and platforms; one run at a time."""
        async with self._run_lock:
            if not self.handlers or not self.claiming:
                return RunReport()
            now, kinds, platforms = self.clock.now(), sorted(self.handlers), sorted(self.platforms)
            # Nearly always nothing is due: find that out without taking the writer.
            if not await self.uow.read(lambda r: r.outbox.any_due(kinds, platforms, now)):
                return RunReport()
            report = RunReport(missed=tuple(await self._expire()))
            claimed = await self._claim()
            return _merged(report, await self._deliver(claimed, more=True)) if claimed else report

    async def deliver_now(self, kind: str, keys: Sequence[str]) -> RunReport:
        """Claim these rows of `kind` now, due or not, and deliver them: for a sender that
        needs them in its own order (a reveal just before the next question). What another
        claimer holds, or is delivered already, is left alone."""
        if not keys:
            return RunReport()
        now = self.clock.now()
        claimed = await self.uow.write(
            lambda r: r.outbox.claim_keys(kind, keys, now, now + self.lease, self.claimer)
        )
        return await self._deliver(claimed, more=False) if claimed else RunReport()

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

    async def _deliver(self, first: list[Due], more: bool) -> RunReport:
        """Send `first`; with `more`, while a batch came full, claim the next due rows while
        earlier ones are still being sent (at most `in_flight` unsent at once), so one
        workspace's slow batch does not hold every other workspace back."""
        unsent: set[int] = set()
        claimed: list[Due] = []
        finished = PostedMarks(self.uow, self.clock, write=finish_rows, kind=None)
        sender: FanOut[Due, Outcome] = FanOut(_pacing_key, partial(self._deliver_one, finished, unsent))
        async with leases_kept(
            self.uow, self.clock, self.lease, unsent, partial(_extend_leases, self.claimer)
        ):
            batch = first
            while True:
                unsent.update(due.id for due in batch)
                claimed.extend(batch)
                sender.submit(batch)
                if not more or not self.claiming or len(batch) < self.batch:
                    break
                await sender.left_at_most(self.in_flight - self.batch)
                batch = await self._claim() if self.claiming else []
            outcomes = await sender.results()
        by_outcome: dict[Outcome, list[int]] = {outcome: [] for outcome in Outcome}
        for due, outcome in zip(claimed, outcomes, strict=True):
            by_outcome[outcome].append(due.id)
        return RunReport(
            tuple(by_outcome[Outcome.SENT]),
            tuple(by_outcome[Outcome.RETRY]),
            tuple(by_outcome[Outcome.DROPPED]),
        )

    async def _deliver_one(self, finished: PostedMarks, unsent: set[int], due: Due) -> Outcome:
        try:
            outcome = await self._attempt(due)
            answered = time.perf_counter()
            try:
                await self._record(finished, due, outcome)
                if outcome is Outcome.SENT:
                    DELIVERY_UNRECORDED.labels(kind=due.item.kind).observe(time.perf_counter() - answered)
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

    async def _record(self, finished: PostedMarks, due: Due, outcome: Outcome) -> None:
        if outcome is Outcome.RETRY:
            retry_at = self.clock.now() + self.backoff(due.attempts + 1)
            await self.uow.write(lambda r: r.outbox.retry(due.id, self.claimer, retry_at))
        else:
            await finished.mark(due.id, outcome.value)


def _pacing_key(due: Due) -> str:
    """Rows take turns per workspace (a platform's rate limits are per workspace)."""
    return f"{due.item.platform}/{due.item.payload.get('workspace', '')}"


def finish_rows(batch: Sequence[tuple[int, str, object]], now: datetime, repositories: Repositories) -> None:
    """Write a batch of (row id, "sent" or "dropped") in one transaction."""
    by_state: dict[str, list[int]] = {}
    for row_id, state, _ in batch:
        by_state.setdefault(state, []).append(row_id)
    for state, ids in by_state.items():
        repositories.outbox.finish_many(ids, state, now)


def _extend_leases(claimer: str, ids: list[int], lease_until: datetime, repositories: Repositories) -> None:
    repositories.outbox.extend(ids, claimer, lease_until)


def _merged(first: RunReport, second: RunReport) -> RunReport:
    return RunReport(
        first.sent + second.sent,
        first.retried + second.retried,
        first.dropped + second.dropped,
        first.missed + second.missed,
    )
