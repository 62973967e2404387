"""Timed mock exams: start one, answer, move, flag, review, submit, stop, and the history.

The clock is the server's: every action first checks the deadline in the same transaction,
and an exam found past it is submitted there and then (answers after the deadline do not
count). The deadline is also a row of the delivery table (kind "exam_deadline", platform
"any"), so an exam nobody touches is submitted at its deadline, across restarts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from bot.app.exam_ports import ABANDONED, OPEN, SUBMITTED, ExamItem, ExamRecord, NewExam
from bot.app.exam_report import RecordCard, keep_answers, report
from bot.app.exam_screens import REMOVED, ExamPools, choice_seed, question_screen, seconds_left
from bot.app.identity import identify
from bot.app.library import Library, LibraryUseCase
from bot.app.outbox import ANY_PLATFORM, Scheduled
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.choices import grade_picks
from bot.clock import Clock
from bot.errors import QuizError
from bot.exam_models import (
    ExamAttempt,
    ExamHistory,
    ExamQuestion,
    ExamReport,
    ExamReview,
    ExamStopped,
    ReviewLine,
)
from bot.exam_rules import EXAM_QUESTIONS, draw, minutes_for, passed
from bot.models import Actor
from bot.questions import Question

DEADLINE_KIND = "exam_deadline"
HISTORY_SHOWN = 10
NO_EXAM = "You have no exam in progress. Start one with /quiz exam."
LATE = "Time was up: that answer came after the deadline and does not count."

ExamScreen = ExamQuestion | ExamReview | ExamReport


def deadline_key(exam_id: int) -> str:
    """The deadline row's key. It ends with a separator because `outbox.cancel` matches keys by
    prefix: cancelling exam 1's row must not cancel exam 10's."""
    return f"exam:{exam_id}/"


@dataclass(frozen=True)
class _Found:
    exam: ExamRecord
    items: list[ExamItem]
    bank: QuestionBank
    """The questions of the exam's workspace (its shipped bank and decks)."""


POOLS_KEPT = 64


