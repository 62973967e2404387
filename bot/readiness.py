"""Readiness and the exam plan: pure arithmetic over a learner's cards.

Readiness of a pool of questions is the mean of each question's predicted recall now (py-fsrs'
retrievability), a question never answered counting as 0: someone who has seen half the bank and
remembers it perfectly is 50% ready. The exam plan spreads the questions never seen over the days
left before the exam (the exam day itself is not a study day) and adds the reviews due now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from math import ceil

from bot.learning_models import ExamPlan, TopicReadiness
from bot.recall import Memory, Recall

STUDY_NEXT = 3


Pool = tuple[str, str, Sequence[str]]
"""A topic's id, its name and its questions' ids (id "" for the whole bank)."""


def pools_readiness(
    pools: Sequence[Pool], memories: Mapping[str, Memory], recall: Recall, now: datetime
) -> list[TopicReadiness]:
    """Readiness of each pool; each card's predicted recall is computed once however many
    pools hold its question (py-fsrs takes microseconds a card, a page lists many people)."""
    wanted = {question for _, _, pool in pools for question in pool}
    chances = {q: recall.recall_chance(m, now) for q, m in memories.items() if q in wanted}
    found = []
    for topic_id, topic_name, pool in pools:
        seen = [q for q in pool if q in chances]
        found.append(
            TopicReadiness(
                topic_id,
                topic_name,
                len(pool),
                len(seen),
                sum(1 for q in seen if memories[q].due <= now),
                sum(chances[q] for q in seen) / len(pool) if pool else 0.0,
            )
        )
    return found


def weakest(topics: Sequence[TopicReadiness], count: int = STUDY_NEXT) -> tuple[str, ...]:
    """The names of the least ready topics (ties: the larger pool first, then by name)."""
    ranked = sorted((t for t in topics if t.pool), key=lambda t: (t.readiness, -t.pool, t.topic_name))
    return tuple(t.topic_name for t in ranked[:count])


def exam_plan(exam_date: date, today: date, due_today: int, unseen: int) -> ExamPlan:
    days_left = (exam_date - today).days
    new_per_day = ceil(unseen / days_left) if days_left > 0 else 0
    return ExamPlan(exam_date, days_left, due_today, unseen, new_per_day)
