"""The core API on a real database (SQLite, and PostgreSQL when configured)."""

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app.quiz import QuizService
from bot.app.standings import Standings
from bot.app.teams import TeamService
from bot.bank import QuestionBank
from bot.bootstrap import compose
from bot.choices import shown_choices
from bot.db.database import Database
from bot.errors import QuizError
from bot.models import Actor, AnswerOutcome, NoQuestions, Period, Place, Posted, Scope, TopicNotFound
from bot.questions import Kind
from bot.recall import Grade
from tests.answering_helpers import SINGLE_ANSWER
from tests.answering_helpers import right_index as shown_right_index
from tests.conftest import FrozenClock

CHANNEL = "C1"
PLACE = Place("slack", "T1", CHANNEL)


def actor(user: str = "U1", workspace: str = "T1") -> Actor:
    return Actor("slack", workspace, user, f"name-{user}")


async def posted(service: QuizService, topic: str | None = "ecs", who: Actor | None = None) -> Posted:
    result = await service.ask(who or actor(), CHANNEL, topic)
    assert isinstance(result, Posted)
    return result


def right_index(bank: QuestionBank, result: Posted) -> int:
    return shown_right_index(bank, result.question)


async def post_choice_question(service: QuizService, bank: QuestionBank, topic: str = "ecs") -> Posted:
    """A question with one right choice (multiple choice or true/false)."""
    while True:
        result = await posted(service, topic)
        if result.question.kind in SINGLE_ANSWER:
            return result


async def test_a_question_on_a_topic_hides_its_answer(service: QuizService, bank: QuestionBank) -> None:
    result = await posted(service, "ECS")
    question = bank.by_id[result.question.question_id]
    assert "ecs" in question.topics
    assert sorted(result.question.choices) == sorted(question.choices)
    assert result.question.choices == shown_choices(question, result.question.instance_id)
    assert not hasattr(result.question, "answer")


async def test_a_question_asked_on_a_topic_is_headed_by_that_topic(
    service: QuizService, bank: QuestionBank
) -> None:
    """Many ECS questions list another topic first; asked under ECS they still read as ECS,
    when posted and when the message is shown again (its answer count updated)."""
    ecs = bank.in_topic("ecs")
    assert any(q.primary_topic != "ecs" for q in ecs)
    for _ in ecs:
        result = await posted(service, "ecs")
        assert (result.question.topic_id, result.question.topic_name) == ("ecs", "Amazon ECS")
        again = await service.question_view(result.question.instance_id)
        assert again.topic_name == "Amazon ECS"
    anything = await posted(service, None)
    question = bank.by_id[anything.question.question_id]
    assert anything.question.topic_id == question.primary_topic


async def test_unknown_topics_get_suggestions_or_the_list(service: QuizService) -> None:
    near = await service.ask(actor(), CHANNEL, "ecx")
    assert isinstance(near, TopicNotFound) and near.suggestions[:2] == ("ecs", "ecr")
    far = await service.ask(actor(), CHANNEL, "qqqqqqq")
    assert isinstance(far, TopicNotFound) and far.suggestions == () and "lambda" in far.all_topics


async def test_right_answer_scores_and_a_repeat_returns_the_first_result(
    service: QuizService, bank: QuestionBank, standings: Standings
) -> None:
    question = await post_choice_question(service, bank)
    index = right_index(bank, question)
    first = await service.answer_choice(actor(), question.question.instance_id, index)
    assert first.correct and first.points > 0 and not first.repeat and first.answer_count == 1
    wrong = (index + 1) % len(question.question.choices)
    again = await service.answer_choice(actor(), question.question.instance_id, wrong)
    assert again.repeat and again.correct and again.points == first.points
    assert again.answer_count == 1 and again.total_points == first.total_points
    board = await standings.leaderboard(PLACE, Period.ALL)
    assert [(r.name, r.points, r.answers, r.correct) for r in board.rows] == [("name-U1", first.points, 1, 1)]


async def test_one_answer_per_user_counts_under_concurrency(
    service: QuizService, bank: QuestionBank, standings: Standings
) -> None:
    question = await post_choice_question(service, bank)
    index = right_index(bank, question)
    instance = question.question.instance_id
    clicks = [service.answer_choice(actor(f"U{n}"), instance, index) for n in range(100) for _ in range(3)]
    outcomes: list[AnswerOutcome] = await asyncio.gather(*clicks)
    assert sum(not o.repeat for o in outcomes) == 100
    assert (await service.question_view(instance)).answer_count == 100
    board = await standings.leaderboard(PLACE, Period.ALL, limit=1000)
    assert len(board.rows) == 100
    assert sum(r.points for r in board.rows) == sum(o.points for o in outcomes if not o.repeat)
    assert all(r.answers == 1 and r.rank == 1 for r in board.rows)


