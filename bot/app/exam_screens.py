"""The mock exam's pools and screens: the exam-shaped questions of a topic (worked out once),
and the screen of one exam question as the person sees it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.app.exam_ports import ExamItem, ExamRecord
from bot.bank import QuestionBank
from bot.choices import picks_of, question_view
from bot.errors import QuizError
from bot.exam_models import ExamQuestion
from bot.exam_rules import exam_shaped
from bot.models import Mode
from bot.questions import Question

REMOVED = "This question's deck was removed from the workspace: /quiz exam submit scores the rest."


def choice_seed(exam_id: int, position: int) -> int:
    """The seed of an exam question's shown order: fixed for the exam, distinct per question."""
    return -(exam_id * 1000 + position + 1)


def seconds_left(exam: ExamRecord, now: datetime) -> int:
    return max(0, int((exam.deadline - now).total_seconds()))


class ExamPools:
    """The exam-shaped questions of each topic, worked out once per topic."""

    def __init__(self, bank: QuestionBank) -> None:
        self.bank = bank
        self.topic_index = bank.topic_index
        self.cache: dict[str | None, tuple[Question, ...]] = {}

    def pool(self, topic_query: str | None) -> tuple[str | None, tuple[Question, ...]]:
        """The exam-shaped questions of a topic (None: of the whole bank), worked out once each."""
        if topic_query is None:
            return None, self._shaped(None)
        topic = self.topic_index.resolve(topic_query)
        if topic is None:
            near = self.topic_index.suggest(topic_query)
            hint = f" Did you mean {' or '.join(near)}?" if near else " See /quiz topics."
            raise QuizError(f"No topic '{topic_query}'.{hint}")
        pool = self._shaped(topic.id)
        if not pool:
            raise QuizError(f"There are no exam-style questions on {topic.name} yet.")
        return topic.id, pool

    def topic_name(self, topic_id: str | None) -> str:
        known = {t.id: t.name for t in self.bank.topics}
        return known.get(topic_id, "All topics") if topic_id else "All topics"

    def _shaped(self, topic_id: str | None) -> tuple[Question, ...]:
        if topic_id not in self.cache:
            questions = self.bank.in_topic(topic_id) if topic_id else self.bank.questions
            self.cache[topic_id] = tuple(exam_shaped(questions))
        return self.cache[topic_id]


def question_screen(
    bank: QuestionBank, exam: ExamRecord, items: Sequence[ExamItem], position: int, now: datetime
) -> ExamQuestion:
    """The screen of one exam question: the question in its fixed shown order, and where the
    exam stands."""
    item = items[position]
    question = bank.question(item.question_id)
    if question is None:
        raise QuizError(REMOVED)
    topic = bank.topic(question.primary_topic)
    view = question_view(question, topic, choice_seed(exam.id, position), Mode.PRACTICE)
    picked = set(picks_of(question, item.choice)) if item.choice else set()
    return ExamQuestion(
        exam_id=exam.id,
        position=position,
        total=len(items),
        question=view,
        picked=tuple(i for i, choice in enumerate(view.choices) if choice in picked),
        flagged=item.flagged,
        answered=sum(i.choice is not None for i in items),
        flagged_count=sum(i.flagged for i in items),
        deadline=exam.deadline,
        seconds_left=seconds_left(exam, now),
    )
