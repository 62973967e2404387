"""The question of the day, with a frozen clock: schedules, exactly-once posts, reveals, failures."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app.commands import ADMINS_ONLY, Notice
from bot.app.daily_ports import DailyClaim
from bot.app.ports import Repositories
from bot.app.quiz import QuizService
from bot.app.standings import Standings
from bot.app.teams import TeamService
from bot.bank import QuestionBank
from bot.bootstrap import Core, compose
from bot.daily.leadership import SoleLeader
from bot.daily.models import DailyStatusReport, PermanentDeliveryError, Reveal, TransientDeliveryError
from bot.daily.scheduler import DailyScheduler
from bot.daily.service import DailyService, PostResult
from bot.daily.triggers import cron, latest_due
from bot.db.database import Database
from bot.errors import QuizError
from bot.grammar import DailyOn, parse
from bot.models import Actor, Mode, Place, QuestionView
from bot.scoring import score_answer
from tests.answering_helpers import answer
from tests.conftest import FrozenClock

ADMIN = Actor("slack", "T1", "UADMIN", "Ada", is_admin=True)
HERE = Place("slack", "T1", "C1")


class RecordingPoster:
    """A chat adapter stand-in: records what it was asked to post; some channels fail for good,
    some for now."""

    def __init__(self) -> None:
        self.questions: list[tuple[Place, QuestionView]] = []
        self.reveals: list[tuple[Place, Reveal]] = []
        self.broken: dict[str, str] = {}
        self.flaky: set[str] = set()

    async def post_question(self, target: Place, question: QuestionView) -> str:
        if target.channel in self.broken:
            raise PermanentDeliveryError(self.broken[target.channel])
        if target.channel in self.flaky:
            raise TransientDeliveryError("rate limited")
        self.questions.append((target, question))
        return f"msg-{len(self.questions)}"

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        self.reveals.append((target, reveal))


@pytest.fixture
def poster() -> RecordingPoster:
    return RecordingPoster()


@pytest.fixture
def daily(core: Core, poster: RecordingPoster) -> DailyService:
    core.daily.posters["slack"] = poster
    return core.daily


def daily_on_database(
    database: Database, bank: QuestionBank, clock: FrozenClock, poster: RecordingPoster
) -> DailyService:
    """The question of the day's service of one more process on `database`."""
    daily = compose(database, bank, clock, "Europe/Berlin").daily
    daily.posters["slack"] = poster
    return daily


def daily_on(text: str) -> DailyOn:
    command = parse(text)
    assert isinstance(command, DailyOn), command
    return command


# Subscriptions made the evening before the mornings the tests move the clock to.
EVENING_BEFORE = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)


async def subscribe(
    daily: DailyService, text: str = "daily on at 09:00 Europe/Berlin", channel: str = "C1"
) -> int:
    report = await daily.subscribe(ADMIN, channel, daily_on(text))
    assert report.subscription is not None
    return report.subscription.id


async def test_a_new_subscription_owes_nothing_due_before_it_was_made(
    daily: DailyService, poster: RecordingPoster, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.moment = datetime(2026, 11, 18, 9, 5, tzinfo=UTC)  # 10:05 in Berlin
    await subscribe(daily)  # at 09:00 Berlin: today's was due an hour ago, yesterday's a day ago
    with caplog.at_level(logging.INFO):
        assert await daily.catch_up() == {}
    assert poster.questions == [] and caplog.text == ""
    clock.moment = datetime(2026, 11, 19, 8, 30, tzinfo=UTC)  # the next morning, half an hour late
    assert list((await daily.catch_up()).values()) == [PostResult.POSTED]


def test_nine_oclock_berlin_stays_nine_oclock_across_daylight_saving() -> None:
    trigger = cron(9, 0, "mon-sun", "Europe/Berlin")
    # Summer time starts on Sunday 29 March 2026.
    before = trigger.get_next_fire_time(None, datetime(2026, 3, 28, 0, 0, tzinfo=UTC))
    after = trigger.get_next_fire_time(None, datetime(2026, 3, 29, 0, 0, tzinfo=UTC))
    assert before.astimezone(UTC) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # type: ignore[union-attr]
    assert after.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # type: ignore[union-attr]
    # And back in October: winter time from Sunday 25 October 2026.
    autumn = trigger.get_next_fire_time(None, datetime(2026, 10, 25, 0, 0, tzinfo=UTC))
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # type: ignore[union-attr]
    assert latest_due(trigger, datetime(2026, 3, 29, 7, 30, tzinfo=UTC)) == after


async def test_posts_on_both_sides_of_a_dst_change_land_on_their_local_dates(
    daily: DailyService, poster: RecordingPoster, clock: FrozenClock
) -> None:
    subscription = await subscribe(daily)
    for due in (datetime(2026, 3, 28, 8, 0, tzinfo=UTC), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)):
        clock.moment = due
        assert await daily.post_due(subscription, due) is PostResult.POSTED
    assert [q.mode for _, q in poster.questions] == [Mode.DAILY, Mode.DAILY]
    assert [q.daily_date for _, q in poster.questions] == [date(2026, 3, 28), date(2026, 3, 29)]


