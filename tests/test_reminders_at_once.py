"""Many people's study reminders due at the same minute, delivered together: each person once a
day with their own count and streak, nobody missed, nobody twice, what they say read in one
transaction, and every person's week topped up when it runs out."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.bootstrap import Services, wire
from bot.db.database import Database
from bot.db.unit_of_work import SqlUnitOfWork
from bot.grammar import parse
from bot.learning_models import PrivateQuestion, ReminderStatus
from bot.models import Actor
from bot.recall import Memory
from tests.answering_helpers import answer
from tests.conftest import FrozenClock
from tests.test_reminders import BEFORE_DST_END, FakeDirect, started, tick

T = TypeVar("T")

AT_13 = datetime(2026, 10, 23, 13, 0, tzinfo=UTC)
DUE = [Actor("slack", f"T{n % 2 + 1}", f"U{n}", f"Person {n}") for n in range(10)]
"""People in two workspaces, each with a card due and `remind at 13:00`."""
NOTHING_DUE = Actor("slack", "T1", "U20", "Nobody due")
TURNED_OFF = Actor("slack", "T2", "U21", "Turned off")
ON_VACATION = Actor("slack", "T1", "U22", "On vacation")


class CountingUnitOfWork:
    """A unit of work that counts its transactions."""

    def __init__(self, inner: UnitOfWork) -> None:
        self.inner = inner
        self.reads = 0

    async def read(self, work: Callable[[Repositories], T]) -> T:
        self.reads += 1
        return await self.inner.read(work)

    async def write(self, work: Callable[[Repositories], T]) -> T:
        return await self.inner.write(work)


async def with_due_cards(core: Services, actor: Actor, cards: int) -> None:
    """`cards` reviews answered wrong: each card is due again a minute later, and stays due."""
    for _ in range(cards):
        served = await core.commands.execute(actor, "C1", parse("review"))
        assert isinstance(served, PrivateQuestion)
        await answer(core.quiz, core.library.builtin, actor, served.question, right=False)


def user_ids(repositories: Repositories) -> dict[str, int]:
    found = {}
    for actor in (*DUE, NOTHING_DUE):
        workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
        user = workspace and repositories.people.find_user(workspace.id, actor.user)
        assert user is not None
        found[actor.user] = user.id
    return found


def with_streaks_and_known_cards(repositories: Repositories) -> None:
    """Person n of `DUE` on a streak of 3n; each of them, and `NOTHING_DUE`, with a card known
    well (due again in a month)."""
    ids = user_ids(repositories)
    repositories.people.set_streaks({ids[actor.user]: (3 * n, 0) for n, actor in enumerate(DUE)})
    known = Memory(2, None, 30.0, 5.0, AT_13 + timedelta(days=30), AT_13 - timedelta(days=1), 3)
    repositories.cards.put({(user_id, "known"): known for user_id in ids.values()}, AT_13)


async def everyone_reminded_at_13(core: Services) -> None:
    for n, actor in enumerate(DUE):
        await with_due_cards(core, actor, n % 3 + 1)
    for actor in (*DUE, NOTHING_DUE, TURNED_OFF, ON_VACATION):
        await core.commands.execute(actor, "C1", parse("remind at 13:00 UTC"))
    await with_due_cards(core, TURNED_OFF, 1)
    await core.commands.execute(TURNED_OFF, "C1", parse("remind off"))
    await with_due_cards(core, ON_VACATION, 1)
    await core.commands.execute(ON_VACATION, "C1", parse("pause 2 days"))  # the 23rd and the 24th
    await core.uow.write(with_streaks_and_known_cards)


def services(database: Database, bank: QuestionBank, clock: FrozenClock) -> Services:
    return wire(CountingUnitOfWork(SqlUnitOfWork(database)), bank, clock, rng=random.Random(2))


async def test_reminders_due_together_go_once_each_with_their_own_count_and_streak(
    database: Database, bank: QuestionBank, clock: FrozenClock
) -> None:
    clock.moment = BEFORE_DST_END
    direct = FakeDirect()
    core = started(services(database, bank, clock), direct)
    await everyone_reminded_at_13(core)
    assert isinstance(core.uow, CountingUnitOfWork)

    reads = core.uow.reads
    await tick(core, clock, AT_13)
    # One read finds that something is due; one reads what every reminder says.
    assert core.uow.reads - reads == 2
    said = {(workspace, user): (m.due, m.streak) for workspace, user, m in direct.sent}
    assert said == {(actor.workspace, actor.user): (n % 3 + 1, 3 * n) for n, actor in enumerate(DUE)}
    assert len(direct.sent) == len(DUE)

    # Later that day, and in a second process: nothing more.
    other = started(services(database, bank, clock), direct)
    await tick(core, clock, AT_13 + timedelta(minutes=1))
    await tick(other, clock, AT_13 + timedelta(hours=10))
    assert len(direct.sent) == len(DUE)

    await tick(other, clock, AT_13 + timedelta(days=1))  # the vacation's second day
    assert len(direct.sent) == 2 * len(DUE)
    await tick(core, clock, AT_13 + timedelta(days=2))
    by_person = Counter(user for _, user, _ in direct.sent)
    assert by_person == {**{actor.user: 3 for actor in DUE}, ON_VACATION.user: 1}


async def test_the_weeks_of_people_reminded_together_are_topped_up(
    database: Database, bank: QuestionBank, clock: FrozenClock
) -> None:
    """Each person's seventh reminder is the last scheduled: delivered in the same run as the
    others', it schedules every one of them the next week."""
    clock.moment = BEFORE_DST_END
    direct = FakeDirect()
    core = started(services(database, bank, clock), direct)
    await everyone_reminded_at_13(core)
    for day in range(10):
        await tick(core, clock, AT_13 + timedelta(days=day))
    by_person = Counter(user for _, user, _ in direct.sent)
    assert by_person == {**{actor.user: 10 for actor in DUE}, ON_VACATION.user: 8}
    for actor in (*DUE, ON_VACATION):
        status = await core.commands.execute(actor, "C1", parse("remind status"))
        assert isinstance(status, ReminderStatus) and status.next_at == AT_13 + timedelta(days=10)
