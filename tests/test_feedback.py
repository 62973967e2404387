"""Reports of bad questions and the per-question statistics (issue 16, point 5), in the core:
on SQLite, PostgreSQL (when configured) and the in-memory unit of work."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.content_feedback import stats_text
from bot.app.commands import Notice
from bot.app.identity import identify
from bot.app.ports import Repositories
from bot.bank import QuestionBank
from bot.bootstrap import Core, Services, build_core
from bot.choices import shown_choices
from bot.errors import QuizError
from bot.grammar import Invalid, parse
from bot.models import Actor
from bot.questions import Kind, Question
from bot.reports import (
    REPORT_TEXT_MAX,
    QuestionCounts,
    Reason,
    ReportList,
    ReportQuestion,
    ReportReceived,
    ShowReports,
)
from bot.settings import load_settings
from tests.conftest import CONTENT_DIR, FrozenClock

CHANNEL = "C1"


def person(user: str, workspace: str = "T1", admin: bool = False) -> Actor:
    return Actor("slack", workspace, user, f"name-{user}", is_admin=admin)


@pytest.fixture
def services(core: Core) -> Services:
    """The use cases on a database (`tests/test_feedback_memory.py` runs these tests in memory)."""
    return core


def first_of(bank: QuestionBank, kind: Kind) -> Question:
    return next(q for q in bank.questions if q.kind is kind and len(q.choices) >= 3)


async def post(services: Services, question: Question, workspace: str = "T1") -> int:
    """Post `question` in the channel: the id of the posted question."""
    now = services.quiz.clock.now()

    def work(repositories: Repositories) -> int:
        _, user_id, channel_id = identify(repositories, person("poster", workspace), CHANNEL, "UTC", now)
        return repositories.posts.add(channel_id, question.id, "practice", now, user_id)

    return await services.uow.write(work)


async def pick(services: Services, who: Actor, question: Question, instance_id: int, *texts: str) -> None:
    """Answer with the choices showing these texts, wherever this posted question shows them."""
    shown = shown_choices(question, instance_id)
    await services.quiz.answer_choices(who, instance_id, [shown.index(text) for text in texts])


def counts_of(counts: list[QuestionCounts], question: Question) -> QuestionCounts:
    return next(c for c in counts if c.question_id == question.id)


async def test_answers_add_up_to_the_counters_with_wrong_choices_by_text(
    services: Services, bank: QuestionBank
) -> None:
    question = first_of(bank, Kind.MULTIPLE_CHOICE)
    right = question.answer
    wrong_a, wrong_b = [c for c in question.choices if c != right][:2]
    first, second = await post(services, question), await post(services, question)
    await pick(services, person("U1"), question, first, right)
    await pick(services, person("U2"), question, first, wrong_a)
    await pick(services, person("U3"), question, first, wrong_a)
    await pick(services, person("U3"), question, first, right)  # a second click: not counted
    await pick(services, person("U2"), question, second, right)  # again, on a new post
    await pick(services, person("U4"), question, second, wrong_b)

    counts = counts_of(await services.feedback.counts(), question)

    assert (counts.answers, counts.correct) == (5, 2)
    assert counts.share_right == pytest.approx(2 / 5)
    assert (counts.people, counts.people_right_first) == (4, 1)
    assert counts.wrong_picks == {wrong_a: 2, wrong_b: 1}
    untouched = counts_of(await services.feedback.counts(), bank.questions[-1])
    assert (untouched.answers, untouched.people, untouched.wrong_picks) == (0, 0, {})


async def test_a_multiple_response_answer_counts_each_wrong_pick(
    services: Services, bank: QuestionBank
) -> None:
    question = first_of(bank, Kind.MULTIPLE_RESPONSE)
    rights = list(question.answers)
    wrongs = [c for c in question.choices if c not in rights]
    instance = await post(services, question)
    await pick(services, person("U1"), question, instance, *rights)
    await pick(services, person("U2"), question, instance, *rights[1:], wrongs[0])
    await pick(services, person("U3"), question, instance, *reversed([*rights[1:], wrongs[0]]))

    counts = counts_of(await services.feedback.counts(), question)

    assert (counts.answers, counts.correct, counts.people, counts.people_right_first) == (3, 1, 3, 1)
    assert counts.wrong_picks == {wrongs[0]: 2}


async def test_thirty_distinct_people_are_needed_for_a_flag(services: Services, bank: QuestionBank) -> None:
    easy, hard = [q for q in bank.questions if q.kind is Kind.MULTIPLE_CHOICE][:2]
    wrong = next(c for c in hard.choices if c != hard.answer)
    instance_easy, instance_hard = await post(services, easy), await post(services, hard)
    for n in range(29):
        await pick(services, person(f"U{n}"), easy, instance_easy, easy.answer)
        await pick(services, person(f"U{n}"), hard, instance_hard, wrong)
    for _ in range(5):  # one person again and again is still one person
        again = await post(services, easy)
        await pick(services, person("U0"), easy, again, easy.answer)

    before = {c.question_id: c for c in await services.feedback.counts()}
    assert before[easy.id].people == 29 and before[easy.id].answers == 34
    assert before[easy.id].flag is None and before[hard.id].flag is None

    await pick(services, person("U29"), easy, instance_easy, easy.answer)
    await pick(services, person("U29"), hard, instance_hard, wrong)

    after = {c.question_id: c for c in await services.feedback.counts()}
    assert (after[easy.id].people, after[easy.id].flag) == (30, "too easy")
    assert (after[hard.id].people, after[hard.id].flag) == (30, "too hard")
    assert "2 flagged" in stats_text(list(after.values()), flagged_only=True)


@pytest.mark.parametrize(
    ("people", "right", "flag"),
    [
        (29, 29, None),  # all right, but too few people
        (30, 29, "too easy"),  # 96.7% > 95%
        (40, 38, None),  # exactly 95% is not more than 95%
        (30, 6, None),  # exactly 20% is not less than 20%
        (30, 5, "too hard"),  # 16.7% < 20%
        (29, 0, None),
        (30, 0, "too hard"),
    ],
)
def test_the_flag_arithmetic(people: int, right: int, flag: str | None) -> None:
    counts = QuestionCounts(
        "q", answers=people * 3, correct=people * 3, people=people, people_right_first=right
    )
    assert counts.flag == flag
    assert counts.people_share_right == pytest.approx(right / people)


def test_the_stats_table_shows_shares_and_the_wrong_choices_picked_most() -> None:
    counts = [
        QuestionCounts("ecs-a", 10, 4, 8, 3, {"Amazon EKS": 5, "AWS Batch": 1}),
        QuestionCounts("ecs-b"),
        QuestionCounts("ecs-c", 40, 40, 31, 31),
    ]
    text = stats_text(counts)
    row_a = next(line.split() for line in text.splitlines() if line.startswith("ecs-a"))
    assert row_a == ["ecs-a", "10", "40%", "8", "38%"]
    assert "ecs-b" not in text
    assert next(line for line in text.splitlines() if line.startswith("ecs-c")).endswith("too easy")
    assert "ecs-a: 'Amazon EKS' 5× (50%); 'AWS Batch' 1× (10%)" in text
    assert "2 of 3 questions shown; 1 flagged" in text


async def test_a_report_is_stored_with_its_question_and_reporter_and_acknowledged(
    services: Services, bank: QuestionBank, clock: FrozenClock
) -> None:
    question = bank.questions[0]
    instance = await post(services, question)
    raw = "the key says <!channel> <@U0> *ECS*\u202e\x1b[31m " + "x" * 600

    received = await services.commands.execute(
        person("U7"), CHANNEL, ReportQuestion(Reason.OUTDATED, raw, instance)
    )

    assert received == ReportReceived(question.id, Reason.OUTDATED)
    assert "outdated" in received.text
    [report] = (await services.feedback.all_reports()).reports
    assert (report.question_id, report.instance_id, report.reason) == (question.id, instance, Reason.OUTDATED)
    assert (report.platform, report.workspace, report.reporter, report.reporter_name) == (
        "slack",
        "T1",
        "U7",
        "name-U7",
    )
    assert report.reported_at == clock.now()
    assert len(report.text) == REPORT_TEXT_MAX and report.text.endswith("…")
    assert report.text.startswith("the key says <!channel> <@U0> *ECS*[31m x")
    assert "\u202e" not in report.text and "\x1b" not in report.text


async def test_a_report_needs_a_question_of_the_reporters_own_workspace(
    services: Services, bank: QuestionBank
) -> None:
    instance = await post(services, bank.questions[0], workspace="T2")
    elsewhere = await services.commands.execute(
        person("U1"), CHANNEL, ReportQuestion(Reason.TYPO, "", instance)
    )
    nothing = await services.commands.execute(person("U1"), CHANNEL, ReportQuestion(Reason.TYPO))
    gone = await services.commands.execute(person("U1"), CHANNEL, ReportQuestion(Reason.TYPO, "", 999_999))

    assert isinstance(elsewhere, Notice) and "no longer available" in elsewhere.text
    assert isinstance(nothing, Notice) and "Report a problem under its answer" in nothing.text
    assert isinstance(gone, Notice)
    assert (await services.feedback.all_reports()).reports == ()
    with pytest.raises(QuizError):
        await services.feedback.report(person("U1"), instance, Reason.TYPO, "")


async def test_admins_see_only_their_workspaces_reports_and_the_cli_sees_all(
    services: Services, bank: QuestionBank
) -> None:
    ours, theirs = (
        await post(services, bank.questions[0], "T1"),
        await post(services, bank.questions[1], "T2"),
    )
    await services.feedback.report(person("U1", "T1"), ours, Reason.WRONG_ANSWER, "ours")
    await services.feedback.report(person("U2", "T2"), theirs, Reason.UNCLEAR, "theirs")

    admin_view = await services.commands.execute(person("A1", "T1", admin=True), CHANNEL, ShowReports())
    member_view = await services.commands.execute(person("U1", "T1"), CHANNEL, ShowReports())
    everything = await services.feedback.all_reports()

    assert isinstance(admin_view, ReportList)
    assert [r.text for r in admin_view.reports] == ["ours"]
    assert isinstance(member_view, Notice) and "Only workspace admins" in member_view.text
    assert [r.text for r in everything.reports] == ["theirs", "ours"]
    assert [r.workspace for r in everything.reports] == ["T2", "T1"]


def test_the_report_commands_parse() -> None:
    assert parse("report wrong the key is B") == ReportQuestion(Reason.WRONG_ANSWER, "the key is B")
    assert parse("/quiz report Outdated") == ReportQuestion(Reason.OUTDATED, "")
    assert parse("report wrong-answer") == ReportQuestion(Reason.WRONG_ANSWER, "")
    assert parse("reports") == ShowReports()
    assert isinstance(parse("report"), Invalid)
    refused = parse("report bogus text")
    assert isinstance(refused, Invalid) and "'bogus' is not a reason" in refused.message


async def two_workspaces_report_and_answer(question: Question) -> None:
    """Through `studybot`'s own settings: a report and an answer from each of two workspaces."""
    core = await build_core(load_settings())
    try:
        ours, theirs = await post(core, question, "T1"), await post(core, question, "T2")
        await core.feedback.report(person("U1", "T1"), ours, Reason.TYPO, "<b>typo</b>")
        await core.feedback.report(person("U2", "T2"), theirs, Reason.OTHER, "")
        wrong = next(c for c in question.choices if c != question.answer)
        await pick(core, person("U1", "T1"), question, ours, wrong)
        await pick(core, person("U2", "T2"), question, theirs, question.answer)
    finally:
        await core.close()


def test_studybot_content_reports_and_stats_list_every_workspace(
    bank: QuestionBank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(CONTENT_DIR))
    question = first_of(bank, Kind.MULTIPLE_CHOICE)
    wrong = next(c for c in question.choices if c != question.answer)
    asyncio.run(two_workspaces_report_and_answer(question))

    assert main(["content", "reports"]) == 0
    reports = capsys.readouterr().out.splitlines()
    assert len(reports) == 2
    assert f"{question.id} · Other · name-U2 (U2) in slack:T2" in reports[0]
    assert reports[1].endswith(f"{question.id} · Typo · name-U1 (U1) in slack:T1: <b>typo</b>")

    assert main(["content", "stats"]) == 0
    stats = capsys.readouterr().out
    row = next(line.split() for line in stats.splitlines() if line.startswith(question.id))
    assert row == [question.id, "2", "50%", "2", "50%"]
    assert f"{question.id}: {wrong!r} 1× (50%)" in stats
