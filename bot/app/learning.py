"""The learning use cases: private practice, reviews of due cards, readiness and exam dates.

A review serves the learner's cards due longest ago first, then questions they have never
answered, up to a daily limit of new cards (counted from the learner's local midnight), then
says when the next card is due. Both private questions and reviews are posted as question
instances of mode `private` or `review`, answered through the same group commit as every answer
(which rates the card), score no points and add nothing to leaderboards (README: reviews)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from bot.app.identity import identify
from bot.app.learning_ports import Unrevealed
from bot.app.ports import Repositories, UnitOfWork
from bot.app.quiz import QuizService
from bot.bank import QuestionBank
from bot.clock import Clock
from bot.errors import QuizError
from bot.learning_models import (
    ExamDateSet,
    ExamPlan,
    PrivateQuestion,
    Readiness,
    RevealedQuestion,
    ReviewDone,
)
from bot.models import Actor, AskResult, Mode, NoQuestions, TopicNotFound
from bot.picking import pick_question
from bot.readiness import exam_plan, pools_readiness, weakest
from bot.recall import Memory, Recall

DEFAULT_NEW_PER_DAY = 10

ReviewReply = PrivateQuestion | ReviewDone


LISTED_MAX = 10_000
"""The most question ids a review names to the database (a tag may span many decks)."""


class LearningService:
    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        quiz: QuizService,
        recall: Recall,
        default_timezone: str = "UTC",
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        rng: random.Random | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.quiz = quiz
        self.recall = recall
        self.default_timezone = default_timezone
        self.new_per_day = new_per_day
        self._rng = rng or random.Random()

    @staticmethod
    def _pool(bank: QuestionBank, topic_query: str | None) -> tuple[str, ...] | TopicNotFound | NoQuestions:
        """The ids of a topic's questions (all when None) in a workspace whose bank is `bank`."""
        if not topic_query:
            return tuple(q.id for q in bank.questions) or NoQuestions("")
        topic = bank.topic_index.resolve(topic_query)
        if topic is None:
            suggestions = bank.topic_index.suggest(topic_query)
            return TopicNotFound(topic_query, suggestions, tuple(t.id for t in bank.topics))
        pool = tuple(q.id for q in bank.in_topic(topic.id))
        return pool or NoQuestions(topic.id)

    @staticmethod
    def _revealed(bank: QuestionBank, found: Sequence[Unrevealed]) -> tuple[RevealedQuestion, ...]:
        shown = []
        for item in found:
            question = bank.question(item.question_id)
            if question is not None:
                shown.append(RevealedQuestion(question.prompt, question.answer, question.explanation))
        return tuple(shown)

    # -- private practice -----------------------------------------------------------------

    async def ask_private(
        self, actor: Actor, channel: str, topic_query: str | None
    ) -> AskResult | PrivateQuestion:
        """A question for `actor` alone; an unanswered private question before it is revealed."""
        bank = await self.quiz.library.bank_of(actor)
        pool = self._pool(bank, topic_query)
        if not isinstance(pool, tuple):
            return pool
        return await self.uow.write(partial(self._post_private, bank, actor, channel, pool))

    def _post_private(
        self, bank: QuestionBank, actor: Actor, channel: str, pool: Sequence[str], repositories: Repositories
    ) -> PrivateQuestion:
        now = self.clock.now()
        _, user_id, channel_id = identify(repositories, actor, channel, self.default_timezone, now)
        revealed = repositories.learners.reveal_private(user_id, now)
        question_id = pick_question(pool, repositories.posts.last_seen(channel_id, user_id, pool), self._rng)
        instance_id = repositories.posts.add(channel_id, question_id, Mode.PRIVATE.value, now, user_id)
        view = self.quiz.view(instance_id, bank.by_id[question_id], Mode.PRIVATE, bank=bank)
        return PrivateQuestion(view, self._revealed(bank, revealed))

    # -- reviews --------------------------------------------------------------------------

    async def review(self, actor: Actor, channel: str, topic_query: str | None) -> AskResult | ReviewReply:
        bank = await self.quiz.library.bank_of(actor)
        pool = self._pool(bank, topic_query)
        if not isinstance(pool, tuple):
            return pool
        work = partial(self._next_review, bank, actor, channel, pool, topic_query is not None)
        return await self.uow.write(work)

    def _next_review(
        self,
        bank: QuestionBank,
        actor: Actor,
        channel: str,
        pool: Sequence[str],
        narrowed: bool,
        repositories: Repositories,
    ) -> ReviewReply:
        """The next due card of the workspace's questions, else a new one. Cards of questions the
        workspace no longer has (a removed deck's) wait until the deck comes back."""
        now = self.clock.now()
        workspace, user_id, channel_id = identify(repositories, actor, channel, self.default_timezone, now)
        revealed = self._revealed(bank, repositories.learners.reveal_private(user_id, now))
        cards = repositories.cards
        due_id = cards.next_due(user_id, now, pool if narrowed and len(pool) <= LISTED_MAX else None)
        memories = cards.of_user(user_id)
        in_pool = set(pool)
        if due_id is not None and due_id not in in_pool:
            due = [(m.due, q) for q, m in memories.items() if q in in_pool and m.due <= now]
            due_id = min(due)[1] if due else None
        due_count = sum(1 for q, m in memories.items() if q in in_pool and m.due <= now)
        if due_id is not None:
            return self._serve(
                bank, repositories, channel_id, user_id, due_id, revealed, due_left=due_count - 1
            )
        zone = ZoneInfo(workspace.timezone)
        midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
        new_left = self.new_per_day - cards.introduced_since(user_id, midnight)
        unseen = [q for q in pool if q not in memories]
        if new_left > 0 and unseen:
            question_id = self._rng.choice(unseen)
            return self._serve(
                bank, repositories, channel_id, user_id, question_id, revealed, new_left=new_left - 1
            )
        upcoming = [m.due for q, m in memories.items() if q in in_pool]
        return ReviewDone(min(upcoming, default=None), workspace.timezone, bool(unseen), revealed)

    def _serve(
        self,
        bank: QuestionBank,
        repositories: Repositories,
        channel_id: int,
        user_id: int,
        question_id: str,
        revealed: tuple[RevealedQuestion, ...],
        due_left: int | None = None,
        new_left: int | None = None,
    ) -> PrivateQuestion:
        """Post the review question: a due card (`due_left` after it) or a new one (`new_left`)."""
        instance_id = repositories.posts.add(
            channel_id, question_id, Mode.REVIEW.value, self.clock.now(), user_id
        )
        view = self.quiz.view(instance_id, bank.by_id[question_id], Mode.REVIEW, bank=bank)
        return PrivateQuestion(view, revealed, True, new_left is not None, due_left or 0, new_left or 0)

    # -- readiness and the exam date ------------------------------------------------------

    async def readiness(self, actor: Actor) -> Readiness:
        bank = await self.quiz.library.bank_of(actor)
        found = await self.uow.read(partial(self._cards_of, actor))
        memories, reviews, exam_date, timezone = found
        return self._readiness(bank, memories, reviews, exam_date, timezone)

    def _cards_of(
        self, actor: Actor, repositories: Repositories
    ) -> tuple[dict[str, Memory], int, date | None, str]:
        workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
        user = workspace and repositories.people.find_user(workspace.id, actor.user)
        if not workspace or not user:
            return {}, 0, None, workspace.timezone if workspace else self.default_timezone
        exam_date = repositories.learners.profile(user.id).exam_date
        return (
            repositories.cards.of_user(user.id),
            repositories.cards.review_count(user.id),
            exam_date,
            workspace.timezone,
        )

    def _readiness(
        self,
        bank: QuestionBank,
        memories: dict[str, Memory],
        reviews: int,
        exam_date: date | None,
        timezone: str,
    ) -> Readiness:
        """Readiness over the workspace's questions (`bank`: its shipped bank and decks)."""
        now = self.clock.now()
        known = {q: m for q, m in memories.items() if bank.question(q) is not None}
        pools = [(t.id, t.name, [q.id for q in bank.in_topic(t.id)]) for t in bank.topics]
        overall, *by_topic = pools_readiness(
            [("", "All topics", [q.id for q in bank.questions]), *pools], known, self.recall, now
        )
        topics = tuple(by_topic)
        plan = self._plan(exam_date, overall.due, overall.pool - overall.seen, timezone)
        return Readiness(overall, tuple(t for t in topics if t.pool), weakest(topics), reviews, plan)

    def _plan(self, exam_date: date | None, due: int, unseen: int, timezone: str) -> ExamPlan | None:
        if exam_date is None:
            return None
        return exam_plan(exam_date, self.clock.now().astimezone(ZoneInfo(timezone)).date(), due, unseen)

    async def set_exam_date(self, actor: Actor, exam_date: date | None) -> ExamDateSet:
        now = self.clock.now()
        bank = await self.quiz.library.bank_of(actor)
        found = await self.uow.write(partial(self._set_exam_date, actor, exam_date, now))
        today, timezone, memories = found
        if exam_date is not None and exam_date <= today:
            raise QuizError(
                "That date is not in the future: give your exam date as YYYY-MM-DD, or exam-date off."
            )
        if exam_date is not None and exam_date > today + timedelta(days=3 * 366):
            raise QuizError("That date is more than three years away: give your exam date as YYYY-MM-DD.")
        readiness = self._readiness(bank, memories, 0, exam_date, timezone)
        return ExamDateSet(exam_date, readiness.plan)

    def _set_exam_date(
        self, actor: Actor, exam_date: date | None, now: datetime, repositories: Repositories
    ) -> tuple[date, str, dict[str, Memory]]:
        workspace, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
        today = now.astimezone(ZoneInfo(workspace.timezone)).date()
        if exam_date is None or today < exam_date <= today + timedelta(days=3 * 366):
            repositories.learners.set_exam_date(user_id, exam_date, now)
        return today, workspace.timezone, repositories.cards.of_user(user_id)
