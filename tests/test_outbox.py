"""The delivery table: scheduled once, claimed once across processes, retried, dropped, missed
after its grace, recovered after a dead claimer's lease, delivered only where it can be."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import Connection, text

from bot.app.outbox import Due, OutboxRunner, Outcome, Scheduled
from bot.app.outbox_job import JOB_ID, OutboxJob
from bot.app.ports import Repositories, UnitOfWork
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.db.outbox import SqlOutbox
from bot.db.unit_of_work import SqlUnitOfWork
from tests.conftest import FrozenClock, reset_postgres
from tests.memory import MemoryUnitOfWork

pytestmark = pytest.mark.timeout(60)


class Recorder:
    """A handler that answers with the outcomes it is given, in turn (SENT once they run out)."""

    def __init__(self, kind: str = "reveal", *outcomes: Outcome) -> None:
        self.kind = kind
        self.outcomes = list(outcomes)
        self.seen: list[Due] = []

    async def deliver(self, due: Due) -> Outcome:
        self.seen.append(due)
        return self.outcomes.pop(0) if self.outcomes else Outcome.SENT


class Exploding:
    kind = "reveal"

    async def deliver(self, due: Due) -> Outcome:
        raise RuntimeError("platform said 500")


def item(
    clock: FrozenClock, key: str, platform: str = "slack", kind: str = "reveal", **late: float
) -> Scheduled:
    return Scheduled(kind, key, platform, clock.now() - timedelta(**late), {"workspace": "T1", "n": [1, "x"]})


async def schedule(uow: UnitOfWork, *items: Scheduled) -> list[bool]:
    return await uow.write(lambda r: [r.outbox.schedule(i) for i in items])


def runner(
    uow: UnitOfWork, clock: FrozenClock, *handlers: Recorder | Exploding, **kwargs: object
) -> OutboxRunner:
    return OutboxRunner(uow, clock, handlers, platforms={"slack"}, **kwargs)  # type: ignore[arg-type]


async def test_scheduling_is_idempotent_and_cancellable(uow: UnitOfWork, clock: FrozenClock) -> None:
    first, second = item(clock, "slack:T1:C1:2026-11-18"), item(clock, "slack:T1:C2:2026-11-18")
    assert await schedule(uow, first, second, first) == [True, True, False]
    pending = await uow.read(lambda r: r.outbox.pending("reveal", "slack:T1:"))
    assert [p.key for p in pending] == [first.key, second.key]
    assert pending[0].payload == {"workspace": "T1", "n": [1, "x"]}
    assert pending[0].due_at == first.due_at
    assert await uow.write(lambda r: r.outbox.cancel("reveal", "slack:T1:C1")) == 1
    assert [p.key for p in await uow.read(lambda r: r.outbox.pending("reveal", ""))] == [second.key]
    # A delivered row keeps its key: scheduling it again does nothing.
    await runner(uow, clock, Recorder()).run_due()
    assert await schedule(uow, second) == [False]
    assert await uow.read(lambda r: r.outbox.pending("reveal", "")) == []


async def test_rows_scheduled_claimed_are_leased_to_their_claimer_once_per_key(
    uow: UnitOfWork, clock: FrozenClock
) -> None:
    """A journal's group commit: the rows inserted already claimed, in one statement."""
    earlier, first, second = (item(clock, key, kind="journaled") for key in ("k0", "k1", "k2"))
    assert await schedule(uow, earlier) == [True]
    lease_until = clock.now() + timedelta(seconds=60)
    ids = await uow.write(lambda r: r.outbox.schedule_claimed([second, earlier, first], lease_until, "me"))
    assert ids[1] is None and ids[0] is not None and ids[2] is not None and ids[0] != ids[2]
    # Leased to "me": no other claimer takes them before the lease runs out; the earlier row is.
    taken = await uow.write(
        lambda r: r.outbox.claim_keys("journaled", ["k0", "k1", "k2"], clock.now(), lease_until, "other")
    )
    assert [due.item.key for due in taken] == ["k0"]
    clock.advance(seconds=61)
    later = clock.now() + timedelta(seconds=60)
    retaken = await uow.write(
        lambda r: r.outbox.claim_keys("journaled", ["k1", "k2"], clock.now(), later, "other")
    )
    assert {due.id: due.item.key for due in retaken} == {ids[2]: "k1", ids[0]: "k2"}
    assert retaken[0].item.payload == {"workspace": "T1", "n": [1, "x"]}


async def test_a_row_not_yet_due_waits(uow: UnitOfWork, clock: FrozenClock) -> None:
    await schedule(uow, item(clock, "later", minutes=-5))
    handler = Recorder()
    assert (await runner(uow, clock, handler).run_due()).sent == ()
    clock.advance(minutes=5)
    assert len((await runner(uow, clock, handler).run_due()).sent) == 1


