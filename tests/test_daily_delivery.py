"""Issue 13 point 4 on one process: the question of the day's reveals go through the delivery
table (retried, never marked revealed before the platform took them, not sent twice after a
crash), a batch that failed as a whole is retried at the next check, and each platform's
subscriptions are scheduled only by a scheduler of that platform."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from bot.app.ports import Repositories
from bot.bootstrap import Core
from bot.daily.leadership import SoleLeader
from bot.daily.models import Reveal, TransientDeliveryError
from bot.daily.reveals import REVEAL
from bot.daily.scheduler import DailyScheduler
from bot.daily.service import DailyService
from bot.errors import StorageUnavailable
from bot.models import Actor, Place
from tests.conftest import FrozenClock
from tests.test_daily import RecordingPoster, daily_on, post_daily, subscribe

T = TypeVar("T")

DISCORD_ADMIN = Actor("discord", "G1", "UADMIN", "Ada", is_admin=True)


class FlakyRevealPoster(RecordingPoster):
    """Answers reveals with 500s while `failing` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False
        self.reveal_attempts = 0

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        self.reveal_attempts += 1
        if self.failing:
            raise TransientDeliveryError("500 from the platform")
        await super().post_reveal(target, reveal)


@pytest.fixture
def flaky() -> FlakyRevealPoster:
    return FlakyRevealPoster()


@pytest.fixture
def daily(core: Core, flaky: FlakyRevealPoster) -> DailyService:
    core.daily.posters["slack"] = flaky
    core.outbox.deliver_to("slack")
    return core.daily


async def revealed_at(core: Core, instance_id: int) -> datetime | None:
    posted = await core.uow.read(lambda r: r.posts.get(instance_id))
    assert posted is not None
    return posted.revealed_at


async def test_a_reveal_refused_by_the_platform_is_retried_and_only_then_marked_revealed(
    core: Core, daily: DailyService, flaky: FlakyRevealPoster, clock: FrozenClock
) -> None:
    subscription = await subscribe(daily, "daily on at 09:00 Europe/Berlin reveal 17:00")
    view = await post_daily(daily, subscription, clock, 16)
    flaky.failing = True
    clock.moment = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)
    report = await daily.reveal_due(subscription, clock.moment)
    assert len(report.retried) == 1 and flaky.reveals == []
    assert await revealed_at(core, view.instance_id) is None  # answers still count in full
    # Seconds of 500s, then the platform recovers: the next run after the backoff sends it.
    clock.advance(seconds=31)
    assert len((await core.outbox.run_due()).retried) == 1
    flaky.failing = False
    clock.advance(seconds=61)
    assert len((await core.outbox.run_due()).sent) == 1
    assert [r.instance_id for _, r in flaky.reveals] == [view.instance_id]
    assert await revealed_at(core, view.instance_id) == clock.now()
    # The reveal job firing again (another process, a retried batch) sends nothing more.
    assert await daily.reveal_due(subscription, clock.moment) == type(report)()
    clock.advance(hours=1)
    assert (await core.outbox.run_due()).sent == ()
    assert len(flaky.reveals) == 1 and flaky.reveal_attempts == 3


async def test_a_reveal_taken_by_the_platform_before_a_crash_is_not_sent_again(
    core: Core, daily: DailyService, flaky: FlakyRevealPoster, clock: FrozenClock
) -> None:
    """The process died after the platform took the reveal and it was recorded revealed, before
    its delivery row was marked sent: the row is recovered when the lease runs out, and the
    handler finds the reveal recorded instead of posting it again."""
    subscription = await subscribe(daily, "daily on at 09:00 Europe/Berlin reveal 17:00")
    view = await post_daily(daily, subscription, clock, 16)
    clock.moment = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)
    found = await core.uow.read(lambda r: r.subscriptions.many([subscription]))
    keys = await daily.deliveries.schedule_reveals(found, clock.now(), clock.now())
    lease_until = clock.now() + timedelta(minutes=2)

    def die_after_the_platform_took_it(r: Repositories) -> None:
        (key,) = keys[found[0].channel_id]
        assert r.outbox.claim_keys(REVEAL, [key], clock.now(), lease_until, "dead") != []
        r.claims.mark_revealed(view.instance_id, clock.now())

    await core.uow.write(die_after_the_platform_took_it)
    assert (await core.outbox.run_due()).sent == ()  # still leased by the dead process
    clock.advance(minutes=2, seconds=1)
    assert len((await core.outbox.run_due()).sent) == 1
    assert flaky.reveal_attempts == 0
    assert await core.uow.read(lambda r: r.outbox.pending(REVEAL, "")) == []


async def test_the_reveal_before_the_next_question_goes_first_and_survives_a_failure(
    core: Core, daily: DailyService, flaky: FlakyRevealPoster, clock: FrozenClock
) -> None:
    subscription = await subscribe(daily)
    first = await post_daily(daily, subscription, clock, 16)
    flaky.failing = True
    second = await post_daily(daily, subscription, clock, 17)  # the question is not held up
    assert await revealed_at(core, first.instance_id) is None
    flaky.failing = False
    clock.advance(minutes=3)  # the row fell due a lease after the post; the backoff is over
    assert len((await core.outbox.run_due()).sent) == 1
    assert [r.instance_id for _, r in flaky.reveals] == [first.instance_id]
    await post_daily(daily, subscription, clock, 18)
    assert [r.instance_id for _, r in flaky.reveals] == [first.instance_id, second.instance_id]


