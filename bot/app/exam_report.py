"""Scoring a finished mock exam: the report, and the answers it adds to the person's stats."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.app.exam_ports import ExamItem, ExamRecord
from bot.app.ports import NewAnswer, Repositories
from bot.app.question_counts import CountsBatch
from bot.bank import QuestionBank
from bot.choices import picks_of
from bot.exam_guide import DOMAINS
from bot.exam_models import AreaResult, ExamReport, MissedQuestion
from bot.exam_rules import passed, scaled_score
from bot.models import Scope
from bot.periods import period_keys
from bot.questions import Question

EXAM_MODE = "exam"
EXAM_CHANNEL = "exam"
"""Exam answers are kept like other answers (mode 'exam', 0 points) on a channel of this name,
so stats, accuracy by topic and the choice of practice questions count them."""

RecordCard = Callable[[Repositories, int, str, bool, datetime], None]
"""The learning feature's card update for one answer: (repositories, user id, question id,
correct, answered at), called in the same transaction as the answer is kept."""


def report(
    bank: QuestionBank,
    exam: ExamRecord,
    items: Sequence[ExamItem],
    timed_out: bool,
    notice: str | None = None,
) -> ExamReport:
    """The score report of a finished exam: all or nothing per question, unanswered ones wrong."""
    correct = sum(bool(item.correct) for item in items)
    domains: dict[tuple[int, str], list[int]] = {}
    topics: dict[str, list[int]] = {}
    missed: list[MissedQuestion] = []
    for item in items:
        question = bank.question(item.question_id)
        if question is None:
            continue
        right = bool(item.correct)
        for tally in (
            domains.setdefault(_area(question), [0, 0]),
            topics.setdefault(question.primary_topic, [0, 0]),
        ):
            tally[0] += int(right)
            tally[1] += 1
        if not right:
            picked = picks_of(question, item.choice) if item.choice else ()
            missed.append(
                MissedQuestion(
                    item.position,
                    question.prompt,
                    picked,
                    question.answers,
                    question.explanation,
                    question.source,
                )
            )
    score = scaled_score(correct, len(items))
    finished = exam.finished_at or exam.deadline
    return ExamReport(
        exam_id=exam.id,
        score=score,
        passed=passed(score),
        correct=correct,
        total=len(items),
        answered=sum(item.choice is not None for item in items),
        by_domain=tuple(_area_result(bank, area, *domains[area]) for area in sorted(domains)),
        by_topic=tuple(AreaResult(t.id, t.name, *topics[t.id]) for t in bank.topics if t.id in topics),
        seconds_used=max(0, int((min(finished, exam.deadline) - exam.started_at).total_seconds())),
        minutes=exam.minutes,
        missed=tuple(missed),
        timed_out=timed_out,
        notice=notice,
    )


_DECKS_AFTER_DOMAINS = max(DOMAINS) + 1


def _area(question: Question) -> tuple[int, str]:
    """What a question counts under in the report's "by domain": its exam domain, or, for a
    workspace's own deck's question outside the exam guide (issue 18), its deck (the deck's topic
    is its primary topic), after the domains."""
    if question.domain in DOMAINS:
        return question.domain, ""
    return _DECKS_AFTER_DOMAINS, question.primary_topic


def _area_result(bank: QuestionBank, area: tuple[int, str], correct: int, total: int) -> AreaResult:
    domain, deck = area
    if deck:
        return AreaResult(deck, bank.topic(deck).name, correct, total)
    return AreaResult(str(domain), DOMAINS[domain].name, correct, total)


def keep_answers(
    repositories: Repositories,
    bank: QuestionBank,
    exam: ExamRecord,
    items: Sequence[ExamItem],
    record_card: RecordCard | None,
) -> None:
    """Add the exam's answers to the person's stats (0 points: no leaderboard points, and no
    team totals) and to each question's answer statistics (`studybot content stats`), and hand
    each to the learning feature's card update when it is wired."""
    answered = [
        item
        for item in items
        if item.choice is not None and item.answered_at is not None and bank.question(item.question_id)
    ]  # a question whose deck was removed during the exam is left out
    if not answered:
        return
    channel_id = repositories.people.channel(exam.workspace_id, EXAM_CHANNEL)
    rows: list[NewAnswer] = []
    totals: dict[tuple[int, str], list[int]] = {}
    question_counts = CountsBatch()
    for item in answered:
        assert item.choice is not None and item.answered_at is not None
        question = bank.by_id[item.question_id]
        instance_id = repositories.posts.add(
            channel_id, item.question_id, EXAM_MODE, item.answered_at, exam.user_id
        )
        correct = bool(item.correct)
        question_counts.add(question, exam.user_id, item.choice, correct)
        rows.append(
            NewAnswer(instance_id, exam.user_id, None, item.choice, correct, 0, False, item.answered_at)
        )
        for key in period_keys(item.answered_at, ZoneInfo(exam.timezone)):
            tally = totals.setdefault((exam.user_id, key), [0, 0, 0])
            tally[1] += 1
            tally[2] += int(correct)
        if record_card is not None:
            record_card(repositories, exam.user_id, item.question_id, correct, item.answered_at)
    repositories.answers.insert(rows)
    repositories.answers.add_totals(Scope.PEOPLE, totals, {exam.user_id: exam.workspace_id})
    question_counts.write(repositories.feedback)