async def test_a_restart_within_the_grace_window_posts_late_and_outside_it_skips(
    daily: DailyService, poster: RecordingPoster, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.moment = EVENING_BEFORE
    await subscribe(daily)
    clock.moment = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)  # 10:30 in Berlin: 1.5 hours late
    assert list((await daily.catch_up()).values()) == [PostResult.POSTED]
    assert list((await daily.catch_up()).values()) == [PostResult.ALREADY_CLAIMED]
    clock.moment = datetime(2026, 11, 19, 10, 30, tzinfo=UTC)  # 11:30 in Berlin: 2.5 hours late
    with caplog.at_level(logging.WARNING):
        assert list((await daily.catch_up()).values()) == [PostResult.TOO_LATE]
    assert (
        "daily question for slack channel C1 due at 2026-11-19 09:00 CET skipped: more than 120 minutes late"
        in caplog.text
    )
    assert len(poster.questions) == 1


async def test_two_schedulers_racing_on_one_database_post_once(
    database: Database, bank: QuestionBank, clock: FrozenClock, poster: RecordingPoster
) -> None:
    other_database = Database(database.url)
    first = daily_on_database(database, bank, clock, poster)
    second = daily_on_database(other_database, bank, clock, poster)
    subscription = await subscribe(first)
    due = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    clock.moment = due
    results = await asyncio.gather(
        *(d.post_due(subscription, due) for d in (first, second) for _ in range(3))
    )
    await other_database.dispose()
    assert sorted(results) == sorted([PostResult.POSTED] + [PostResult.ALREADY_CLAIMED] * 5)
    assert len(poster.questions) == 1


async def claim_without_sending(
    core: Core, bank: QuestionBank, clock: FrozenClock, day: date, due: datetime
) -> int | None:
    """The claim a process makes just before it sends (and, in these tests, dies): the channel's
    daily question for `day`, pending under the process's lease; None if claimed already."""
    now = clock.now()

    def claim(repositories: Repositories) -> int | None:
        channel_id = repositories.people.find_channel(HERE.platform, HERE.workspace, HERE.channel)
        assert channel_id is not None
        lease_until = now + core.daily.lease
        made = DailyClaim(channel_id, bank.questions[0].id, now, day, lease_until, due)
        return repositories.claims.claim([made]).get(channel_id)

    return await core.uow.write(claim)


async def test_a_crash_between_claim_and_send_is_recovered_once(
    daily: DailyService, core: Core, bank: QuestionBank, poster: RecordingPoster, clock: FrozenClock
) -> None:
    clock.moment = EVENING_BEFORE
    await subscribe(daily)
    due = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    clock.moment = due
    # The process claims the post, then dies before sending it.
    claimed = await claim_without_sending(core, bank, clock, date(2026, 11, 18), due)
    assert claimed is not None
    # The next start, a few minutes later: catch-up sees the claim, recovery sends it, once.
    clock.advance(minutes=5)
    restarted = DailyService(core.uow, core.quiz, clock, {"slack": poster}, "Europe/Berlin")
    assert list((await restarted.catch_up()).values()) == [PostResult.ALREADY_CLAIMED]
    assert await restarted.recover() == 1
    assert await restarted.recover() == 0
    assert [q.instance_id for _, q in poster.questions] == [claimed]


async def test_a_claim_held_by_a_live_process_is_not_taken_over(
    daily: DailyService, core: Core, bank: QuestionBank, poster: RecordingPoster, clock: FrozenClock
) -> None:
    await subscribe(daily)
    due = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    clock.moment = due
    assert await claim_without_sending(core, bank, clock, date(2026, 11, 18), due) is not None
    clock.advance(seconds=30)
    assert await daily.recover() == 0
    clock.advance(hours=3)
    assert await daily.recover() == 0  # past the grace window: abandoned, not sent
    assert poster.questions == []


