"""Study reminders through the delivery table: once a day at the local time, across a daylight
saving change and a restart; closed direct messages pause them; a vacation holds them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.app.reminders import DMS_CLOSED, DirectResult
from bot.bank import QuestionBank
from bot.bootstrap import Core, Services, compose, wire
from bot.db.database import Database
from bot.grammar import parse
from bot.learning_models import PrivateQuestion, ReminderMessage, ReminderStatus
from bot.models import Actor
from tests.answering_helpers import answer
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork
from tests.test_daily import RecordingPoster, player, post_daily, subscribe

ANN = Actor("slack", "T1", "U1", "Ann")
# Europe/Berlin leaves summer time on Sunday 25 October 2026: 09:00 is 07:00 UTC on the 24th,
# 08:00 UTC on the 25th.
BEFORE_DST_END = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)


class FakeDirect:
    def __init__(self, result: DirectResult = DirectResult.SENT) -> None:
        self.result = result
        self.sent: list[tuple[str, str, ReminderMessage]] = []

    async def send_reminder(self, workspace: str, user: str, message: ReminderMessage) -> DirectResult:
        self.sent.append((workspace, user, message))
        return self.result


def started(core: Services, direct: FakeDirect) -> Services:
    """What `studybot serve` does as the Slack adapter starts."""
    core.reminders.messengers["slack"] = direct
    core.outbox.deliver_to("slack")
    return core


async def with_a_due_card(core: Services, clock: FrozenClock) -> None:
    """Ann answers a review wrong: her card is due again a minute later, and stays due."""
    served = await core.commands.execute(ANN, "C1", parse("review"))
    assert isinstance(served, PrivateQuestion)
    await answer(core.quiz, core.library.builtin, ANN, served.question, right=False)


async def tick(core: Services, clock: FrozenClock, at: datetime) -> None:
    clock.moment = at
    await core.outbox.run_due()


async def test_one_reminder_a_day_at_local_time_across_dst_and_a_restart(
    database: Database, bank: QuestionBank, clock: FrozenClock
) -> None:
    clock.moment = BEFORE_DST_END
    direct = FakeDirect()
    core = started(compose(database, bank, clock, "UTC", rng=random.Random(2)), direct)
    await with_a_due_card(core, clock)
    status = await core.commands.execute(ANN, "C1", parse("remind at 09:00 Europe/Berlin"))
    assert isinstance(status, ReminderStatus) and status.next_at == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)

    await tick(core, clock, datetime(2026, 10, 24, 6, 59, tzinfo=UTC))
    assert direct.sent == []
    await tick(core, clock, datetime(2026, 10, 24, 7, 0, tzinfo=UTC))
    assert [(w, u, m.due) for w, u, m in direct.sent] == [("T1", "U1", 1)]
    await tick(core, clock, datetime(2026, 10, 24, 7, 30, tzinfo=UTC))

    # A restart: new services on the same database, and a second process beside them.
    again = started(compose(database, bank, clock, "UTC"), direct)
    other = started(compose(database, bank, clock, "UTC"), direct)
    await tick(again, clock, datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    await tick(other, clock, datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    assert len(direct.sent) == 1

    await tick(again, clock, datetime(2026, 10, 25, 7, 0, tzinfo=UTC))  # 08:00 in Berlin now
    assert len(direct.sent) == 1
    clock.moment = datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    await again.outbox.run_due()
    await other.outbox.run_due()
    assert len(direct.sent) == 2
    status = await again.commands.execute(ANN, "C1", parse("remind status"))
    assert isinstance(status, ReminderStatus) and status.next_at == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


async def test_closed_direct_messages_pause_reminders_with_the_reason(
    bank: QuestionBank, clock: FrozenClock
) -> None:
    clock.moment = BEFORE_DST_END
    direct = FakeDirect(DirectResult.CLOSED)
    core = started(wire(MemoryUnitOfWork(), bank, clock, rng=random.Random(2)), direct)
    await with_a_due_card(core, clock)
    await core.commands.execute(ANN, "C1", parse("remind at 13:00"))
    await tick(core, clock, datetime(2026, 10, 23, 13, 0, tzinfo=UTC))
    assert len(direct.sent) == 1
    status = await core.commands.execute(ANN, "C1", parse("remind status"))
    assert isinstance(status, ReminderStatus)
    assert (status.paused_reason, status.next_at) == (DMS_CLOSED, None)
    await tick(core, clock, datetime(2026, 10, 24, 13, 0, tzinfo=UTC))
    assert len(direct.sent) == 1  # paused: not tried again
    direct.result = DirectResult.SENT
    status = await core.commands.execute(ANN, "C1", parse("remind at 13:00"))  # turned on again
    assert isinstance(status, ReminderStatus) and status.paused_reason is None
    await tick(core, clock, datetime(2026, 10, 25, 13, 0, tzinfo=UTC))
    assert len(direct.sent) == 2


async def test_a_vacation_holds_reminders_and_nothing_due_sends_nothing(
    bank: QuestionBank, clock: FrozenClock
) -> None:
    clock.moment = BEFORE_DST_END
    direct = FakeDirect()
    core = started(wire(MemoryUnitOfWork(), bank, clock, rng=random.Random(2)), direct)
    await core.commands.execute(ANN, "C1", parse("remind at 13:00 UTC mon-sun"))
    await tick(core, clock, datetime(2026, 10, 23, 13, 0, tzinfo=UTC))
    assert direct.sent == []  # no cards due
    await with_a_due_card(core, clock)
    status = await core.commands.execute(ANN, "C1", parse("pause 3 days"))  # the 23rd to the 25th
    assert isinstance(status, ReminderStatus)
    assert status.next_at == datetime(2026, 10, 26, 13, 0, tzinfo=UTC)
    for day in (24, 25):
        await tick(core, clock, datetime(2026, 10, day, 13, 0, tzinfo=UTC))
    assert direct.sent == []
    await tick(core, clock, datetime(2026, 10, 26, 13, 0, tzinfo=UTC))
    assert len(direct.sent) == 1
    off = await core.commands.execute(ANN, "C1", parse("remind off"))
    assert isinstance(off, ReminderStatus) and not off.on and off.next_at is None
    await tick(core, clock, datetime(2026, 10, 27, 13, 0, tzinfo=UTC))
    assert len(direct.sent) == 1


async def test_reminders_go_on_past_the_week_scheduled_ahead(bank: QuestionBank, clock: FrozenClock) -> None:
    clock.moment = BEFORE_DST_END
    direct = FakeDirect()
    core = started(wire(MemoryUnitOfWork(), bank, clock, rng=random.Random(2)), direct)
    await with_a_due_card(core, clock)
    await core.commands.execute(ANN, "C1", parse("remind at 13:00 UTC"))
    for day in range(23, 23 + 16):
        await tick(core, clock, datetime(2026, 10, 1, 13, 0, tzinfo=UTC) + timedelta(days=day - 1))
    assert len(direct.sent) == 16


async def test_a_vacation_keeps_the_daily_streak(core: Core, bank: QuestionBank, clock: FrozenClock) -> None:
    """`pause N days` covering a day's question of the day: leaving it unanswered keeps the
    streak; a day missed after the vacation still breaks it."""
    core.daily.posters["slack"] = RecordingPoster()
    subscription = await subscribe(core.daily, "daily on docker at 09:00 Europe/Berlin")
    ann = player("U1", "Ann")
    for day in (16, 17, 18):
        await answer(core.quiz, bank, ann, await post_daily(core.daily, subscription, clock, day), right=True)
    await core.commands.execute(ann, "C1", parse("pause 2 days"))  # the 18th and the 19th
    await post_daily(core.daily, subscription, clock, 19)
    kept = await answer(
        core.quiz, bank, ann, await post_daily(core.daily, subscription, clock, 20), right=True
    )
    assert kept.daily_streak == 4
    await post_daily(core.daily, subscription, clock, 21)
    broken = await answer(
        core.quiz, bank, ann, await post_daily(core.daily, subscription, clock, 22), right=True
    )
    assert broken.daily_streak == 1