@pytest.mark.timeout(120)
async def test_two_processes_claim_each_row_once(database: Database, clock: FrozenClock) -> None:
    """Two runners on two engines (two processes' worth) race for 450 rows: each is sent once."""
    other = Database(database.url)
    try:
        uows = [SqlUnitOfWork(database), SqlUnitOfWork(other)]
        await schedule(uows[0], *(item(clock, f"k{n}") for n in range(450)))
        handlers = [Recorder(), Recorder()]
        runners = [runner(u, clock, h, batch=50) for u, h in zip(uows, handlers, strict=True)]
        reports = await asyncio.gather(*(r.run_due() for r in runners))
        delivered = Counter(due.item.key for h in handlers for due in h.seen)
        assert len(delivered) == 450 and set(delivered.values()) == {1}
        assert sum(len(report.sent) for report in reports) == 450
        assert await asyncio.gather(*(r.run_due() for r in runners)) == [reports[0].__class__()] * 2
    finally:
        await other.dispose()


async def test_a_failure_is_retried_after_a_backoff_then_sent(uow: UnitOfWork, clock: FrozenClock) -> None:
    await schedule(uow, item(clock, "k"))
    handler = Recorder("reveal", Outcome.RETRY, Outcome.RETRY)
    run = runner(uow, clock, handler)
    assert len((await run.run_due()).retried) == 1
    assert (await run.run_due()).retried == ()  # backing off: not claimed again yet
    clock.advance(seconds=30)
    assert len((await run.run_due()).retried) == 1
    clock.advance(seconds=59)
    assert (await run.run_due()).sent == ()
    clock.advance(seconds=1)
    assert len((await run.run_due()).sent) == 1
    assert [due.attempts for due in handler.seen] == [0, 1, 2]
    clock.advance(hours=1)
    assert (await run.run_due()).sent == ()


async def test_a_handler_that_raises_is_retried(uow: UnitOfWork, clock: FrozenClock) -> None:
    await schedule(uow, item(clock, "k"))
    assert len((await runner(uow, clock, Exploding()).run_due()).retried) == 1
    clock.advance(minutes=1)
    handler = Recorder()
    assert len((await runner(uow, clock, handler).run_due()).sent) == 1
    assert handler.seen[0].attempts == 1


async def test_a_dropped_row_is_not_tried_again(uow: UnitOfWork, clock: FrozenClock) -> None:
    await schedule(uow, item(clock, "k"))
    handler = Recorder("reveal", Outcome.DROPPED)
    assert len((await runner(uow, clock, handler).run_due()).dropped) == 1
    clock.advance(minutes=30)
    assert (await runner(uow, clock, handler).run_due()) == (await runner(uow, clock).run_due())
    assert len(handler.seen) == 1
    assert await uow.read(lambda r: r.outbox.pending("reveal", "")) == []


async def test_a_dead_claimers_row_is_recovered_when_its_lease_runs_out(
    uow: UnitOfWork, clock: FrozenClock
) -> None:
    await schedule(uow, item(clock, "k"))
    lease_until = clock.now() + timedelta(minutes=2)

    def dead_claim(r: Repositories) -> list[Due]:
        return r.outbox.claim(["reveal"], ["slack"], clock.now(), lease_until, "dead-process", 10)

    assert len(await uow.write(dead_claim)) == 1
    handler = Recorder()
    run = runner(uow, clock, handler)
    clock.advance(minutes=1)
    assert (await run.run_due()).sent == ()
    clock.advance(minutes=1, seconds=1)
    assert len((await run.run_due()).sent) == 1
    assert [due.item.key for due in handler.seen] == ["k"]