def player(user: str, name: str) -> Actor:
    return Actor("slack", "T1", user, name)


async def post_daily(daily: DailyService, subscription: int, clock: FrozenClock, day: int) -> QuestionView:
    due = datetime(2026, 11, day, 8, 0, tzinfo=UTC)
    clock.moment = due
    assert await daily.post_due(subscription, due) is PostResult.POSTED
    return daily_view(daily)


def daily_view(daily: DailyService) -> QuestionView:
    poster = daily.posters["slack"]
    assert isinstance(poster, RecordingPoster)
    return poster.questions[-1][1]


async def test_the_reveal_reports_the_channel_and_its_teams(
    daily: DailyService,
    service: QuizService,
    bank: QuestionBank,
    poster: RecordingPoster,
    clock: FrozenClock,
    team_service: TeamService,
) -> None:
    subscription = await subscribe(daily, "daily on ecs at 09:00 Europe/Berlin")
    view = await post_daily(daily, subscription, clock, 16)
    # Headed by the subscription's topic, when posted and when shown again with its count.
    assert (view.topic_id, (await service.question_view(view.instance_id)).topic_id) == ("ecs", "ecs")
    await team_service.join_team(player("U1", "Ann"), "Owls")
    await team_service.join_team(player("U2", "Ben"), "Owls")
    await team_service.join_team(player("U3", "Cy"), "Larks")
    for user, name, right in [
        ("U2", "Ben", True),
        ("U3", "Cy", False),
        ("U1", "Ann", True),
        ("U4", "Di", True),
    ]:
        clock.advance(minutes=1)
        await answer(service, bank, player(user, name), view, right)
    await post_daily(daily, subscription, clock, 17)
    assert len(poster.reveals) == 1
    reveal = poster.reveals[0][1]
    assert (reveal.instance_id, reveal.answered, reveal.correct) == (view.instance_id, 4, 3)
    assert reveal.first_correct == ("Ben", "Ann", "Di")
    assert reveal.share_correct == 0.75
    assert [(t.name, t.answered, t.correct) for t in reveal.teams] == [("Owls", 2, 2), ("Larks", 1, 0)]
    assert reveal.answer == bank.by_id[view.question_id].answer
    late = await answer(service, bank, player("U5", "Eve"), view, right=True)
    assert late.late and late.correct and late.points == 0


async def test_consecutive_correct_daily_answers_make_a_streak(
    daily: DailyService, service: QuizService, bank: QuestionBank, clock: FrozenClock, standings: Standings
) -> None:
    subscription = await subscribe(daily, "daily on docker at 09:00 Europe/Berlin")
    ann = player("U1", "Ann")
    outcomes = [
        await answer(service, bank, ann, await post_daily(daily, subscription, clock, day), right=True)
        for day in (16, 17, 18)
    ]
    assert [o.daily_streak for o in outcomes] == [1, 2, 3]
    for before, outcome in enumerate(outcomes):
        difficulty = bank.by_id[outcome.question_id].difficulty
        expected = score_answer(
            correct=True,
            difficulty=difficulty,
            mode=Mode.DAILY,
            late=False,
            streak=before,
            daily_streak=before,
        )
        assert outcome.points == expected.points
    assert (await standings.stats(ann)).daily_streak == 3
    # Skipping a day breaks the streak.
    await post_daily(daily, subscription, clock, 19)
    outcome = await answer(service, bank, ann, await post_daily(daily, subscription, clock, 20), right=True)
    assert outcome.daily_streak == 1


async def test_a_permanently_failing_channel_is_paused_while_the_others_are_posted(
    daily: DailyService, poster: RecordingPoster, clock: FrozenClock
) -> None:
    broken = await subscribe(daily, channel="C-archived")
    working = await subscribe(daily, channel="C-ok")
    poster.broken["C-archived"] = "channel_archived"
    due = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    clock.moment = due
    results = await asyncio.gather(daily.post_due(broken, due), daily.post_due(working, due))
    assert results == [PostResult.FAILED, PostResult.POSTED]
    assert [t.channel for t, _ in poster.questions] == ["C-ok"]
    status = await daily.status(Place("slack", "T1", "C-archived"))
    assert status.subscription is not None and status.subscription.paused_reason == "channel_archived"
    assert status.next_post is None
    assert await daily.post_due(broken, due + timedelta(days=1)) is PostResult.PAUSED


