"""Recording answers with group commit: the answers that arrive together share one transaction.

A single SQLite writer commits one transaction at a time, so one transaction per answer caps a
busy channel at a few hundred answers a second. Here one writer task takes every answer queued
so far (up to a batch, taken in turn between workspaces: `InTurn`), reads what it needs for all
of them in a handful of queries, applies the scoring rules in order in memory, and writes the
results with one statement per table. A batch commits or rolls back whole: every waiting caller
gets the outcome, or the error.

The batch is one transaction of the unit of work (`_record`): on SQLite it crosses to the
writer thread once, where aiosqlite would cross three or four times per statement, each return
waiting its turn on a busy event loop (that waiting, not SQLite, was most of an answer's
latency); on PostgreSQL it runs through `run_sync`.

If another process inserted one of the batch's answers in the meantime (PostgreSQL, several
processes), the batch is rolled back and its answers are recorded one at a time instead, each
seeing the other process's answer as the first. If the database refuses one answer's values, the
batch is committed again in halves until that answer is alone: its user is told, the others are
recorded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.app.answer_batch import Batch, InTurn, Submission, add_tally, outcome
from bot.app.learning_ports import PRIVATE_MODES
from bot.app.ports import (
    NewAnswer,
    RecordedAnswer,
    Repositories,
    UnitOfWork,
    Workspace,
)
from bot.app.urgent import acknowledging
from bot.errors import QuizError, StorageUnavailable
from bot.metrics import ANSWERS
from bot.models import Actor, AnswerOutcome, Mode, Scope
from bot.periods import period_keys
from bot.recall import Recall
from bot.scoring import score_answer

log = logging.getLogger(__name__)

MAX_BATCH = 500
_RACE_RETRIES = 3


class _Raced(Exception):
    """Another process recorded one of the batch's answers first."""