async def test_answers_from_another_workspace_are_refused(service: QuizService, bank: QuestionBank) -> None:
    question = await post_choice_question(service, bank)
    with pytest.raises(QuizError, match="no longer available"):
        await service.answer_choice(actor("U9", "T-other"), question.question.instance_id, 0)
    with pytest.raises(QuizError, match="not one of"):
        await service.answer_choice(actor(), question.question.instance_id, 99)
    with pytest.raises(QuizError, match="no longer available"):
        await service.answer_choice(actor(), 424242, 0)


async def answer_right(service: QuizService, bank: QuestionBank, who: Actor) -> int:
    question = await post_choice_question(service, bank)
    outcome = await service.answer_choice(who, question.question.instance_id, right_index(bank, question))
    return outcome.points


async def test_leaderboard_periods_turn_over_in_the_workspace_time_zone(
    service: QuizService, bank: QuestionBank, clock: FrozenClock, standings: Standings
) -> None:
    # The workspace is on Europe/Berlin (UTC+1 in winter): 29 Nov 22:30 UTC is Sunday 23:30
    # there, and 23:30 UTC is Monday 00:30, the first hour of a new week.
    clock.moment = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)
    sunday = await answer_right(service, bank, actor("U1"))
    clock.moment = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    monday = await answer_right(service, bank, actor("U2"))
    week = await standings.leaderboard(PLACE, Period.WEEK)
    assert [(r.name, r.points) for r in week.rows] == [("name-U2", monday)]
    assert week.starts == datetime(2026, 11, 30, tzinfo=week.starts.tzinfo)  # type: ignore[union-attr]
    month = await standings.leaderboard(PLACE, Period.MONTH)
    assert {r.name for r in month.rows} == {"name-U1", "name-U2"}
    # 30 Nov 23:30 UTC is 1 December in Berlin: a new month, the same week.
    clock.moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    december = await answer_right(service, bank, actor("U3"))
    month = await standings.leaderboard(PLACE, Period.MONTH)
    assert [(r.name, r.points) for r in month.rows] == [("name-U3", december)]
    week = await standings.leaderboard(PLACE, Period.WEEK)
    assert {r.name for r in week.rows} == {"name-U2", "name-U3"}
    everything = await standings.leaderboard(PLACE, Period.ALL)
    assert sum(r.points for r in everything.rows) == sunday + monday + december


async def test_equal_scores_share_a_rank(
    service: QuizService, bank: QuestionBank, standings: Standings
) -> None:
    question = await post_choice_question(service, bank)
    index = right_index(bank, question)
    for user in ("U1", "U2"):
        await service.answer_choice(actor(user), question.question.instance_id, index)
    await service.answer_choice(actor("U3"), question.question.instance_id, (index + 1) % 2)
    board = await standings.leaderboard(PLACE, Period.ALL)
    assert [r.rank for r in board.rows] == [1, 1, 3]


async def test_teams_join_leave_list_and_score(
    service: QuizService, bank: QuestionBank, standings: Standings, team_service: TeamService
) -> None:
    first = await team_service.join_team(actor("U1"), "Cloud Nerds")
    assert first.created and first.team == "Cloud Nerds"
    second = await team_service.join_team(actor("U2"), "cloud nerds")
    assert not second.created and second.team == "Cloud Nerds"
    with pytest.raises(QuizError, match="already in"):
        await team_service.join_team(actor("U2"), "CLOUD NERDS")
    moved = await team_service.join_team(actor("U2"), "Pods")
    assert moved.previous == "Cloud Nerds"
    points = await answer_right(service, bank, actor("U1"))
    teams = await team_service.teams(PLACE)
    assert [(t.name, t.members, t.points) for t in teams] == [("Cloud Nerds", 1, points), ("Pods", 1, 0)]
    board = await standings.leaderboard(PLACE, Period.WEEK, Scope.TEAMS)
    assert [(r.name, r.points) for r in board.rows] == [("Cloud Nerds", points)]
    left = await team_service.leave_team(actor("U1"))
    assert left.team is None and left.previous == "Cloud Nerds"
    with pytest.raises(QuizError, match="not in a team"):
        await team_service.leave_team(actor("U1"))
    assert (await standings.stats(actor("U2"))).team == "Pods"


