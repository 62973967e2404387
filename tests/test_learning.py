"""Reviews, private practice, readiness and the exam plan, on the in-memory unit of work and
(where storage matters) on both databases."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app.commands import Notice
from bot.bank import QuestionBank
from bot.bootstrap import Services, compose, wire
from bot.daily.rules import parse_weekdays
from bot.db.database import Database
from bot.grammar import Ask, Invalid, parse, remind_at
from bot.grammar_learning import PauseReminders, RemindOff, RemindOn, RemindStatus, SetExamDate, StartReview
from bot.learning_models import ExamDateSet, PrivateQuestion, ReviewDone
from bot.models import Actor, Mode, Period, Place, Scope, UserStats
from bot.questions import Kind
from bot.readiness import exam_plan, pools_readiness, weakest
from bot.recall import Grade, Recall
from tests.answering_helpers import answer as answer_as
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ANN = Actor("slack", "T1", "U1", "Ann")


def small_bank(bank: QuestionBank, size: int = 4) -> QuestionBank:
    """`size` multiple-choice questions of the first topic that has so many."""
    for topic in bank.topics:
        chosen = [q for q in bank.in_topic(topic.id) if q.kind is not Kind.FLASHCARD][:size]
        if len(chosen) == size:
            return QuestionBank(bank.topics, tuple(chosen))
    raise AssertionError("no topic with enough questions")


def services(bank: QuestionBank, clock: FrozenClock, new_per_day: int = 10) -> Services:
    return wire(
        MemoryUnitOfWork(), bank, clock, "Europe/Berlin", rng=random.Random(3), new_per_day=new_per_day
    )


async def answer(core: Services, view_result: object, right: bool) -> None:
    assert isinstance(view_result, PrivateQuestion)
    await answer_as(core.quiz, core.library.builtin, ANN, view_result.question, right)


def test_the_grammar_of_private_practice_reviews_and_exam_dates() -> None:
    assert parse("ecs private") == Ask("ecs", private=True)
    assert parse("private") == Ask(None, private=True)
    assert parse("private eks") == Ask("eks", private=True)
    assert parse("review") == StartReview(None)
    assert parse("review ecs") == StartReview("ecs")
    assert parse("exam-date 2027-03-15") == SetExamDate(date(2027, 3, 15))
    assert parse("exam-date off") == SetExamDate(None)
    assert isinstance(parse("exam-date 15/03/2027"), Invalid)
    assert isinstance(parse("exam-date"), Invalid)
    assert isinstance(parse("exam-date 2027-02-30"), Invalid)
    assert parse("remind at 08:30 europe/berlin mon-fri") == RemindOn(8, 30, "Europe/Berlin", "mon-fri")
    assert parse("remind at 7:05") == RemindOn(7, 5, None, "mon-sun")
    assert parse("remind off") == RemindOff() and parse("remind") == RemindStatus()
    assert parse("pause 5 days") == PauseReminders(5) and parse("pause off") == PauseReminders(0)
    for bad in ("remind at 25:00", "remind at", "remind at 08:00 Mars/Base", "remind soon", "pause x"):
        assert isinstance(parse(bad), Invalid), bad


def test_remind_at_takes_weekdays_as_several_words_and_zones_without_a_slash() -> None:
    assert parse("remind at 08:30 UTC sat sun") == RemindOn(8, 30, "UTC", "sat,sun")
    assert parse("remind at 18:00 mon, wed, fri") == RemindOn(18, 0, None, "mon,wed,fri")
    assert parse("remind at 07:00 CET weekdays") == RemindOn(7, 0, "CET", "mon-fri")
    assert parse("remind at 07:00 japan") == RemindOn(7, 0, "Japan", "mon-sun")
    assert remind_at("07:00", None, "sat sun") == RemindOn(7, 0, None, "sat,sun")  # Discord's option
    assert isinstance(parse("remind at 07:00 monsoon"), Invalid)  # not Monday cut to three letters
    assert parse_weekdays("Tuesday,thurs") == "tue,thu" and parse_weekdays("mon wed") is None
    invalid = parse("remind at 07:00 mon soon")
    assert isinstance(invalid, Invalid) and "weekdays" in invalid.message


async def test_reviews_serve_due_cards_longest_due_first_then_new_up_to_the_daily_limit(
    bank: QuestionBank, clock: FrozenClock
) -> None:
    small = small_bank(bank)
    clock.moment = START
    core = services(small, clock, new_per_day=3)
    seen = []
    for right in (False, True, False):  # three new cards, two wrong, one right
        served = await core.commands.execute(ANN, "C1", StartReview(None))
        assert isinstance(served, PrivateQuestion) and served.is_new and served.question.mode is Mode.REVIEW
        seen.append(served.question.question_id)
        await answer(core, served, right)
        clock.advance(seconds=1)
    done = await core.commands.execute(ANN, "C1", StartReview(None))
    assert isinstance(done, ReviewDone) and done.new_limit_reached  # the fourth question waits for tomorrow
    assert done.next_due == START + timedelta(minutes=1)  # the first wrong answer's relearning step
    clock.moment = START + timedelta(minutes=30)
    first = await core.commands.execute(ANN, "C1", StartReview(None))
    assert isinstance(first, PrivateQuestion) and not first.is_new
    assert (first.question.question_id, first.due_left) == (seen[0], 2)  # due longest ago first
    await answer(core, first, True)
    second = await core.commands.execute(ANN, "C1", StartReview(None))
    # The wrong answer at +2 s (relearning after 1 minute) comes before the right one at +1 s (10 minutes).
    assert isinstance(second, PrivateQuestion) and second.question.question_id == seen[2]
    clock.moment = START + timedelta(days=1, hours=1)  # a new day in Berlin: new cards again
    await answer(core, second, True)
    served = []
    while isinstance(reply := await core.commands.execute(ANN, "C1", StartReview(None)), PrivateQuestion):
        served.append((reply.question.question_id, reply.is_new))
        await answer(core, reply, True)
    [never_seen] = set(small.by_id) - set(seen)
    assert served[-1] == (never_seen, True) and {q for q, new in served[:-1] if not new} <= set(seen)


async def test_reviews_and_private_practice_score_nothing_but_count_for_streaks_and_stats(
    bank: QuestionBank, clock: FrozenClock
) -> None:
    core = services(small_bank(bank), clock)
    for command in (StartReview(None), Ask(None, private=True)):
        served = await core.commands.execute(ANN, "C1", command)
        await answer(core, served, True)
    stats = await core.commands.execute(ANN, "C1", parse("stats"))
    assert isinstance(stats, UserStats)
    assert (stats.points_all, stats.streak) == (0, 2)
    assert (stats.answers, stats.correct) == (2, 2)  # they count for stats
    board = await core.standings.leaderboard(Place("slack", "T1", "C1"), Period.ALL, Scope.PEOPLE)
    assert board.rows == ()
    assert stats.readiness is not None and stats.readiness.reviews == 2


async def test_a_pending_private_question_is_revealed_when_asking_for_another(
    bank: QuestionBank, clock: FrozenClock
) -> None:
    core = services(small_bank(bank), clock)
    first = await core.commands.execute(ANN, "C1", parse("private"))
    assert isinstance(first, PrivateQuestion) and first.revealed == ()
    second = await core.commands.execute(ANN, "C1", parse("private"))
    assert isinstance(second, PrivateQuestion)
    question = core.library.builtin.by_id[first.question.question_id]
    assert [r.answer for r in second.revealed] == [question.answer]
    third = await core.commands.execute(ANN, "C1", StartReview(None))
    assert isinstance(third, PrivateQuestion) and len(third.revealed) == 1  # the second, once


def test_readiness_is_the_mean_recall_over_the_pool_with_unseen_questions_at_zero() -> None:
    recall = Recall()
    memory = recall.review(None, Grade.GOOD, START)
    memory = recall.review(memory, Grade.GOOD, START + timedelta(minutes=10))  # in review now
    later = START + timedelta(days=2)
    chance = recall.recall_chance(memory, later)
    assert 0.5 < chance < 1
    pools = [("t", "T", ["a", "b", "c", "d"]), ("e", "E", []), ("z", "Z", ["x"])]
    result, empty, unseen = pools_readiness(pools, {"a": memory, "b": memory}, recall, later)
    assert (result.pool, result.seen) == (4, 2)
    assert result.readiness == pytest.approx(2 * chance / 4)
    assert result.due == (1 if memory.due <= later else 0) * 2
    assert empty.readiness == 0.0
    assert weakest([result, empty, unseen]) == ("Z", "T")


def test_the_exam_plan_spreads_the_unseen_questions_over_the_days_left() -> None:
    plan = exam_plan(date(2026, 12, 17), date(2026, 12, 7), due_today=4, unseen=95)
    assert (plan.days_left, plan.new_per_day, plan.per_day) == (10, 10, 14)  # ceil(95 / 10)
    assert exam_plan(date(2026, 12, 8), date(2026, 12, 7), 0, 5).new_per_day == 5
    assert exam_plan(date(2026, 12, 7), date(2026, 12, 7), 3, 5).new_per_day == 0


async def test_exam_date_is_stored_and_shown_with_the_plan(
    database: Database, bank: QuestionBank, clock: FrozenClock
) -> None:
    clock.moment = START
    core = compose(database, small_bank(bank), clock, "Europe/Berlin", rng=random.Random(1))
    set_ = await core.commands.execute(ANN, "C1", parse("exam-date 2026-12-17"))
    assert isinstance(set_, ExamDateSet) and set_.plan is not None
    assert (set_.plan.days_left, set_.plan.unseen, set_.plan.new_per_day) == (10, 4, 1)
    stats = await core.commands.execute(ANN, "C1", parse("stats"))
    assert isinstance(stats, UserStats) and stats.readiness is not None and stats.readiness.plan == set_.plan
    past = await core.commands.execute(ANN, "C1", parse("exam-date 2026-12-01"))
    assert isinstance(past, Notice) and "not in the future" in past.text
    off = await core.commands.execute(ANN, "C1", parse("exam-date off"))
    assert isinstance(off, ExamDateSet) and off.exam_date is None
    stats = await core.commands.execute(ANN, "C1", parse("stats"))
    assert isinstance(stats, UserStats) and stats.readiness is not None and stats.readiness.plan is None
