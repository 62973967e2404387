"""The dashboard's "Mock exams" page (issue 19, point 1): each person's submitted exams and the
workspace's aggregates, on SQLite, PostgreSQL and the in-memory fake; members see only their
own exams, admins everyone's; other workspaces never show."""

from __future__ import annotations

import pytest

from bot.app.dashboard_exams import ExamResults
from bot.app.dashboard_model import Panel, Viewer
from bot.app.dashboard_ports import PersonRef, WorkspaceRef
from bot.app.library import Library
from bot.app.ports import UnitOfWork
from bot.bank import QuestionBank
from bot.bootstrap import Core
from tests.conftest import FrozenClock
from tests.exam_seed import ExamSeed, seed_exams
from tests.memory import MemoryUnitOfWork

pytestmark = pytest.mark.timeout(120)


def viewer(seeded: ExamSeed, clock: FrozenClock, user: str, admin: bool) -> Viewer:
    names = {"U1": "Alice", "U2": "Bob", "U3": "Carol"}
    person = PersonRef(seeded.users[user], user, names[user], None, None)
    workspace = WorkspaceRef(seeded.workspace_id, "Team T1", "Europe/Berlin")
    return Viewer("slack:T1", workspace, person, admin, clock.now())


def texts(panel: Panel) -> list[list[str]]:
    return [[cell.text for cell in row] for row in panel.table.rows]


async def check_page(page: ExamResults, seeded: ExamSeed, clock: FrozenClock) -> None:
    weekly, domains, people = await page.build(viewer(seeded, clock, "U1", True))
    # Three exams in T1 this week: 800, 528 and 357; one passed. Zed's (T2) is not counted.
    assert texts(weekly)[-1] == ["2026-W47", "3", "562", "33%"]
    assert all(row[1] == "0" for row in texts(weekly)[:-1])
    assert weekly.chart is not None and weekly.chart.series["Attempts"][-1] == 3.0
    assert "3 exams in 8 weeks; mean scaled score 562; pass rate 33%" in weekly.note
    assert sum(int(row[1]) for row in texts(domains)) == 30
    assert sum(int(row[1]) * int(row[2].rstrip("%")) for row in texts(domains)) == pytest.approx(1600, abs=60)
    assert domains.chart is not None and len(domains.chart.labels) == len(domains.table.rows)
    rows = texts(people)
    assert [row[0] for row in rows] == ["Alice", "Bob", "Alice"]
    assert rows[0][2:] == ["10", "80%", "800", "pass", "20:00"]
    assert rows[0][1] == "2026-11-18 12:50"
    assert rows[1][2:] == ["10", "30%", "357", "fail", "60:00"]
    assert rows[2][4:6] == ["528", "fail"]
    # A member: the same aggregates, only their own exams.
    member = await page.build(viewer(seeded, clock, "U2", False))
    assert texts(member[0]) == texts(weekly) and texts(member[1]) == texts(domains)
    assert [row[0] for row in texts(member[2])] == ["Bob"] and member[2].title == "Your submitted exams"
    carol = await page.build(viewer(seeded, clock, "U3", False))
    assert carol[2].table.rows == []


async def test_the_exam_page_on_the_database(core: Core, bank: QuestionBank, clock: FrozenClock) -> None:
    seeded = await seed_exams(core.uow, bank, clock.now())
    page = core.dashboard.sources["exams"]
    assert isinstance(page, ExamResults) and page.title == "Mock exams"
    await check_page(page, seeded, clock)


async def test_the_exam_page_on_the_in_memory_fake(bank: QuestionBank, clock: FrozenClock) -> None:
    uow: UnitOfWork = MemoryUnitOfWork()
    seeded = await seed_exams(uow, bank, clock.now())
    await check_page(ExamResults(uow, Library(uow, bank)), seeded, clock)


async def test_only_the_latest_exams_per_person_are_listed(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    seeded = await seed_exams(core.uow, bank, clock.now())
    results = await core.uow.read(lambda r: r.exams.latest_results(seeded.workspace_id, 1, None, 10))
    assert [(r.name, r.score) for r in results] == [("Alice", 800), ("Bob", 357)]
    capped = await core.uow.read(lambda r: r.exams.latest_results(seeded.workspace_id, 5, None, 2))
    assert len(capped) == 2