async def test_a_row_past_its_kinds_grace_is_missed_and_logged_once(
    uow: UnitOfWork, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    await schedule(uow, item(clock, "old", minutes=31), item(clock, "recent", minutes=29))
    await schedule(uow, item(clock, "digest", kind="digest", minutes=31))
    reveals, digests = Recorder(), Recorder("digest")
    run = runner(uow, clock, reveals)
    run.register(digests, grace=timedelta(hours=1))
    run.graces["reveal"] = timedelta(minutes=30)
    with caplog.at_level(logging.WARNING, logger="bot.app.outbox"):
        report = await run.run_due()
        assert len(report.missed) == 1 and len(report.sent) == 2
        assert (await run.run_due()).missed == ()
    assert sorted(due.item.key for due in reveals.seen + digests.seen) == ["digest", "recent"]
    assert [r.getMessage() for r in caplog.records if "missed" in r.getMessage()] == [
        f"reveal {report.missed[0]} for old due at {item(clock, 'old', minutes=31).due_at.isoformat()} "
        "missed: not delivered within 0:30:00"
    ]


async def test_a_retry_stops_at_the_grace_window(uow: UnitOfWork, clock: FrozenClock) -> None:
    await schedule(uow, item(clock, "k", minutes=1))
    run = runner(uow, clock, Exploding(), graces={"reveal": timedelta(minutes=2)})
    assert len((await run.run_due()).retried) == 1
    clock.advance(minutes=1, seconds=1)
    assert len((await run.run_due()).missed) == 1


async def test_only_platforms_this_process_can_post_to_are_delivered(
    uow: UnitOfWork, clock: FrozenClock
) -> None:
    await schedule(uow, item(clock, "s", "slack"), item(clock, "d", "discord"), item(clock, "a", "any"))
    slack_only = Recorder()
    assert len((await runner(uow, clock, slack_only).run_due()).sent) == 2
    assert sorted(due.item.key for due in slack_only.seen) == ["a", "s"]
    # A process without Discord never marks Discord's rows missed either.
    clock.advance(hours=3)
    assert (await runner(uow, clock, Recorder()).run_due()).missed == ()
    discord = OutboxRunner(uow, clock, [Recorder()], platforms={"discord"}, default_grace=timedelta(days=1))
    assert len((await discord.run_due()).sent) == 1


async def test_kinds_without_a_handler_here_are_left_alone(uow: UnitOfWork, clock: FrozenClock) -> None:
    await schedule(uow, item(clock, "k", kind="exam_deadline", hours=5))
    assert await runner(uow, clock, Recorder()).run_due() == await runner(uow, clock).run_due()
    assert len(await uow.read(lambda r: r.outbox.pending("exam_deadline", ""))) == 1


async def test_the_job_runs_through_apschedulers_public_api(clock: FrozenClock) -> None:
    uow = MemoryUnitOfWork()
    await schedule(uow, item(clock, "k"))
    handler = Recorder()
    job = OutboxJob(runner(uow, clock, handler), every_seconds=3600)
    job.start()
    try:
        scheduled = job.scheduler.get_job(JOB_ID)
        assert scheduled is not None and scheduled.trigger.interval == timedelta(hours=1)
        assert job.ready()
        await job.tick()
        assert len(handler.seen) == 1
    finally:
        await job.stop()


@pytest.mark.postgres
async def test_a_claim_racing_an_uncommitted_one_takes_nothing_on_postgresql(
    clock: FrozenClock, postgres_run_url: str
) -> None:
    """The second claimer reads the same candidates while the first has not committed, waits on
    their row locks, then re-checks its WHERE against the committed rows and takes none."""
    url = postgres_run_url
    await reset_postgres(url)
    database = Database(url)
    try:
        await upgrade(database)
        await schedule(SqlUnitOfWork(database), *(item(clock, f"k{n}") for n in range(5)))
        lease_until = clock.now() + timedelta(minutes=2)

        def claim(claimer: str, connection: Connection) -> list[Due]:
            return SqlOutbox(connection).claim(["reveal"], ["slack"], clock.now(), lease_until, claimer, 10)

        async with database.engine.connect() as first:
            await first.begin()
            assert len(await first.run_sync(partial(claim, "first"))) == 5
            second = asyncio.create_task(database.write(partial(claim, "second")))
            await wait_for_a_lock_wait(database, second)
            await first.commit()
        assert await second == []
    finally:
        await database.dispose()


async def wait_for_a_lock_wait(database: Database, waiter: asyncio.Task[list[Due]]) -> None:
    """Until some other session of this database waits on a row lock (or the waiter ended)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    # Autocommit: PostgreSQL keeps one snapshot of pg_stat_activity for a whole transaction.
    async with database.engine.connect() as connection:
        watcher = await connection.execution_options(isolation_level="AUTOCOMMIT")
        while not (await watcher.execute(query)).scalar() and not waiter.done():
            await asyncio.sleep(0.01)


class CountingWrites:
    """A unit of work that counts its write transactions."""

    def __init__(self, inner: UnitOfWork) -> None:
        self.inner = inner
        self.writes = 0

    async def read(self, work: object) -> object:
        return await self.inner.read(work)  # type: ignore[arg-type]

    async def write(self, work: object) -> object:
        self.writes += 1
        return await self.inner.write(work)  # type: ignore[arg-type]


async def test_outcomes_are_recorded_in_batches_once_the_platform_answered(
    uow: UnitOfWork, clock: FrozenClock
) -> None:
    """Forty rows sent at once (one per workspace) are recorded in a few transactions, not forty;
    and no row is marked sent before its handler answered."""
    due_at = clock.now() - timedelta(seconds=1)
    await schedule(
        uow, *(Scheduled("reveal", f"k{n:02d}", "slack", due_at, {"workspace": f"T{n}"}) for n in range(40))
    )
    counted = CountingWrites(uow)
    entered, everyone_in, answered = [], asyncio.Event(), asyncio.Event()

    class Held:
        kind = "reveal"

        async def deliver(self, due: Due) -> Outcome:
            pending = await uow.read(lambda r: r.outbox.pending("reveal", due.item.key))
            entered.append(pending == [due.item])
            if len(entered) == 40:
                everyone_in.set()
            await answered.wait()
            return Outcome.SENT

    run = asyncio.create_task(runner(counted, clock, Held()).run_due())  # type: ignore[arg-type]
    await everyone_in.wait()
    writes_before_answers = counted.writes
    answered.set()
    report = await run
    assert entered == [True] * 40
    assert len(report.sent) == 40
    assert await uow.read(lambda r: r.outbox.pending("reveal", "")) == []
    assert counted.writes - writes_before_answers <= 3
