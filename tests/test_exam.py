"""Mock exams: drawing, scoring, the server's clock and deadline, surviving a restart.

The tests that need no database of their own run again on memory (`tests/test_rules.py`)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from bot.app.exam import DEADLINE_KIND
from bot.bank import QuestionBank
from bot.bootstrap import Core, Services, compose
from bot.exam_grammar import ReviewExam, ShowExamHistory, StartExam, StopExam
from bot.exam_models import ExamHistory, ExamQuestion, ExamReport, ExamReview
from bot.exam_rules import apportion, draw, exam_shaped, minutes_for, scaled_score
from bot.grammar import Invalid, parse
from bot.models import Actor, Period, Place, UserStats
from bot.questions import Kind
from bot.recall import Grade, Recall, grade_for
from tests.conftest import FrozenClock

ANN = Actor("slack", "T1", "U1", "Ann")


def right_picks(core: Services, screen: ExamQuestion) -> list[int]:
    question = core.library.builtin.by_id[screen.question.question_id]
    return [i for i, c in enumerate(screen.question.choices) if c in question.answers]


def wrong_pick(core: Services, screen: ExamQuestion) -> list[int]:
    """A wrong answer of the right size: for multiple response, all right but one swapped."""
    question = core.library.builtin.by_id[screen.question.question_id]
    right = right_picks(core, screen)
    wrong = [i for i, c in enumerate(screen.question.choices) if c not in question.answers]
    return right[:-1] + wrong[:1]


def test_a_65_question_exam_matches_the_domain_weights(bank: QuestionBank) -> None:
    drawn = draw(exam_shaped(bank.questions), 65, {}, random.Random(1))
    assert Counter(q.domain for q in drawn) == {1: 16, 2: 19, 3: 22, 4: 8}
    assert len({q.id for q in drawn}) == 65
    assert {q.kind for q in drawn} <= {Kind.MULTIPLE_CHOICE, Kind.MULTIPLE_RESPONSE}


def test_shorter_exams_keep_proportions_and_pace() -> None:
    assert apportion(20, {1: 99, 2: 99, 3: 99, 4: 99}) == {1: 5, 2: 6, 3: 7, 4: 2}
    assert minutes_for(65) == 90 and minutes_for(20) == 28
    # A domain with too few questions gives its share to the others.
    assert apportion(65, {1: 3, 2: 99, 3: 99, 4: 99}) == {1: 3, 2: 24, 3: 28, 4: 10}
    assert apportion(10, {3: 4}) == {3: 4}


def test_unseen_questions_come_first(bank: QuestionBank) -> None:
    pool = exam_shaped(bank.questions)
    seen = {q.id: 1 for q in pool[::2]}
    drawn = draw(pool, 65, seen, random.Random(2))
    assert not [q for q in drawn if q.id in seen]


def test_the_scaled_score() -> None:
    assert scaled_score(0, 65) == 100
    assert scaled_score(65, 65) == 1000
    assert scaled_score(7, 10) == 700
    assert scaled_score(45, 65) < 700 < scaled_score(46, 65)


def test_the_exam_grammar() -> None:
    assert parse("exam") == StartExam()
    assert parse("exam ecs 20 28") == StartExam("ecs", 20, 28)
    assert parse("exam all 30") == StartExam(None, 30, None)
    assert parse("exam stop") == StopExam()
    assert parse("exam review") == ReviewExam()
    assert parse("exam history") == ShowExamHistory()
    assert isinstance(parse("exam 500"), Invalid)
    assert isinstance(parse("exam ecs 20 0"), Invalid)


async def test_an_exam_is_scored_all_or_nothing(core: Services) -> None:
    screen = await core.exam.start(ANN, None, 65, None)
    assert isinstance(screen, ExamQuestion) and screen.total == 65 and screen.seconds_left == 90 * 60
    kinds: dict[int, Kind] = {}
    partial_right: set[int] = set()
    for position in range(65):
        screen = await core.exam.go(ANN, screen.exam_id, position)
        assert isinstance(screen, ExamQuestion)
        kinds[position] = screen.question.kind
        picks = right_picks(core, screen) if position % 2 == 0 else wrong_pick(core, screen)
        if position % 2 and screen.question.kind is Kind.MULTIPLE_RESPONSE:
            partial_right.add(position)
        screen = await core.exam.choose(ANN, screen.exam_id, position, picks)
        assert isinstance(screen, ExamQuestion) and screen.picked == tuple(sorted(picks))
    assert partial_right, "the draw holds a multiple-response question answered partly right"
    result = await core.exam.submit(ANN, screen.exam_id)
    assert isinstance(result, ExamReport)
    assert result.correct == 33 and result.total == 65 and not result.timed_out
    assert {m.position for m in result.missed} == set(range(1, 65, 2))
    assert result.score == scaled_score(33, 65) and not result.passed
    assert sum(d.total for d in result.by_domain) == 65
    missed = {m.position: m for m in result.missed}
    for position in partial_right:
        assert len(set(missed[position].picked) & set(missed[position].right)) >= 1


async def test_flagged_questions_are_revisited_before_submitting(core: Services) -> None:
    screen = await core.exam.start(ANN, "ecs", 5, None)
    assert isinstance(screen, ExamQuestion) and screen.total == 5 and screen.deadline
    screen = await core.exam.flag(ANN, screen.exam_id, 2)
    assert isinstance(screen, ExamQuestion) and screen.flagged and screen.flagged_count == 1
    review = await core.exam.review(ANN, screen.exam_id)
    assert isinstance(review, ExamReview) and review.flagged == (2,) and review.unanswered == 5
    back = await core.exam.go(ANN, screen.exam_id, 2)
    assert isinstance(back, ExamQuestion) and back.position == 2 and back.flagged


async def test_one_exam_at_a_time_and_stop(core: Services) -> None:
    first = await core.exam.start(ANN, None, 10, None)
    again = await core.exam.start(ANN, None, 20, None)
    assert isinstance(first, ExamQuestion) and isinstance(again, ExamQuestion)
    assert again.exam_id == first.exam_id and again.notice and "in progress" in again.notice
    stopped = await core.commands.execute(ANN, "D1", parse("exam stop"))
    assert "abandoned" in getattr(stopped, "text", "")
    assert await core.uow.read(lambda r: r.outbox.pending(DEADLINE_KIND, "")) == []
    fresh = await core.exam.start(ANN, None, 10, None)
    assert isinstance(fresh, ExamQuestion) and fresh.exam_id != first.exam_id
    history = await core.exam.history(ANN)
    assert history.attempts == ()


async def test_the_deadline_holds_across_a_restart(
    core: Core, clock: FrozenClock, bank: QuestionBank
) -> None:
    screen = await core.exam.start(ANN, None, 20, None)
    assert isinstance(screen, ExamQuestion) and screen.seconds_left == 28 * 60
    await core.exam.choose(ANN, screen.exam_id, 0, right_picks(core, screen))
    clock.advance(minutes=10)
    # A restart: a new process on the same database continues the exam where it was.
    restarted = compose(core.database, bank, clock, "Europe/Berlin", rng=random.Random(3))
    resumed = await restarted.exam.current(ANN)
    assert isinstance(resumed, ExamQuestion)
    assert (resumed.exam_id, resumed.position, resumed.answered) == (screen.exam_id, 0, 1)
    assert resumed.seconds_left == 18 * 60
    late_one = await restarted.exam.go(ANN, screen.exam_id, 1)
    assert isinstance(late_one, ExamQuestion)
    clock.advance(minutes=18)
    late = await restarted.exam.choose(ANN, screen.exam_id, 1, right_picks(restarted, late_one))
    assert isinstance(late, ExamReport) and late.timed_out and late.notice
    assert late.correct == 1 and late.answered == 1 and late.seconds_used == 28 * 60


async def test_stopping_one_exam_keeps_the_other_exams_deadlines(core: Services) -> None:
    people = [Actor("slack", "T1", f"U{n}", f"user{n}") for n in range(11)]
    for person in people:
        await core.exam.start(person, None, 5, None)
    await core.exam.stop(people[0])
    pending = await core.uow.read(lambda r: r.outbox.pending(DEADLINE_KIND, ""))
    assert len(pending) == 10 and {p.payload["exam"] for p in pending} == set(range(2, 12))


async def test_a_new_exam_after_an_unsubmitted_deadline_says_how_the_last_one_went(
    core: Services, clock: FrozenClock
) -> None:
    first = await core.exam.start(ANN, None, 5, None)
    assert isinstance(first, ExamQuestion)
    clock.advance(minutes=8)
    second = await core.exam.start(ANN, None, 5, None)
    assert isinstance(second, ExamQuestion) and second.exam_id != first.exam_id
    assert second.notice == "Your last exam was submitted at its deadline: 100 / 1000."


async def test_the_deadline_submits_an_exam_nobody_touches(
    core: Core, clock: FrozenClock, bank: QuestionBank
) -> None:
    screen = await core.exam.start(ANN, None, 20, None)
    assert isinstance(screen, ExamQuestion)
    await core.exam.choose(ANN, screen.exam_id, 0, right_picks(core, screen))
    restarted = compose(core.database, bank, clock, "Europe/Berlin")
    clock.advance(minutes=27, seconds=59)
    assert (await restarted.outbox.run_due()).sent == ()
    clock.advance(seconds=1)
    assert len((await restarted.outbox.run_due()).sent) == 1
    history = await restarted.exam.history(ANN)
    assert isinstance(history, ExamHistory) and len(history.attempts) == 1
    assert history.attempts[0].correct == 1 and history.attempts[0].total == 20
    with pytest.raises(Exception, match="no exam in progress"):
        await restarted.exam.current(ANN)


async def test_exam_answers_update_stats_but_score_no_points(core: Services) -> None:
    screen = await core.exam.start(ANN, None, 10, None)
    assert isinstance(screen, ExamQuestion)
    for position in range(10):
        shown = await core.exam.go(ANN, screen.exam_id, position)
        assert isinstance(shown, ExamQuestion)
        await core.exam.choose(ANN, screen.exam_id, position, right_picks(core, shown))
    await core.exam.submit(ANN, screen.exam_id)
    stats = await core.standings.stats(ANN)
    assert isinstance(stats, UserStats)
    assert (stats.answers, stats.correct, stats.points_all) == (10, 10, 0)
    assert sum(t.answers for t in stats.by_topic) == 10
    board = await core.standings.leaderboard(Place("slack", "T1"), Period.ALL)
    assert all(row.points == 0 for row in board.rows)


async def test_exam_answers_count_in_each_questions_statistics(core: Services) -> None:
    """The per-question counters (`studybot content stats`) count exam answers as they count
    practice answers: right and wrong, first tries, and each wrong pick by its text."""
    screen = await core.exam.start(ANN, None, 10, None)
    assert isinstance(screen, ExamQuestion)
    for position in range(10):
        shown = await core.exam.go(ANN, screen.exam_id, position)
        assert isinstance(shown, ExamQuestion)
        picks = right_picks(core, shown) if position < 6 else wrong_pick(core, shown)
        await core.exam.choose(ANN, screen.exam_id, position, picks)
    await core.exam.submit(ANN, screen.exam_id)
    counted = [c for c in await core.feedback.counts() if c.answers]
    assert len(counted) == 10
    assert sum(c.correct for c in counted) == 6
    assert (sum(c.people for c in counted), sum(c.people_right_first for c in counted)) == (10, 6)
    assert sum(sum(c.wrong_picks.values()) for c in counted) == 4


async def test_exam_answers_rate_the_persons_cards(core: Services, clock: FrozenClock) -> None:
    """Each answered exam question rates the person's spaced-repetition card (right: Good,
    wrong: Again) and logs an "exam" review; a question left unanswered makes no card."""
    screen = await core.exam.start(ANN, None, 6, None)
    assert isinstance(screen, ExamQuestion)
    answered: dict[str, Grade] = {}
    for position in range(4):
        shown = await core.exam.go(ANN, screen.exam_id, position)
        assert isinstance(shown, ExamQuestion)
        right = position % 2 == 0
        picks = right_picks(core, shown) if right else wrong_pick(core, shown)
        await core.exam.choose(ANN, screen.exam_id, position, picks)
        answered[shown.question.question_id] = grade_for(right)
    answered_at = clock.now()
    clock.advance(minutes=5)
    await core.exam.submit(ANN, screen.exam_id)
    user = await core.uow.read(lambda r: r.people.find_user(1, "U1"))
    assert user is not None
    cards = await core.uow.read(lambda r: r.cards.of_user(user.id))
    assert set(cards) == set(answered)
    for question_id, grade in answered.items():
        expected = Recall().review(None, grade, answered_at)
        stored = cards[question_id]
        assert (stored.state, stored.step, stored.due, stored.reviews) == (
            expected.state,
            expected.step,
            expected.due,
            1,
        )
        assert stored.stability == pytest.approx(expected.stability)
    assert await core.uow.read(lambda r: r.cards.review_count(user.id)) == 4


async def test_history_lists_scores_and_trend(core: Services) -> None:
    for right in (2, 5):
        screen = await core.exam.start(ANN, None, 5, None)
        assert isinstance(screen, ExamQuestion)
        for position in range(right):
            shown = await core.exam.go(ANN, screen.exam_id, position)
            assert isinstance(shown, ExamQuestion)
            await core.exam.choose(ANN, screen.exam_id, position, right_picks(core, shown))
        await core.exam.submit(ANN, screen.exam_id)
    history = await core.exam.history(ANN)
    assert [a.score for a in history.attempts] == [1000, scaled_score(2, 5)]
    assert history.trend == 1000 - scaled_score(2, 5)