async def test_only_admins_turn_the_question_of_the_day_on_or_off(core: Core, daily: DailyService) -> None:
    member = Actor("slack", "T1", "U1", "Ann")
    for text in ("daily on at 09:00", "daily off"):
        refused = await core.commands.execute(member, "C1", parse(text))
        assert isinstance(refused, Notice) and refused.text == ADMINS_ONLY
    # The platform's word, asked only when the command needs it, decides over the actor's flag.
    asked: list[bool] = []

    async def platform_says_admin() -> bool:
        asked.append(True)
        return True

    status = await core.commands.execute(member, "C1", parse("daily status"), platform_says_admin)
    assert isinstance(status, DailyStatusReport)
    assert asked == []
    report = await core.commands.execute(member, "C1", parse("daily on at 09:00"), platform_says_admin)
    assert asked == [True] and not isinstance(report, Notice)
    assert (await daily.status(HERE)).subscription is not None


async def test_subscribing_checks_times_zones_and_topics(daily: DailyService, clock: FrozenClock) -> None:
    with pytest.raises(QuizError, match="No topic 'ecx'. Did you mean ecs"):
        await daily.subscribe(ADMIN, "C1", daily_on("daily on ecx at 09:00"))
    report = await daily.subscribe(ADMIN, "C1", daily_on("daily on k8s at 17:30 America/New_York weekdays"))
    assert report.subscription is not None
    assert (report.subscription.topic_id, report.subscription.timezone) == ("kubernetes", "America/New_York")
    # Wednesday 18 Nov 12:00 UTC is 07:00 in New York: the next post is today at 17:30 there.
    assert report.next_post is not None
    assert report.next_post.astimezone(UTC) == datetime(2026, 11, 18, 22, 30, tzinfo=UTC)
    default_zone = await daily.subscribe(ADMIN, "C2", daily_on("daily on at 08:00"))
    assert default_zone.subscription is not None and default_zone.subscription.timezone == "Europe/Berlin"
    await daily.unsubscribe(ADMIN, "C1")
    assert (await daily.status(HERE)).subscription is None
    with pytest.raises(QuizError, match="no question of the day"):
        await daily.unsubscribe(ADMIN, "C1")


async def test_one_job_per_distinct_time_follows_the_subscriptions(core: Core, daily: DailyService) -> None:
    scheduler = DailyScheduler(daily, core.uow, SoleLeader())
    await scheduler.start()
    try:
        await subscribe(daily, "daily on at 09:00 Europe/Berlin reveal 17:00")
        ids = {job.id for job in scheduler.jobs()}
        assert ids == {"post 09:00 mon-sun Europe/Berlin", "reveal 17:00 mon-sun Europe/Berlin"}
        job = scheduler.scheduler.get_job("post 09:00 mon-sun Europe/Berlin")
        assert (job.trigger.fields[5].expressions[0].first, str(job.trigger.timezone)) == (9, "Europe/Berlin")
        # A second channel at the same time shares the job; another time gets its own.
        await subscribe(daily, "daily on at 09:00 Europe/Berlin", channel="C2")
        await subscribe(daily, "daily on at 10:15 UTC weekdays", channel="C3")
        ids = {job.id for job in scheduler.jobs()}
        assert ids == {
            "post 09:00 mon-sun Europe/Berlin",
            "reveal 17:00 mon-sun Europe/Berlin",
            "post 10:15 mon-fri UTC",
        }
        await daily.unsubscribe(ADMIN, "C1")
        assert {job.id for job in scheduler.jobs()} == {
            "post 09:00 mon-sun Europe/Berlin",
            "post 10:15 mon-fri UTC",
        }
        await daily.unsubscribe(ADMIN, "C2")
        assert {job.id for job in scheduler.jobs()} == {"post 10:15 mon-fri UTC"}
    finally:
        await scheduler.stop()


async def test_a_time_job_posts_its_live_subscriptions_as_one_batch_once(
    core: Core, daily: DailyService, poster: RecordingPoster, clock: FrozenClock
) -> None:
    batches: list[list[int]] = []
    post_due_many = daily.post_due_many

    async def recorded(ids: Sequence[int], due: datetime) -> dict[int, PostResult]:
        batches.append(sorted(ids))
        return await post_due_many(ids, due)

    daily.post_due_many = recorded  # type: ignore[method-assign]
    scheduler = DailyScheduler(daily, core.uow, SoleLeader())
    await scheduler.start()
    try:
        ids = [await subscribe(daily, channel=f"C{n}") for n in range(5)]
        await subscribe(daily, "daily on at 10:00 Europe/Berlin", channel="C-other")
        poster.broken["C4"] = "channel_not_found"
        (job,) = [job for job in scheduler.jobs() if job.id == "post 09:00 mon-sun Europe/Berlin"]
        clock.moment = datetime(2026, 11, 19, 8, 0, 30, tzinfo=UTC)
        await job.func(*job.args)
        # C4 failed for good and is paused: the next run leaves it out; the rest were posted.
        await job.func(*job.args)
    finally:
        await scheduler.stop()
    assert batches == [sorted(ids), sorted(ids[:4])]
    assert sorted(t.channel for t, _ in poster.questions) == [f"C{n}" for n in range(4)]
    assert {q.daily_date for _, q in poster.questions} == {date(2026, 11, 19)}


