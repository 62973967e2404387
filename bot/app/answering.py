"""Recording answers with group commit: the answers that arrive together share one transaction.

A single SQLite writer commits one transaction at a time, so one transaction per answer caps a
busy channel at a few hundred answers a second. Here one writer task takes every answer queued
so far, reads what it needs for all of them in a handful of queries, applies the scoring rules
in order in memory, and writes the results with one statement per table. A batch commits or
rolls back whole: every waiting caller gets the outcome, or the error.

The batch is one transaction of the unit of work (`_record`): on SQLite it crosses to the
writer thread once, where aiosqlite would cross three or four times per statement, each return
waiting its turn on a busy event loop (that waiting, not SQLite, was most of an answer's
latency); on PostgreSQL it runs through `run_sync`.

If another process inserted one of the batch's answers in the meantime (PostgreSQL, several
processes), the batch is rolled back and its answers are recorded one at a time instead, each
seeing the other process's answer as the first."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.app.dashboard_tally import DashboardTally
from bot.app.ports import (
    NewAnswer,
    PostedQuestion,
    RecordedAnswer,
    Repositories,
    UnitOfWork,
    UserState,
    Workspace,
)
from bot.app.question_counts import CountsBatch
from bot.choices import answer_feedback
from bot.metrics import ANSWERS
from bot.models import Actor, AnswerOutcome, Mode, Scope
from bot.periods import period_keys
from bot.questions import Question
from bot.scoring import score_answer

MAX_BATCH = 500
_RACE_RETRIES = 3


@dataclass(frozen=True)
class Submission:
    """A graded answer waiting to be recorded."""

    actor: Actor
    instance: PostedQuestion
    question: Question
    chosen: str
    correct: bool
    answered_at: datetime


class _Raced(Exception):
    """Another process recorded one of the batch's answers first."""


@dataclass
class _Batch:
    """What one transaction learns and decides about its submissions."""

    users: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)
    counts: dict[int, tuple[bool, int]] = field(default_factory=dict)
    first: dict[tuple[int, int], RecordedAnswer] = field(default_factory=dict)
    state: dict[int, UserState] = field(default_factory=dict)
    new_answers: list[NewAnswer] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    increments: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    user_totals: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    team_totals: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    workspace_of_user: dict[int, int] = field(default_factory=dict)
    workspace_of_team: dict[int, int] = field(default_factory=dict)
    dashboard: DashboardTally = field(default_factory=DashboardTally)
    question_counts: CountsBatch = field(default_factory=CountsBatch)


def _add(totals: dict[tuple[int, str], list[int]], key: tuple[int, str], points: int, correct: bool) -> None:
    tally = totals.setdefault(key, [0, 0, 0])
    tally[0] += points
    tally[1] += 1
    tally[2] += int(correct)


def outcome(
    instance: PostedQuestion,
    question: Question,
    *,
    chosen: str,
    correct: bool,
    points: int,
    user: UserState,
    repeat: bool,
    late: bool,
    count: int,
) -> AnswerOutcome:
    correct_answers, picked = answer_feedback(question, instance.id, chosen)
    return AnswerOutcome(
        instance_id=instance.id,
        question_id=question.id,
        kind=question.kind,
        correct=correct,
        chosen=chosen,
        correct_answer=question.answer,
        explanation=question.explanation,
        source=question.source,
        points=points,
        total_points=user.total,
        streak=user.streak,
        daily_streak=user.daily_streak,
        repeat=repeat,
        late=late,
        answer_count=count,
        mode=Mode(instance.mode),
        correct_answers=correct_answers,
        picked=picked,
    )