class AnswerRecorder:
    def __init__(
        self, uow: UnitOfWork, default_timezone: str, max_batch: int = MAX_BATCH, recall: Recall | None = None
    ) -> None:
        self.uow = uow
        self.recall = recall or Recall()
        self.default_timezone = default_timezone
        self.max_batch = max_batch
        self._waiting: InTurn[tuple[Submission, asyncio.Future[AnswerOutcome]]] = InTurn()
        self._writer: asyncio.Task[None] | None = None
        # Ids of workspaces and users already in the database; filled only after a commit.
        self._workspace_ids: dict[tuple[str, str], tuple[int, str]] = {}
        self._user_ids: dict[tuple[int, str], tuple[int, str]] = {}

    async def record(self, submission: Submission) -> AnswerOutcome:
        future: asyncio.Future[AnswerOutcome] = asyncio.get_running_loop().create_future()
        self._waiting.put((submission.actor.platform, submission.actor.workspace), (submission, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued(), name="answer-writer")
        return await future

    async def _write_queued(self) -> None:
        """Write batches until the queue is empty, then end (the next answer starts a new task).
        Acknowledgements wait for these batches: their transactions go first."""
        acknowledging()
        while self._waiting:
            batch = self._waiting.take(self.max_batch)
            try:
                outcomes = await self._commit_isolating([submission for submission, _ in batch])
            except BaseException as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    raise
                continue
            for (_, future), result in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    async def _commit_isolating(self, submissions: Sequence[Submission]) -> list[AnswerOutcome | Exception]:
        """Commit the batch; when the database refuses one of its answers (a value it will not
        store), find that answer by committing halves, so that only its user gets the error and
        every other answer is recorded. An unavailable database fails the whole batch: that is
        every answer's problem, and retrying would only wait longer."""
        try:
            return list(await self._commit(submissions))
        except (StorageUnavailable, asyncio.CancelledError):
            raise
        except Exception as error:
            if len(submissions) == 1:
                return [_refused(submissions[0], error)]
            log.warning("a batch of %s answers failed (%s); retrying it in halves", len(submissions), error)
        middle = len(submissions) // 2
        return [
            *await self._commit_isolating(submissions[:middle]),
            *await self._commit_isolating(submissions[middle:]),
        ]

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
        batch = Batch()
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
        self, submissions: Sequence[Submission], batch: Batch, repositories: Repositories
    ) -> list[AnswerOutcome]:
        """The whole transaction of a batch (on SQLite in the writer thread, while the event
        loop only reads the recorder's caches)."""
        outcomes = self._decide(repositories, submissions, batch)
        _write(repositories, batch)
        return outcomes

    def _identify(
        self, repositories: Repositories, submissions: Sequence[Submission], batch: Batch
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
        self, repositories: Repositories, submissions: Sequence[Submission], batch: Batch
    ) -> list[AnswerOutcome]:
        """Read everything the batch needs, then apply the rules to each answer in order."""
        identities = self._identify(repositories, submissions, batch)
        user_ids = sorted({user_id for _, _, user_id in identities})
        pairs = {(s.instance.id, user_id) for s, (_, _, user_id) in zip(submissions, identities, strict=True)}
        batch.counts, batch.first = repositories.answers.states_and_answers(sorted(pairs))
        batch.state = repositories.answers.user_states(user_ids)
        batch.cards = repositories.cards.memories(
            sorted(
                {(user_id, s.question.id) for s, (_, _, user_id) in zip(submissions, identities, strict=True)}
            )
        )
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
        batch: Batch,
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
            if previous is None and batch.on_vacation(repositories, user_id, instance.daily_date):
                daily_before = user.daily_streak
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
        batch.remember(self.recall, user_id, submission)
        batch.tally_for_dashboard(submission, workspace_id, timezone, user_id, user.team_id, late)
        if not late:
            batch.question_counts.add(submission.question, user_id, submission.chosen, submission.correct)
            user.streak, user.daily_streak = score.streak, score.daily_streak
            user.total += score.points
            batch.workspace_of_user[user_id] = workspace_id
        if not late and instance.mode not in PRIVATE_MODES:
            # Private answers keep streaks but write no leaderboard totals (README: reviews).
            for key in period_keys(submission.answered_at, ZoneInfo(timezone)):
                add_tally(batch.user_totals, (user_id, key), score.points, submission.correct)
                if user.team_id is not None:
                    batch.workspace_of_team[user.team_id] = workspace_id
                    add_tally(batch.team_totals, (user.team_id, key), score.points, submission.correct)
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


def _write(repositories: Repositories, batch: Batch) -> None:
    """Every table the batch changes, one statement each (the answers first: a race shows there)."""
    if not batch.new_answers:
        return
    if repositories.answers.insert(batch.new_answers) != len(batch.new_answers):
        raise _Raced()
    repositories.cards.put(batch.changed_cards, batch.new_answers[-1].answered_at)
    repositories.cards.log(batch.reviews)
    repositories.posts.add_answer_counts(batch.increments)
    repositories.people.set_streaks(
        {uid: (s.streak, s.daily_streak) for uid, s in batch.state.items() if uid in batch.workspace_of_user}
    )
    repositories.answers.add_totals(Scope.PEOPLE, batch.user_totals, batch.workspace_of_user)
    repositories.answers.add_totals(Scope.TEAMS, batch.team_totals, batch.workspace_of_team)
    batch.dashboard.write(repositories)
    batch.question_counts.write(repositories.feedback)


def _refused(submission: Submission, error: Exception) -> QuizError:
    """The one answer of a batch the database would not store: logged, and its user told."""
    actor = submission.actor
    log.exception(
        "the database refused the answer of %s/%s/%s to %s",
        actor.platform,
        actor.workspace,
        actor.user,
        submission.instance.id,
        exc_info=error,
    )
    refused = QuizError(
        "Your answer could not be saved: the quiz database refused it, so nothing was "
        "recorded. Please tell an admin; the reason is in Studybot's log."
    )
    refused.__cause__ = error
    return refused
