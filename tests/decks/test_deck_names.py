"""A deck's questions are named as the deck wherever results are shown (issue 18): in the
mock exam's report, which files them under the deck's name rather than an exam domain "0" the
exam guide does not have, and on the dashboard's topics and exams pages."""

from __future__ import annotations

import pytest

from bot.app.dashboard_model import Panel, Viewer
from bot.app.dashboard_ports import WorkspaceRef
from bot.bootstrap import Core
from bot.exam_guide import OWN_DECKS, domain_title
from bot.exam_models import ExamReport
from bot.models import Actor, Posted
from tests.conftest import FrozenClock
from tests.decks.workspace_helpers import imported

pytestmark = pytest.mark.timeout(60)
ANN = Actor("slack", "T1", "U1", "Ann")


async def exam_on_the_deck(core: Core) -> ExamReport:
    await imported(core.decks, "slack:T1", "Team Terms", choices=3)
    screen = await core.exam.start(ANN, "team-terms", 3, None)
    for position in range(3):
        await core.exam.choose(ANN, screen.exam_id, position, (0,))
    report = await core.exam.submit(ANN, screen.exam_id)
    assert isinstance(report, ExamReport)
    return report


def first_column(panel: Panel) -> list[str]:
    return [row[0].text for row in panel.table.rows]


async def test_an_exam_report_files_a_decks_questions_under_the_decks_name(core: Core) -> None:
    report = await exam_on_the_deck(core)
    assert [(area.key, area.name, area.total) for area in report.by_domain] == [
        ("team-terms", "Team Terms", 3)
    ]
    assert [(area.key, area.name) for area in report.by_topic] == [("team-terms", "Team Terms")]


async def test_the_dashboard_names_a_decks_topic_and_counts_it_under_your_own_decks(
    core: Core, clock: FrozenClock
) -> None:
    await exam_on_the_deck(core)
    posted = await core.quiz.ask(ANN, "C1", "team-terms")
    assert isinstance(posted, Posted)
    await core.quiz.answer_choice(ANN, posted.question.instance_id, 0)
    workspace = await core.uow.read(lambda r: r.people.find_workspace("slack", "T1"))
    assert workspace is not None
    viewer = Viewer("slack:T1", WorkspaceRef(workspace.id, "T1", "UTC"), None, True, clock.now())
    topics = await core.dashboard.sources["topics"].build(viewer)
    by_title = {panel.title: panel for panel in topics}
    assert first_column(by_title["Share right by topic (whole workspace)"]) == ["Team Terms"]
    assert first_column(by_title["Share right by exam domain (whole workspace)"]) == [OWN_DECKS]
    exams = await core.dashboard.sources["exams"].build(viewer)
    assert first_column(exams[1]) == [OWN_DECKS]


def test_an_exam_domain_keeps_its_number_and_name() -> None:
    assert domain_title(2) == "Domain 2: Security and Compliance"
    assert domain_title(0) == OWN_DECKS