async def test_batched_claims_post_once_per_channel_with_two_services_racing(
    database: Database, bank: QuestionBank, clock: FrozenClock, poster: RecordingPoster
) -> None:
    other_database = Database(database.url)
    first = daily_on_database(database, bank, clock, poster)
    second = daily_on_database(other_database, bank, clock, poster)
    clock.moment = EVENING_BEFORE
    ids = [await subscribe(first, channel=f"C{n:03d}") for n in range(120)]
    due = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    clock.moment = due
    try:
        races = await asyncio.gather(
            first.post_due_many(ids, due), second.post_due_many(list(reversed(ids)), due), first.catch_up()
        )
    finally:
        await other_database.dispose()
    for subscription in ids:
        outcomes = sorted(race[subscription] for race in races)
        assert outcomes == sorted([PostResult.POSTED] + [PostResult.ALREADY_CLAIMED] * 2), subscription
    channels = [t.channel for t, _ in poster.questions]
    assert sorted(channels) == [f"C{n:03d}" for n in range(120)]
    assert len({q.instance_id for _, q in poster.questions}) == 120


async def test_a_permanent_error_in_a_batch_pauses_only_that_channel(
    daily: DailyService, poster: RecordingPoster, clock: FrozenClock
) -> None:
    ids = [await subscribe(daily, channel=f"C{n}") for n in range(4)]
    poster.broken["C2"] = "channel_not_found"
    due = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    clock.moment = due
    results = await daily.post_due_many(ids, due)
    assert [results[i] for i in ids] == [
        PostResult.POSTED,
        PostResult.POSTED,
        PostResult.FAILED,
        PostResult.POSTED,
    ]
    paused = {s.target.channel: s.paused_reason for s in await daily.subscriptions()}
    assert paused == {"C0": None, "C1": None, "C2": "channel_not_found", "C3": None}
    # The others were recorded as posted: nothing is left for recovery to send again.
    clock.advance(minutes=10)
    assert await daily.recover() == 0
    assert sorted(t.channel for t, _ in poster.questions) == ["C0", "C1", "C3"]


async def test_a_transient_error_leaves_the_claim_for_recovery_without_holding_up_the_others(
    daily: DailyService, poster: RecordingPoster, clock: FrozenClock
) -> None:
    ids = [await subscribe(daily, channel=f"C{n}") for n in range(3)]
    poster.flaky.add("C1")
    due = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    clock.moment = due
    results = await daily.post_due_many(ids, due)
    assert [results[i] for i in ids] == [PostResult.POSTED, PostResult.RETRY_LATER, PostResult.POSTED]
    poster.flaky.clear()
    clock.advance(minutes=3)
    assert await daily.recover() == 1
    assert sorted(t.channel for t, _ in poster.questions) == ["C0", "C1", "C2"]


class HeldLeadership(SoleLeader):
    """Leadership whose first answer waits until the test lets it through."""

    def __init__(self) -> None:
        self.answer = asyncio.Event()

    async def acquire(self) -> bool:
        await self.answer.wait()
        return True


async def test_the_scheduler_is_ready_only_once_its_first_leadership_check_is_done(
    core: Core, daily: DailyService
) -> None:
    """`studybot serve` answers /readyz while the scheduler starts: running is not enough, the
    first check (leadership taken, jobs set, the leader metric set) must be done."""
    leadership = HeldLeadership()
    scheduler = DailyScheduler(daily, core.uow, leadership)
    starting = asyncio.ensure_future(scheduler.start())
    try:
        for _ in range(100):
            await asyncio.sleep(0)
        assert scheduler.scheduler.running and not scheduler.ready()
        leadership.answer.set()
        await asyncio.wait_for(starting, 10)
        assert scheduler.ready() and scheduler.leading
    finally:
        leadership.answer.set()
        await starting
        await scheduler.stop()