class FailingUnitOfWork:
    """The core's unit of work, unavailable while `down` is set (the database at the due minute)."""

    def __init__(self, core: Core) -> None:
        self.inner = core.uow
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise StorageUnavailable("The quiz database cannot be reached right now.")

    async def read(self, work: Callable[[Repositories], T]) -> T:
        self._check()
        return await self.inner.read(work)

    async def write(self, work: Callable[[Repositories], T]) -> T:
        self._check()
        return await self.inner.write(work)


async def test_a_post_batch_that_failed_is_retried_at_the_next_check_within_the_grace(
    core: Core, daily: DailyService, flaky: FlakyRevealPoster, clock: FrozenClock
) -> None:
    ids = [await subscribe(daily, channel=f"C{n}") for n in range(3)]
    failing = FailingUnitOfWork(core)
    scheduler = DailyScheduler(daily, failing, SoleLeader(), platform="slack")
    await scheduler.check()
    key = (9, 0, "mon-sun", "Europe/Berlin")
    failing.down = True
    clock.moment = datetime(2026, 11, 19, 8, 0, 5, tzinfo=UTC)  # 09:00 in Berlin
    await scheduler.fire("post", key)
    assert flaky.questions == [] and list(scheduler.outstanding) == [("post", key)]
    clock.advance(seconds=10)
    await scheduler.check()  # still down: kept for the next check
    assert len(scheduler.outstanding) == 1
    failing.down = False
    clock.advance(seconds=10)
    await scheduler.check()
    assert sorted(t.channel for t, _ in flaky.questions) == ["C0", "C1", "C2"]
    assert scheduler.outstanding == {}
    await scheduler.check()
    assert len(flaky.questions) == len(ids)


async def test_a_failed_batch_is_given_up_past_the_grace_window(
    core: Core, daily: DailyService, flaky: FlakyRevealPoster, clock: FrozenClock
) -> None:
    await subscribe(daily)
    failing = FailingUnitOfWork(core)
    scheduler = DailyScheduler(daily, failing, SoleLeader(), platform="slack")
    await scheduler.check()
    failing.down = True
    clock.moment = datetime(2026, 11, 19, 8, 0, 5, tzinfo=UTC)
    await scheduler.fire("post", (9, 0, "mon-sun", "Europe/Berlin"))
    failing.down = False
    clock.advance(hours=2, minutes=1)
    await scheduler.check()
    assert flaky.questions == [] and scheduler.outstanding == {}


async def test_a_scheduler_schedules_catches_up_and_recovers_only_its_platform(
    core: Core, daily: DailyService, flaky: FlakyRevealPoster, clock: FrozenClock
) -> None:
    await subscribe(daily, "daily on at 09:00 Europe/Berlin")
    await daily.subscribe(DISCORD_ADMIN, "D1", daily_on("daily on at 10:00 Europe/Berlin reveal 17:00"))
    discord = RecordingPoster()
    daily.posters["discord"] = discord
    slack_only = DailyScheduler(daily, core.uow, SoleLeader(), platform="slack")
    clock.moment = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)  # both fell due within the grace
    await slack_only.start()
    try:
        assert {job.id for job in slack_only.jobs()} == {"post 09:00 mon-sun Europe/Berlin"}
        assert [t.platform for t, _ in flaky.questions] == ["slack"] and discord.questions == []
    finally:
        await slack_only.stop()
    discord_only = DailyScheduler(daily, core.uow, SoleLeader(), platform="discord")
    await discord_only.start()
    try:
        assert {job.id for job in discord_only.jobs()} == {
            "post 10:00 mon-sun Europe/Berlin",
            "reveal 17:00 mon-sun Europe/Berlin",
        }
        assert [t.platform for t, _ in discord.questions] == ["discord"]
    finally:
        await discord_only.stop()
    assert len(flaky.questions) == 1


async def test_a_reveal_whose_time_passed_while_nobody_led_is_caught_up_within_the_grace(
    core: Core, daily: DailyService, flaky: FlakyRevealPoster, clock: FrozenClock
) -> None:
    subscription = await subscribe(daily, "daily on at 09:00 Europe/Berlin reveal 17:00")
    view = await post_daily(daily, subscription, clock, 16)
    clock.moment = datetime(2026, 11, 16, 17, 30, tzinfo=UTC)  # 18:30 in Berlin: 1.5 hours late
    await daily.catch_up("slack")
    assert [r.instance_id for _, r in flaky.reveals] == [view.instance_id]
    await daily.catch_up("slack")
    assert len(flaky.reveals) == 1
    later = await post_daily(daily, subscription, clock, 17)
    clock.moment = datetime(2026, 11, 17, 19, 30, tzinfo=UTC)  # 20:30 in Berlin: past the grace
    await daily.catch_up("slack")
    assert len(flaky.reveals) == 1 and await revealed_at(core, later.instance_id) is None