class AnswerRecorder:
    def __init__(self, uow: UnitOfWork, default_timezone: str, max_batch: int = MAX_BATCH) -> None:
        self.uow = uow
        self.default_timezone = default_timezone
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Submission, asyncio.Future[AnswerOutcome]]] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        # Ids of workspaces and users already in the database; filled only after a commit.
        self._workspace_ids: dict[tuple[str, str], tuple[int, str]] = {}
        self._user_ids: dict[tuple[int, str], tuple[int, str]] = {}

    async def record(self, submission: Submission) -> AnswerOutcome:
        future: asyncio.Future[AnswerOutcome] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((submission, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued(), name="answer-writer")
        return await future

    async def _write_queued(self) -> None:
        """Write batches until the queue is empty, then end (the next answer starts a new task)."""
        while not self._queue.empty():
            batch = [self._queue.get_nowait() for _ in range(min(self.max_batch, self._queue.qsize()))]
            try:
                outcomes = await self._commit([submission for submission, _ in batch])
            except BaseException as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    raise
                continue
            for (_, future), result in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _commit(self, submissions: Sequence[Submission]) -> list[AnswerOutcome]:
        try:
            return await self._commit_once(submissions)
        except _Raced:
            results = []
            for submission in submissions:
                for attempt in range(_RACE_RETRIES):
                    try:
                        results.extend(await self._commit_once([submission]))
                        break
                    except _Raced:
                        if attempt == _RACE_RETRIES - 1:
                            raise
            return results

    async def _commit_once(self, submissions: Sequence[Submission]) -> list[AnswerOutcome]:
        await self._know_workspaces(submissions)
        batch = _Batch()
        outcomes = await self.uow.write(partial(self._record, submissions, batch))
        self._user_ids.update(batch.users)
        for mode in batch.modes:
            ANSWERS.labels(mode=mode).inc()
        return outcomes

    async def _know_workspaces(self, submissions: Sequence[Submission]) -> None:
        """Find or create, in a transaction of their own, the workspaces not met before; this
        happens once per workspace and process."""
        for submission in submissions:
            actor = submission.actor
            key = (actor.platform, actor.workspace)
            if key not in self._workspace_ids:
                workspace = await self.uow.write(partial(self._workspace, actor, submission.answered_at))
                self._workspace_ids[key] = (workspace.id, workspace.timezone)

    def _workspace(self, actor: Actor, now: datetime, repositories: Repositories) -> Workspace:
        return repositories.people.workspace(
            actor.platform, actor.workspace, actor.workspace_name, self.default_timezone, now
        )

    def _record(
        self, submissions: Sequence[Submission], batch: _Batch, repositories: Repositories
    ) -> list[AnswerOutcome]:
        """The whole transaction of a batch (on SQLite in the writer thread, while the event
        loop only reads the recorder's caches)."""
        outcomes = self._decide(repositories, submissions, batch)
        self._write(repositories, batch)
        return outcomes

    def _identify(
        self, repositories: Repositories, submissions: Sequence[Submission], batch: _Batch
    ) -> list[tuple[int, str, int]]:
        """(workspace id, workspace time zone, user id) of each submission; users new to the
        database, or whose display name changed, are written in one statement."""
        wanted: dict[tuple[int, str], str] = {}
        for submission in submissions:
            actor = submission.actor
            user_key = (self._workspace_ids[(actor.platform, actor.workspace)][0], actor.user)
            known_user = self._user_ids.get(user_key)
            if known_user is not None and known_user[1] == actor.display_name:
                batch.users[user_key] = known_user
            else:
                wanted[user_key] = actor.display_name
        if wanted:
            ids = repositories.people.ensure_users(wanted, submissions[0].answered_at)
            batch.users.update({key: (ids[key], name) for key, name in wanted.items()})
        identities = []
        for submission in submissions:
            actor = submission.actor
            workspace_id, timezone = self._workspace_ids[(actor.platform, actor.workspace)]
            identities.append((workspace_id, timezone, batch.users[(workspace_id, actor.user)][0]))
        return identities

    def _decide(
        self, repositories: Repositories, submissions: Sequence[Submission], batch: _Batch
    ) -> list[AnswerOutcome]:
        """Read everything the batch needs, then apply the rules to each answer in order."""
        identities = self._identify(repositories, submissions, batch)
        user_ids = sorted({user_id for _, _, user_id in identities})
        pairs = {(s.instance.id, user_id) for s, (_, _, user_id) in zip(submissions, identities, strict=True)}
        batch.counts, batch.first = repositories.answers.states_and_answers(sorted(pairs))
        batch.state = repositories.answers.user_states(user_ids)
        batch.dashboard.read_last_days(repositories, user_ids)
        return [
            self._apply(repositories, submission, workspace_id, timezone, user_id, batch)
            for submission, (workspace_id, timezone, user_id) in zip(submissions, identities, strict=True)
        ]

    def _apply(
        self,
        repositories: Repositories,
        submission: Submission,
        workspace_id: int,
        timezone: str,
        user_id: int,
        batch: _Batch,
    ) -> AnswerOutcome:
        instance = submission.instance
        user = batch.state[user_id]
        revealed, count = batch.counts[instance.id]
        first = batch.first.get((instance.id, user_id))
        if first is not None:
            return outcome(
                instance,
                submission.question,
                chosen=first.choice,
                correct=first.correct,
                points=first.points,
                user=user,
                repeat=True,
                late=first.late,
                count=count,
            )
        late = revealed
        daily_before = user.daily_streak
        if instance.daily_date is not None:
            previous = repositories.answers.previous_daily(instance.channel_id, instance.daily_date, user_id)
            daily_before = (
                user.daily_streak if previous is not None and previous.correct and not previous.late else 0
            )
        score = score_answer(
            correct=submission.correct,
            difficulty=submission.question.difficulty,
            mode=Mode(instance.mode),
            late=late,
            streak=user.streak,
            daily_streak=daily_before,
        )
        count += 1
        batch.counts[instance.id] = (revealed, count)
        batch.increments[instance.id] += 1
        batch.first[(instance.id, user_id)] = RecordedAnswer(
            submission.chosen, submission.correct, score.points, late
        )
        batch.new_answers.append(
            NewAnswer(
                instance.id,
                user_id,
                user.team_id,
                submission.chosen,
                submission.correct,
                score.points,
                late,
                submission.answered_at,
            )
        )
        batch.modes.append(instance.mode)
        batch.dashboard.note(
            workspace_id=workspace_id,
            timezone=timezone,
            user_id=user_id,
            team_id=user.team_id,
            instance=instance,
            question=submission.question,
            chosen=submission.chosen,
            correct=submission.correct,
            late=late,
            answered_at=submission.answered_at,
        )
        if not late:
            batch.question_counts.add(submission.question, user_id, submission.chosen, submission.correct)
            user.streak, user.daily_streak = score.streak, score.daily_streak
            user.total += score.points
            batch.workspace_of_user[user_id] = workspace_id
            for key in period_keys(submission.answered_at, ZoneInfo(timezone)):
                _add(batch.user_totals, (user_id, key), score.points, submission.correct)
                if user.team_id is not None:
                    batch.workspace_of_team[user.team_id] = workspace_id
                    _add(batch.team_totals, (user.team_id, key), score.points, submission.correct)
        return outcome(
            instance,
            submission.question,
            chosen=submission.chosen,
            correct=submission.correct,
            points=score.points,
            user=user,
            repeat=False,
            late=late,
            count=count,
        )

    def _write(self, repositories: Repositories, batch: _Batch) -> None:
        if not batch.new_answers:
            return
        if repositories.answers.insert(batch.new_answers) != len(batch.new_answers):
            raise _Raced()
        repositories.posts.add_answer_counts(batch.increments)
        repositories.people.set_streaks(
            {
                uid: (s.streak, s.daily_streak)
                for uid, s in batch.state.items()
                if uid in batch.workspace_of_user
            }
        )
        repositories.answers.add_totals(Scope.PEOPLE, batch.user_totals, batch.workspace_of_user)
        repositories.answers.add_totals(Scope.TEAMS, batch.team_totals, batch.workspace_of_team)
        batch.dashboard.write(repositories)
        batch.question_counts.write(repositories.feedback)
