"""The dashboard's "Readiness" page (issue 17): each person's readiness as `/quiz stats` computes
it, their weakest topics, cards due, exam date and days left, flagged when the exam is near and
readiness low; readiness by topic across people; exam dates in the coming weeks. On SQLite,
PostgreSQL and the in-memory fake; members see only their own row, admins everyone's; another
workspace never shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import pytest

from bot.app.dashboard_model import Panel, Viewer
from bot.app.dashboard_ports import PersonRef, WorkspaceRef
from bot.app.dashboard_readiness import ReadinessPage
from bot.app.learning import LearningService
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.bootstrap import Core, wire
from bot.models import Actor
from bot.readiness import Pool, pools_readiness
from bot.recall import Grade, Memory, Recall
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork

pytestmark = pytest.mark.timeout(120)

NAMES = {"U1": "Alice", "U2": "Bob", "U3": "Carol", "U4": "Dave", "U5": "Erin", "U9": "Zed"}
EXAMS = {"U1": 40, "U2": 5, "U3": 3, "U4": -1, "U9": 3}  # days from today; Erin has none


@dataclass(frozen=True)
class Seeded:
    workspace_id: int
    users: dict[str, int]


async def seed(uow: UnitOfWork, bank: QuestionBank, now: datetime) -> Seeded:
    """Carol reviewed every question yesterday (Good); Bob got 20 Docker questions wrong two days
    ago; Alice 30 ECS questions right today (and one of a deck the workspace no longer has); Dave
    and Erin have no cards; Zed (workspace T2) has every question and his exam in 3 days."""
    recall = Recall()
    everything = [q.id for q in bank.questions]
    reviews = {
        "U1": ([q.id for q in bank.in_topic("ecs")][:30] + ["a-removed-decks-question"], Grade.GOOD, now),
        "U2": ([q.id for q in bank.in_topic("docker")][:20], Grade.AGAIN, now - timedelta(days=2)),
        "U3": (everything, Grade.GOOD, now - timedelta(days=1)),
        "U9": (everything, Grade.GOOD, now - timedelta(days=1)),
    }

    def write(repositories: Repositories) -> Seeded:
        people = repositories.people
        t1 = people.workspace("slack", "T1", "Team T1", "Europe/Berlin", now)
        t2 = people.workspace("slack", "T2", "Team T2", "Europe/Berlin", now)
        wanted = {(t2.id if u == "U9" else t1.id, u): name for u, name in NAMES.items()}
        ids = {user: uid for (_, user), uid in people.ensure_users(wanted, now).items()}
        for user, (questions, grade, at) in reviews.items():
            memory = recall.review(None, grade, at)
            repositories.cards.put({(ids[user], q): memory for q in questions}, at)
        for user, days in EXAMS.items():
            repositories.learners.set_exam_date(ids[user], date(2026, 11, 18) + timedelta(days=days), now)
        return Seeded(t1.id, ids)

    return await uow.write(write)


def viewer(seeded: Seeded, clock: FrozenClock, user: str | None, admin: bool) -> Viewer:
    person = PersonRef(seeded.users[user], user, NAMES[user], None, None) if user else None
    workspace = WorkspaceRef(seeded.workspace_id, "Team T1", "Europe/Berlin")
    return Viewer("slack:T1", workspace, person, admin, clock.now())


def texts(panel: Panel) -> list[list[str]]:
    return [[cell.text for cell in row] for row in panel.table.rows]


async def check_page(
    page: ReadinessPage, learning: LearningService, bank: QuestionBank, seeded: Seeded, clock: FrozenClock
) -> None:
    people, topics, weeks = await page.build(viewer(seeded, clock, "U1", True))
    rows = texts(people)
    assert [row[0] for row in rows] == ["Carol", "Bob", "Alice", "Dave", "Erin"]  # nearest exam first
    stats = {
        u: await learning.readiness(Actor("slack", "T1", u, NAMES[u])) for u in ("U1", "U2", "U3", "U4", "U5")
    }
    for row, user in zip(rows, ("U3", "U2", "U1", "U4", "U5"), strict=True):
        overall = stats[user].overall
        assert row[1] == f"{round(100 * overall.readiness)}%", user  # exactly /quiz stats' readiness
        assert row[2:4] == [f"{overall.seen} of {overall.pool}", str(overall.due)], user
        assert row[4] == ", ".join(stats[user].study_next), user
    carol, bob, alice, dave, erin = rows
    assert (
        int(carol[1].rstrip("%")) >= 70 and carol[3] == "405" and carol[5:] == ["2026-11-21", "3", "405", ""]
    )
    assert bob[5:7] == ["2026-11-23", "5"] and bob[8] == "exam near, readiness low"
    assert bob[3] == "20" and bob[7] == str(20 + -(-(405 - 20) // 5))  # reviews due + new a day
    assert alice[1:3] == ["7%", "30 of 405"] and alice[5:7] == ["2026-12-28", "40"] and alice[8] == ""
    assert dave[5:] == ["2026-11-17", "past", "–", ""] and erin[5:] == ["–", "–", "–", ""]
    assert "5 people" in people.note and "1 need attention" in people.note
    assert people.table.rows[0][1].heat == pytest.approx(stats["U3"].overall.readiness)
    # Readiness by topic: each topic's /quiz stats readiness averaged over the five people.
    docker = next(row for row in texts(topics) if row[0] == "Docker")
    expected = [next(t for t in stats[u].topics if t.topic_id == "docker").readiness for u in stats]
    assert docker[1:] == [str(len(bank.in_topic("docker"))), f"{round(100 * sum(expected) / 5)}%", "1"]
    assert topics.chart is not None and topics.chart.labels == [row[0] for row in texts(topics)]
    shown = [int(row[2].rstrip("%")) for row in texts(topics)]
    assert shown == sorted(shown) and shown[0] < shown[-1]  # the weakest topic first
    # Exam dates: Carol and Bob this week and next, Alice in six weeks; Dave's is past, Zed's elsewhere.
    assert [row[1] for row in texts(weeks)] == ["1", "1", "0", "0", "0", "0", "1", "0"]
    assert texts(weeks)[0][0] == "2026-W47" and "3 people" in weeks.note
    # A member: their own row only, the same workspace panels.
    member = await page.build(viewer(seeded, clock, "U2", False))
    assert texts(member[0]) == [bob] and member[0].title == "Your readiness"
    assert texts(member[1]) == texts(topics) and texts(member[2]) == texts(weeks)
    stranger = await page.build(viewer(seeded, clock, None, False))
    assert stranger[0].table.rows == []


async def test_the_readiness_page_on_the_database(core: Core, bank: QuestionBank, clock: FrozenClock) -> None:
    seeded = await seed(core.uow, bank, clock.now())
    page = core.dashboard.sources["readiness"]
    assert isinstance(page, ReadinessPage) and page.title == "Readiness"
    await check_page(page, core.learning, bank, seeded, clock)


async def test_the_readiness_page_on_the_in_memory_fake(bank: QuestionBank, clock: FrozenClock) -> None:
    services = wire(MemoryUnitOfWork(), bank, clock)
    seeded = await seed(services.uow, bank, clock.now())
    page = ReadinessPage(services.uow, services.library, services.learning.recall)
    await check_page(page, services.learning, bank, seeded, clock)


async def test_the_roster_lists_the_nearest_exams_first_and_stops_at_its_limit(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    seeded = await seed(core.uow, bank, clock.now())
    today = date(2026, 11, 18)
    total, first = await core.uow.read(lambda r: r.learners.roster(seeded.workspace_id, None, today, 2))
    assert total == 5 and [learner.name for learner in first] == ["Carol", "Bob"]
    only = await core.uow.read(
        lambda r: r.learners.roster(seeded.workspace_id, [seeded.users["U4"]], today, 5)
    )
    assert only[0] == 1 and [(p.name, p.exam_date) for p in only[1]] == [("Dave", date(2026, 11, 17))]
    days = await core.uow.read(
        lambda r: r.learners.exam_days(seeded.workspace_id, today, today + timedelta(days=5))
    )
    assert days == {date(2026, 11, 21): 1, date(2026, 11, 23): 1}


def own_cards(user_id: int, repositories: Repositories) -> dict[str, Memory]:
    return repositories.cards.of_user(user_id)


async def test_many_peoples_cards_read_as_each_persons_own(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    seeded = await seed(core.uow, bank, clock.now())
    odd = Recall().review(None, Grade.HARD, clock.now() - timedelta(days=3, microseconds=123_457))
    await core.uow.write(
        lambda r: r.cards.put({(seeded.users["U4"], bank.questions[0].id): odd}, clock.now())
    )
    ids = list(seeded.users.values())
    many = await core.uow.read(lambda r: r.cards.of_users(ids))
    each = {user: await core.uow.read(partial(own_cards, user)) for user in ids}
    assert many == {user: cards for user, cards in each.items() if cards}
    assert many[seeded.users["U4"]][bank.questions[0].id] == odd and len(many) == 5
    assert await core.uow.read(lambda r: r.cards.of_users([])) == {}


class CountingRecall(Recall):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def recall_chance(self, memory: Memory | None, at: datetime) -> float:
        self.calls += 1
        return super().recall_chance(memory, at)


def test_each_cards_recall_is_computed_once_whatever_the_pools_holding_it(clock: FrozenClock) -> None:
    now = clock.now()
    recall = CountingRecall()
    memories = {
        "a": recall.review(None, Grade.GOOD, now - timedelta(days=3)),
        "b": recall.review(None, Grade.AGAIN, now - timedelta(days=1)),
        "gone": recall.review(None, Grade.GOOD, now),
    }
    pools: list[Pool] = [
        ("", "All", ["a", "b", "c"]),
        ("x", "X", ["a", "b"]),
        ("y", "Y", ["a"]),
        ("z", "Z", []),
    ]
    found = pools_readiness(pools, memories, recall, now)
    assert recall.calls == 2  # "a" and "b"; "gone" is in no pool
    alone = [pools_readiness([pool], memories, Recall(), now)[0] for pool in pools]
    assert found == alone and found[-1].readiness == 0.0
    assert found[0].readiness == pytest.approx((found[1].readiness * 2) / 3)