class ExamService(LibraryUseCase):
    def __init__(
        self,
        uow: UnitOfWork,
        library: Library,
        clock: Clock,
        default_timezone: str = "UTC",
        rng: random.Random | None = None,
        record_card: RecordCard | None = None,
    ) -> None:
        super().__init__(uow, library, clock, default_timezone)
        self._pools: dict[int, ExamPools] = {}
        self._rng = rng or random.Random()
        self.record_card = record_card
        """Issue 17's card update per exam answer (None until the learning feature is wired)."""

    # -- starting -------------------------------------------------------------------------

    async def start(
        self, actor: Actor, topic_query: str | None, questions: int | None, minutes: int | None
    ) -> ExamScreen:
        """A new exam, or the one in progress (an exam runs to its end or `exam stop`)."""
        bank = await self.library.bank_of(actor)
        topic_id, pool = self.pools(bank).pool(topic_query)
        wanted = questions or EXAM_QUESTIONS
        count = min(wanted, len(pool))
        notice = None
        if wanted > len(pool):
            notice = f"The bank has {len(pool)} exam-style questions here, so the exam has {count}."
        length = minutes or minutes_for(count)
        return await self.uow.write(partial(self._start, bank, actor, topic_id, pool, count, length, notice))

    def pools(self, bank: QuestionBank) -> ExamPools:
        """The exam pools of a workspace's bank, worked out once per bank (a few are kept)."""
        pools = self._pools.get(id(bank))
        if pools is None or pools.bank is not bank:
            if len(self._pools) >= POOLS_KEPT:
                self._pools.clear()
            pools = self._pools[id(bank)] = ExamPools(bank)
        return pools

    def _start(
        self,
        bank: QuestionBank,
        actor: Actor,
        topic_id: str | None,
        pool: Sequence[Question],
        count: int,
        minutes: int,
        notice: str | None,
        repositories: Repositories,
    ) -> ExamScreen:
        now = self.clock.now()
        workspace, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
        current = repositories.exams.open_of(user_id)
        if current is not None:
            screen = self._screen(repositories, current, now)
            if isinstance(screen, ExamQuestion):
                return _with_notice(
                    screen, "You have an exam in progress: here it is. /quiz exam stop abandons it."
                )
            if isinstance(screen, ExamReport):
                ended = f"Your last exam was submitted at its deadline: {screen.score} / 1000."
                notice = f"{ended} {notice}" if notice else ended
        drawn = draw(pool, count, repositories.exams.seen(user_id), self._rng)
        deadline = now + timedelta(minutes=minutes)
        exam = repositories.exams.create(
            NewExam(
                user_id,
                workspace.id,
                topic_id,
                [q.id for q in drawn],
                minutes,
                workspace.timezone,
                now,
                deadline,
            )
        )
        if exam is None:
            raise QuizError("You have an exam in progress already: /quiz exam shows it.")
        repositories.outbox.schedule(
            Scheduled(DEADLINE_KIND, deadline_key(exam.id), ANY_PLATFORM, deadline, {"exam": exam.id})
        )
        # The first screen from what was just written, without reading the 65 questions back.
        fresh = [ExamItem(position, q.id, None, None, False, None) for position, q in enumerate(drawn)]
        return _with_notice(self._question(_Found(exam, fresh, bank), 0, now), notice)

    # -- the screens ----------------------------------------------------------------------

    def _question(self, found: _Found, position: int, now: datetime) -> ExamQuestion:
        return question_screen(found.bank, found.exam, found.items, position, now)

    def _screen(self, repositories: Repositories, exam: ExamRecord, now: datetime) -> ExamScreen:
        """Where the exam stands: its current question, or its report once past the deadline."""
        found = self._load(repositories, exam)
        if exam.state == OPEN and now >= exam.deadline:
            return self._finish(repositories, found, now, timed_out=True)
        return self._question(found, exam.position, now)

    def _load(self, repositories: Repositories, exam: ExamRecord) -> _Found:
        bank = self.library.within_id(repositories, exam.workspace_id)
        return _Found(exam, repositories.exams.items(exam.id), bank)

    def _finish(
        self,
        repositories: Repositories,
        found: _Found,
        now: datetime,
        timed_out: bool,
        notice: str | None = None,
    ) -> ExamReport:
        """Submit an open exam (at the deadline at the latest) and keep its answers."""
        exam, items, bank = found.exam, found.items, found.bank
        finished_at = min(now, exam.deadline)
        draft = report(bank, exam, items, timed_out)
        if repositories.exams.finish(exam.id, SUBMITTED, finished_at, draft.correct, draft.score):
            repositories.outbox.cancel(DEADLINE_KIND, deadline_key(exam.id))
            closed = repositories.exams.get(exam.id)
            assert closed is not None
            keep_answers(repositories, bank, closed, items, self.record_card)
            exam = closed
        return report(bank, exam, items, timed_out, notice)

    # -- acting on the exam in progress ---------------------------------------------------

    async def _act(
        self,
        actor: Actor,
        exam_id: int | None,
        act: Callable[[Repositories, _Found, datetime], ExamScreen],
        late_notice: str | None = None,
    ) -> ExamScreen:
        def work(repositories: Repositories) -> ExamScreen:
            now = self.clock.now()
            _, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
            exam = repositories.exams.open_of(user_id)
            if exam is None or (exam_id is not None and exam.id != exam_id):
                ended = repositories.exams.get(exam_id) if exam_id is not None else None
                if ended is not None and ended.user_id == user_id and ended.state == SUBMITTED:
                    bank = self.library.within_id(repositories, ended.workspace_id)
                    return report(bank, ended, repositories.exams.items(ended.id), False)
                raise QuizError(
                    NO_EXAM if exam_id is None else "That exam is over. /quiz exam starts a new one."
                )
            found = self._load(repositories, exam)
            if now >= exam.deadline:
                return self._finish(repositories, found, now, timed_out=True, notice=late_notice)
            return act(repositories, found, now)

        return await self.uow.write(work)

    async def current(self, actor: Actor) -> ExamScreen:
        """The exam in progress where it was left (after a restart or on another device)."""
        return await self._act(
            actor, None, lambda r, found, now: self._question(found, found.exam.position, now)
        )

    async def choose(self, actor: Actor, exam_id: int, position: int, indexes: Sequence[int]) -> ExamScreen:
        """Answer (or change the answer to) one question; no feedback until the report."""

        def act(repositories: Repositories, found: _Found, now: datetime) -> ExamScreen:
            item = _item(found, position)
            question = found.bank.question(item.question_id)
            if question is None:
                raise QuizError(REMOVED)
            chosen, correct = grade_picks(question, choice_seed(found.exam.id, position), indexes)
            repositories.exams.answer(found.exam.id, position, chosen, correct, now)
            repositories.exams.move(found.exam.id, position)
            return self._question(self._load(repositories, found.exam), position, now)

        return await self._act(actor, exam_id, act, late_notice=LATE)

    async def go(self, actor: Actor, exam_id: int, position: int) -> ExamScreen:
        """Show question `position` (Next, Back, or a flagged one from the review)."""

        def act(repositories: Repositories, found: _Found, now: datetime) -> ExamScreen:
            _item(found, position)
            repositories.exams.move(found.exam.id, position)
            return self._question(found, position, now)

        return await self._act(actor, exam_id, act)

    async def flag(self, actor: Actor, exam_id: int, position: int) -> ExamScreen:
        """Flag the question for review, or unflag it."""

        def act(repositories: Repositories, found: _Found, now: datetime) -> ExamScreen:
            repositories.exams.flag(found.exam.id, position, not _item(found, position).flagged)
            return self._question(self._load(repositories, found.exam), position, now)

        return await self._act(actor, exam_id, act)

    async def review(self, actor: Actor, exam_id: int | None) -> ExamScreen:
        """Every question's state before submitting: what is unanswered, what is flagged."""

        def act(repositories: Repositories, found: _Found, now: datetime) -> ExamScreen:
            lines = tuple(
                ReviewLine(i.position, i.choice is not None, i.flagged, _prompt(found.bank, i.question_id))
                for i in found.items
            )
            return ExamReview(found.exam.id, lines, found.exam.deadline, seconds_left(found.exam, now))

        return await self._act(actor, exam_id, act)

    async def submit(self, actor: Actor, exam_id: int | None) -> ExamScreen:
        return await self._act(
            actor, exam_id, lambda r, found, now: self._finish(r, found, now, timed_out=False)
        )

    async def stop(self, actor: Actor) -> ExamStopped:
        """Abandon the exam in progress: no score, no history line, its answers not kept."""

        def work(repositories: Repositories) -> ExamStopped:
            now = self.clock.now()
            _, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
            exam = repositories.exams.open_of(user_id)
            if exam is None:
                raise QuizError(NO_EXAM)
            repositories.exams.finish(exam.id, ABANDONED, now, None, None)
            repositories.outbox.cancel(DEADLINE_KIND, deadline_key(exam.id))
            return ExamStopped("Exam abandoned: it is not scored. /quiz exam starts a new one.")

        return await self.uow.write(work)

    async def history(self, actor: Actor) -> ExamHistory:
        def work(repositories: Repositories) -> list[ExamRecord]:
            workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
            user = workspace and repositories.people.find_user(workspace.id, actor.user)
            return repositories.exams.history(user.id, HISTORY_SHOWN) if user else []

        exams = await self.uow.read(work)
        bank = await self.library.bank_of(actor)
        attempts = tuple(
            ExamAttempt(
                e.finished_at or e.deadline,
                e.score or 0,
                passed(e.score or 0),
                e.correct or 0,
                e.question_count,
                bank.topic(e.topic_id).name if e.topic_id else "All topics",
            )
            for e in exams
        )
        trend = None
        if len(attempts) >= 2:
            earlier = [a.score for a in attempts[1:]]
            trend = attempts[0].score - round(sum(earlier) / len(earlier))
        return ExamHistory(attempts, trend)

    # -- the deadline ---------------------------------------------------------------------

    async def expire(self, exam_id: int) -> bool:
        """Submit the exam if it is still open and its deadline has come; whether it was."""

        def work(repositories: Repositories) -> bool:
            now = self.clock.now()
            exam = repositories.exams.get(exam_id)
            if exam is None or exam.state != OPEN or now < exam.deadline:
                return False
            self._finish(repositories, self._load(repositories, exam), now, timed_out=True)
            return True

        return await self.uow.write(work)


def _prompt(bank: QuestionBank, question_id: str) -> str:
    question = bank.question(question_id)
    return question.prompt if question else "(a question of a deck since removed)"


def _item(found: _Found, position: int) -> ExamItem:
    if not 0 <= position < len(found.items):
        raise QuizError(f"This exam has questions 1 to {len(found.items)}.")
    return found.items[position]


def _with_notice(screen: ExamQuestion, notice: str | None) -> ExamQuestion:
    return replace(screen, notice=notice)
