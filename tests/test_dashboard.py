"""The team dashboard over HTTP (issue 19): pages and CSV through signed links, who sees what,
and 403 for every link that is not good for this workspace now."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import DashboardRoutes
from bot.app.dashboard_tally import ALL_RIGHT, DashboardTally, domain_key
from bot.app.ports import PostedQuestion
from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.choices import recorded_pick
from bot.dashboard_links import DashboardLinks, LinkGrant
from bot.exam_guide import DOMAINS
from bot.questions import Kind, Question
from tests.conftest import FrozenClock
from tests.dashboard_seed import Seed, seed

pytestmark = pytest.mark.timeout(120)
SECRET = "test-secret-key-0123456789"
PAGES = ["", "topics", "boards", "daily", "questions", "people", "exams"]


@dataclass
class Site:
    client: TestClient[web.Request, web.Application]
    links: DashboardLinks
    clock: FrozenClock
    seeded: Seed

    def path(self, workspace: str, user: str, admin: bool, page: str = "") -> str:
        url = self.links.url(LinkGrant(workspace, user, admin), self.clock.now())
        return url.removeprefix(self.links.public_url).replace(
            "/dashboard?", f"/dashboard/{page}?" if page else "/dashboard?"
        )

    async def text(self, path: str, status: int = 200) -> str:
        response = await self.client.get(path)
        assert response.status == status, path
        return await response.text()


@pytest.fixture
async def site(core: Core, bank: QuestionBank, clock: FrozenClock) -> AsyncIterator[Site]:
    seeded = await seed(core, bank, clock)
    links = DashboardLinks(SECRET, "https://study.example.com")
    app = web.Application()
    DashboardRoutes(core.dashboard, links, clock).add_to(app)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Site(client, links, clock, seeded)
    finally:
        await client.close()


def cells_of_row(html: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is `first`."""
    match = re.search(rf"<tr><th scope=\"row\">{re.escape(first)}</th>(.*?)</tr>", html)
    assert match, first
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))


async def test_every_page_draws_its_charts_and_tables_for_an_admin(site: Site) -> None:
    for page in PAGES:
        html = await site.text(site.path("slack:T1", "U1", True, page))
        assert "<table" in html, (page, html)
        assert "<script" not in html and not re.search(r"(src|href)=\"(https?:)?//", html)
        if page not in ("people",):
            assert "<svg" in html, page
    participation = await site.text(site.path("slack:T1", "U1", True))
    today = site.clock.now().date().isoformat()
    assert cells_of_row(participation, today) == ["3", "7", "57%"]
    assert "1 people have not answered in the last 7 days" in participation
    assert cells_of_row(participation, "Dave")[0] == "–"


async def test_hardest_questions_show_the_wrong_choice_picks(site: Site) -> None:
    page = await site.text(site.path("slack:T1", "U1", True, "questions"))
    row = cells_of_row(page, html.escape(site.seeded.hard_prompt))
    assert row[:2] == ["3", "33%"]
    assert ": 2 (67%)" in row[2] and site.seeded.wrong_choice.split()[0] in row[2]


async def test_a_member_sees_their_own_row_and_team_but_not_other_people(site: Site) -> None:
    people = await site.text(site.path("slack:T1", "U2", False, "people"))
    assert "Bob" in people and "Alice" not in people and "Carol" not in people
    topics = await site.text(site.path("slack:T1", "U2", False, "topics"))
    assert "Red" in topics and "Blue" not in topics and "Carol" not in topics
    participation = await site.text(site.path("slack:T1", "U2", False))
    assert "Admins see who" in participation and "Dave" not in participation
    csv_text = await site.text(
        site.path("slack:T1", "U2", False).replace("/dashboard?", "/dashboard/people.csv?")
    )
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("Bob,U2,Red,")


async def test_the_admin_csv_has_everyone_of_the_workspace_only(site: Site) -> None:
    csv_text = await site.text(
        site.path("slack:T1", "U1", True).replace("/dashboard?", "/dashboard/people.csv?")
    )
    names = sorted(line.split(",")[0] for line in csv_text.strip().splitlines()[1:])
    assert names == ["Alice", "Bob", "Carol", "Dave"]