async def test_questions_do_not_repeat_until_the_topic_is_used_up(
    service: QuizService, bank: QuestionBank
) -> None:
    pool = {q.id for q in bank.in_topic("fargate")}
    seen = [(await posted(service, "fargate")).question.question_id for _ in pool]
    assert set(seen) == pool
    again = (await posted(service, "fargate")).question.question_id
    assert again in pool


async def test_other_topics_asked_in_between_do_not_bring_a_question_back_early(
    service: QuizService, bank: QuestionBank
) -> None:
    pool = {q.id for q in bank.in_topic("fargate")}
    other = next(t.id for t in bank.topics if pool.isdisjoint(q.id for q in bank.in_topic(t.id)))
    first = {(await posted(service, "fargate")).question.question_id for _ in range(len(pool) // 2)}
    for _ in range(3 * len(pool)):
        await posted(service, other)
    rest = {(await posted(service, "fargate")).question.question_id for _ in range(len(pool) - len(first))}
    assert first.isdisjoint(rest) and first | rest == pool


async def test_stats_by_topic(service: QuizService, bank: QuestionBank, standings: Standings) -> None:
    await answer_right(service, bank, actor())
    question = await post_choice_question(service, bank, "docker")
    wrong = (right_index(bank, question) + 1) % len(question.question.choices)
    await service.answer_choice(actor(), question.question.instance_id, wrong)
    stats = await standings.stats(actor())
    assert (stats.answers, stats.correct, stats.streak, stats.best_streak) == (2, 1, 0, 1)
    by_topic = {t.topic_id: (t.answers, t.correct) for t in stats.by_topic}
    assert by_topic["docker"] == (1, 0)
    assert sum(answers for answers, _ in by_topic.values()) == 2


async def test_flashcards_accept_typed_answers_and_self_grading(
    service: QuizService, bank: QuestionBank
) -> None:
    card = next(q for q in bank.questions if q.kind is Kind.FLASHCARD)
    while True:
        result = await posted(service, card.primary_topic)
        if result.question.kind is Kind.FLASHCARD:
            break
    question = bank.by_id[result.question.question_id]
    instance = result.question.instance_id
    shown = await service.show_flashcard(actor(), instance)
    assert shown.answer == question.answer and shown.already_answered is None
    typed = await service.answer_text(actor(), instance, question.answer.upper() + "!")
    assert typed.correct
    graded = await service.answer_self_grade(actor("U2"), instance, Grade.AGAIN)
    assert not graded.correct and graded.points == 0
    assert (await service.show_flashcard(actor(), instance)).already_answered is not None


async def test_a_topic_without_questions_says_so(service: QuizService, bank: QuestionBank) -> None:
    empty = [t for t in bank.topics if not bank.in_topic(t.id)]
    if empty:
        assert isinstance(await service.ask(actor(), CHANNEL, empty[0].id), NoQuestions)


async def test_two_services_on_one_database_count_each_answer_once(
    database: Database, bank: QuestionBank, clock: FrozenClock
) -> None:
    """Two processes' worth of connection pools and writers, clicking the same buttons at once.

    The first round creates the users; in the second both writers know them already, so their
    transactions overlap fully and one finds the other's answers only when it inserts.
    """
    other = Database(database.url)
    first_core = compose(database, bank, clock)
    first, second = first_core.quiz, compose(other, bank, clock).quiz
    for _ in range(2):
        question = await post_choice_question(first, bank)
        index = right_index(bank, question)
        instance = question.question.instance_id
        clicks = [
            service.answer_choice(actor(f"U{n}"), instance, index)
            for n in range(40)
            for service in (first, second, first, second)
        ]
        outcomes = await asyncio.gather(*clicks)
        assert sum(not o.repeat for o in outcomes) == 40
        assert (await first.question_view(instance)).answer_count == 40
    await other.dispose()
    board = await first_core.standings.leaderboard(PLACE, Period.ALL, limit=100)
    assert len(board.rows) == 40 and all(r.answers == 2 and r.correct == 2 for r in board.rows)
    assert len({r.points for r in board.rows}) == 1


async def test_the_message_showing_a_question_is_read_back_as_stored(service: QuizService) -> None:
    """A self-grade updates the message stored with the instance, never one a button names."""
    first, second = await posted(service), await posted(service)
    assert await service.message_ref(first.question.instance_id) is None

    await service.set_message_ref(first.question.instance_id, "C1:1.000")
    await service.set_message_ref(second.question.instance_id, "C1:2.000")

    assert await service.message_ref(first.question.instance_id) == "C1:1.000"
    assert await service.message_ref(second.question.instance_id) == "C1:2.000"
    assert await service.message_ref(10_000) is None