async def test_forged_altered_expired_and_other_workspace_links_get_403_and_nothing(site: Site) -> None:
    good = site.path("slack:T1", "U1", True)
    token = good.split("t=", 1)[1]
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    forged = DashboardLinks("another-secret-0123456789", "https://x").url(
        LinkGrant("slack:T1", "U1", True), site.clock.now()
    )
    bad = [
        altered,
        "/dashboard?t=" + forged.split("t=", 1)[1],
        "/dashboard?t=garbage",
        "/dashboard",
        "/dashboard/people.csv?t=" + token[:-2],
        site.path("slack:T404", "U1", True),
    ]
    for path in bad:
        html = await site.text(path, 403)
        assert "Alice" not in html and "<table" not in html
    other = await site.text(site.path("slack:T2", "U9", True, "people"))
    assert "Zed" in other and "Alice" not in other
    site.clock.advance(hours=24, minutes=1)
    await site.text(good, 403)
    await site.text(good.replace("/dashboard?", "/dashboard/people.csv?"), 403)
    site.clock.advance(hours=-24)
    await site.text(good)


def test_a_link_is_bound_to_its_grant(site: Site) -> None:
    now = site.clock.now()
    token = site.links.token(LinkGrant("slack:T1", "U2", False), now)
    assert site.links.grant(token, now) == LinkGrant("slack:T1", "U2", False)
    assert site.links.grant(token, now + timedelta(hours=24, seconds=1)) is None


DOMAIN_NAMES = [f"Domain {n}: {d.name}" for n, d in DOMAINS.items()]


async def test_the_topics_page_has_accuracy_by_exam_domain(site: Site, bank: QuestionBank) -> None:
    """Issue 19, point 1: a question counts under its exam domain too (`domain:N` rows)."""
    page = await site.text(site.path("slack:T1", "U1", True, "topics"))
    assert "Share right by exam domain (whole workspace)" in page and "Teams by exam domain" in page
    assert "People by exam domain" in page
    shown = [
        html.unescape(name) for name in DOMAIN_NAMES if f'<th scope="row">{html.escape(name)}</th>' in page
    ]
    # T1's eight answers (Dave's, and Alice's, Bob's and Carol's seven today) each count once,
    # under their question's domain.
    assert sum(int(cells_of_row(page, html.escape(name))[0]) for name in shown) == 8
    hard = bank.by_id[site.seeded.hard_question]
    assert int(cells_of_row(page, html.escape(DOMAIN_NAMES[hard.domain - 1]))[0]) >= 3
    member = await site.text(site.path("slack:T1", "U2", False, "topics"))
    assert "You by exam domain" in member and "People by exam domain" not in member


def _answer(tally: DashboardTally, question: Question, chosen: str, correct: bool) -> None:
    posted = PostedQuestion(1, 1, question.id, "practice", 7, "slack", "T1", None, 0, None, None)
    tally.note(
        workspace_id=7,
        timezone="UTC",
        user_id=3,
        team_id=5,
        instance=posted,
        question=question,
        chosen=chosen,
        correct=correct,
        late=False,
        answered_at=datetime(2026, 11, 18, 12, 0, tzinfo=UTC),
    )


def test_an_answer_counts_under_its_topic_and_its_domain_and_each_pick(bank: QuestionBank) -> None:
    single = next(q for q in bank.questions if q.kind is Kind.MULTIPLE_CHOICE)
    multiple = next(q for q in bank.questions if q.kind is Kind.MULTIPLE_RESPONSE)
    tally = DashboardTally()
    _answer(tally, single, single.answers[0], True)
    right = recorded_pick(multiple, multiple.answers)
    wrong = recorded_pick(multiple, [c for c in multiple.choices if c not in multiple.answers][:2])
    _answer(tally, multiple, right, True)
    _answer(tally, multiple, wrong, False)
    topics = tally.increments.topics
    for owner in (("w", 0), ("u", 3), ("t", 5)):
        assert topics[(7, *owner, single.primary_topic)][0] >= 1
        assert (
            sum(a for (_, k, o, t), (a, _) in topics.items() if (k, o) == owner and t.startswith("domain:"))
            == 3
        )
    assert topics[(7, "w", 0, domain_key(single.domain))][1] >= 1
    choices = tally.increments.choices
    assert choices[(7, single.id, single.choices.index(single.answers[0]))] == 1
    assert choices[(7, multiple.id, ALL_RIGHT)] == 1
    picks = sum(n for (_, q, i), n in choices.items() if q == multiple.id and i >= 0)
    assert picks == 2 * len(multiple.answers)
