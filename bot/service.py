"""The core API every adapter calls: plain dataclasses in, plain dataclasses out."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.answering import AnswerRecorder, Submission, UserState, outcome
from bot.bank import QuestionBank
from bot.clock import Clock
from bot.daily.models import Reveal, TeamResult
from bot.db import answer_rows, board_rows, store
from bot.db.database import Database
from bot.db.tables import user_totals
from bot.errors import Command, QuizError
from bot.models import (
    Actor,
    AnswerOutcome,
    AskResult,
    FlashcardAnswer,
    Leaderboard,
    LeaderboardRow,
    Mode,
    NoQuestions,
    Period,
    Place,
    Posted,
    QuestionView,
    Scope,
    TeamChange,
    TeamSummary,
    TopicInfo,
    TopicNotFound,
    TopicStat,
    UserStats,
)
from bot.periods import period_key, period_start
from bot.picking import pick_question
from bot.questions import Kind, Question, Topic
from bot.teams import close_name, near_miss, remove_if_empty
from bot.topics import TopicIndex

FLASHCARD_MATCH_RATIO = 85
FIRST_CORRECT_SHOWN = 3
INSTANCE_CACHE_SIZE = 10_000
KNEW, DID_NOT_KNOW = "(knew it)", "(did not know)"


def _normalize_answer(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def rank_rows(rows: Sequence[Any]) -> tuple[LeaderboardRow, ...]:
    """Competition ranking: equal points share a rank, the next rank skips (1, 2, 2, 4)."""
    ranked: list[LeaderboardRow] = []
    for position, row in enumerate(rows, start=1):
        tied = ranked and ranked[-1].points == row.points
        rank = ranked[-1].rank if tied else position
        ranked.append(LeaderboardRow(rank, row.name, row.points, row.answers, row.correct))
    return tuple(ranked)


class QuizService:
    def __init__(
        self,
        database: Database,
        bank: QuestionBank,
        clock: Clock,
        default_timezone: str = "UTC",
        rng: random.Random | None = None,
    ) -> None:
        self.database = database
        self.bank = bank
        self.clock = clock
        self.default_timezone = default_timezone
        self.topic_index = TopicIndex(bank.topics)
        self._rng = rng or random.Random()
        self.recorder = AnswerRecorder(database, default_timezone)
        self._instances: dict[int, asyncio.Future[store.InstanceRow | None]] = {}

    # -- topics ---------------------------------------------------------------------------

    def _info(self, topic: Topic) -> TopicInfo:
        return TopicInfo(topic.id, topic.name, topic.aliases, len(self.bank.in_topic(topic.id)))

    def topics(self) -> tuple[TopicInfo, ...]:
        return tuple(self._info(t) for t in self.bank.topics)

    def complete_topic(self, prefix: str, limit: int = 25) -> tuple[TopicInfo, ...]:
        return tuple(self._info(t) for t in self.topic_index.complete(prefix, limit))

    # -- identity, inside a transaction ------------------------------------------------------

    def _workspace(self, connection: Connection, platform: str, external: str, name: str) -> Any:
        return store.workspace(connection, platform, external, name, self.default_timezone, self.clock.now())

    def identify(self, connection: Connection, actor: Actor) -> tuple[Any, Any]:
        """The actor's workspace and user rows, created or renamed as needed; synchronous, so that
        a whole transaction can cross to the database thread once (`Database.write_sync`), and
        run from async code as `await connection.run_sync(quiz.identify, actor)`."""
        workspace = self._workspace(connection, actor.platform, actor.workspace, actor.workspace_name)
        user = store.user(connection, workspace.id, actor.user, actor.display_name, self.clock.now())
        return workspace, user

    # -- asking ---------------------------------------------------------------------------

    def view(
        self,
        instance_id: int,
        question: Question,
        mode: Mode,
        count: int = 0,
        daily_date: date | None = None,
        asked_topic: str | None = None,
    ) -> QuestionView:
        """How adapters show a posted question; the answer is not in it. Its heading names the
        topic it was asked under, else the question's first topic."""
        shown = asked_topic if asked_topic in question.topics else question.primary_topic
        topic = self.bank.topic(shown)
        return QuestionView(
            instance_id=instance_id,
            question_id=question.id,
            topic_id=topic.id,
            topic_name=topic.name,
            kind=question.kind,
            difficulty=question.difficulty,
            prompt=question.prompt,
            choices=question.choices,
            mode=mode,
            answer_count=count,
            daily_date=daily_date,
        )

    def _pick(
        self, connection: Connection, channel_id: int, user_id: int | None, pool: Sequence[Question]
    ) -> tuple[Question, bool]:
        """The next question of the pool, and whether the pool was used up (it is a repeat)."""
        seen = store.last_seen(connection, channel_id, user_id, [q.id for q in pool])
        picked = pick_question([q.id for q in pool], seen, self._rng)
        return self.bank.by_id[picked], picked in seen

    def pool(self, topic_id: str | None) -> tuple[Question, ...]:
        return self.bank.in_topic(topic_id) if topic_id else self.bank.questions

    async def reveal_stats(self, instance_id: int) -> Reveal:
        """The answer of a daily question and how its channel did; answers after it score nothing."""
        async with self.database.read() as connection:
            row = await store.instance(connection, instance_id)
            rows = await store.answers_with_teams(connection, instance_id)
        if row is None or row.daily_date is None:
            raise QuizError("That is not a daily question.")
        question = self.bank.by_id[row.question_id]
        teams: dict[str, list[int]] = {}
        for answer in rows:
            if answer.team is not None:
                tally = teams.setdefault(answer.team, [0, 0])
                tally[0] += 1
                tally[1] += int(answer.correct)
        return Reveal(
            instance_id=instance_id,
            daily_date=row.daily_date,
            prompt=question.prompt,
            answer=question.answer,
            explanation=question.explanation,
            source=question.source,
            answered=len(rows),
            correct=sum(int(a.correct) for a in rows),
            first_correct=tuple(a.display_name for a in rows if a.correct)[:FIRST_CORRECT_SHOWN],
            teams=tuple(
                TeamResult(name, answered, correct)
                for name, (answered, correct) in sorted(teams.items(), key=lambda t: (-t[1][1], t[0]))
            ),
        )

    async def ask(self, actor: Actor, channel: str, topic_query: str | None = None) -> AskResult:
        """Post a practice question on a topic (any topic when None) in a channel."""
        topic_id, pool = None, self.bank.questions
        if topic_query:
            topic = self.topic_index.resolve(topic_query)
            if topic is None:
                return TopicNotFound(
                    topic_query, self.topic_index.suggest(topic_query), tuple(t.id for t in self.bank.topics)
                )
            topic_id, pool = topic.id, self.bank.in_topic(topic.id)
            if not pool:
                return NoQuestions(topic.id)
        post = partial(self._post, actor, channel, pool, topic_id)
        instance_id, question, repeated = await self.database.write_sync(post)
        return Posted(self.view(instance_id, question, Mode.PRACTICE, asked_topic=topic_id), repeated)

    def _post(
        self,
        actor: Actor,
        channel: str,
        pool: Sequence[Question],
        topic_id: str | None,
        connection: Connection,
    ) -> tuple[int, Question, bool]:
        """The transaction of `ask`, run whole on the database thread: asks come between the
        batches of answers, which wait for them, so an ask must not hold the writer for a wait on
        the event loop at every statement."""
        workspace, user = self.identify(connection, actor)
        channel_row = store.channel(connection, workspace.id, channel)
        question, repeated = self._pick(connection, channel_row.id, user.id, pool)
        instance_id = store.insert_instance(
            connection,
            channel_id=channel_row.id,
            question_id=question.id,
            mode=Mode.PRACTICE.value,
            now=self.clock.now(),
            posted_by=user.id,
            topic_id=topic_id,
        )
        return instance_id, question, repeated

    async def set_message_ref(self, instance_id: int, ref: str) -> None:
        """Remember the platform's id of the message showing an instance, to update it later."""
        await self.database.write_sync(partial(store.set_message_ref, instance_id=instance_id, ref=ref))

    async def question_view(self, instance_id: int) -> QuestionView:
        """The instance as it stands now (its answer count read afresh, not cached)."""
        row = await self._read_instance(instance_id)
        if row is None or self.bank.question(row.question_id) is None:
            raise QuizError("That question is no longer available. Ask for a new one with /quiz.")
        question = self.bank.by_id[row.question_id]
        return self.view(row.id, question, Mode(row.mode), row.answer_count, row.daily_date, row.topic_id)

    # -- answering ------------------------------------------------------------------------

    def _checked(self, row: store.InstanceRow | None, actor: Actor) -> Question:
        if row is None or (row.platform, row.workspace_external_id) != (actor.platform, actor.workspace):
            raise QuizError("That question is no longer available. Ask for a new one with /quiz.")
        question = self.bank.question(row.question_id)
        if question is None:
            raise QuizError("That question was retired from the bank. Ask for a new one with /quiz.")
        return question

    async def answer_choice(self, actor: Actor, instance_id: int, index: int) -> AnswerOutcome:
        """Answer a multiple-choice or true/false question with the choice at `index`."""

        def grade(question: Question) -> tuple[str, bool]:
            if question.kind is Kind.FLASHCARD or not 0 <= index < len(question.choices):
                raise QuizError("That is not one of this question's choices.")
            return question.choices[index], index == question.answer_index

        return await self._answer(actor, instance_id, grade)

    async def answer_text(self, actor: Actor, instance_id: int, text: str) -> AnswerOutcome:
        """Answer with typed text: a flashcard's answer, or a choice's text or letter."""

        def grade(question: Question) -> tuple[str, bool]:
            typed = _normalize_answer(text)
            if not typed:
                raise QuizError("Type an answer first.")
            if question.kind is not Kind.FLASHCARD:
                for i, choice in enumerate(question.choices):
                    if typed == _normalize_answer(choice):
                        return choice, i == question.answer_index
                raise QuizError("That is not one of this question's choices.")
            targets = [_normalize_answer(a) for a in (question.answer, *question.accepted)]
            correct = any(fuzz.ratio(typed, t) >= FLASHCARD_MATCH_RATIO for t in targets)
            return text.strip()[:200], correct

        return await self._answer(actor, instance_id, grade)

    async def answer_self_grade(self, actor: Actor, instance_id: int, knew: bool) -> AnswerOutcome:
        """A flashcard graded by the user after seeing the answer."""

        def grade(question: Question) -> tuple[str, bool]:
            if question.kind is not Kind.FLASHCARD:
                raise QuizError("Only flashcards are graded by yourself.")
            return (KNEW if knew else DID_NOT_KNOW), knew

        return await self._answer(actor, instance_id, grade)

    async def show_flashcard(self, actor: Actor, instance_id: int) -> FlashcardAnswer:
        async with self.database.read() as connection:
            row = await store.instance(connection, instance_id)
            question = self._checked(row, actor)
            workspace = await store.find_workspace(connection, actor.platform, actor.workspace)
            user = workspace and await store.find_user(connection, workspace.id, actor.user)
            previous = user and await store.existing_answer(connection, instance_id, user.id)
            earlier = None
            if previous and row is not None:
                earlier = await self._repeat(connection, row, question, previous, user)
        return FlashcardAnswer(
            instance_id, question.prompt, question.answer, question.accepted, question.explanation, earlier
        )

    async def _repeat(
        self, connection: AsyncConnection, row: store.InstanceRow, question: Question, answer: Any, user: Any
    ) -> AnswerOutcome:
        totals = await store.totals_of(connection, user_totals, "user_id", user.id, ["all"])
        total = totals["all"].points if "all" in totals else 0
        return outcome(
            row,
            question,
            chosen=answer.choice,
            correct=answer.correct,
            points=answer.points,
            user=UserState(user.streak, user.daily_streak, total, None),
            repeat=True,
            late=answer.late,
            count=row.answer_count,
        )

    async def _instance(self, instance_id: int) -> store.InstanceRow | None:
        """An instance's fixed facts (channel, question, mode...), read once and shared by every
        click on it, even by the many that arrive before the first read returns.

        `revealed_at` and `answer_count` in the cached row go stale; the recorder reads them
        fresh in its transaction.
        """
        loading = self._instances.get(instance_id)
        if loading is None:
            if len(self._instances) >= INSTANCE_CACHE_SIZE:
                self._instances.pop(next(iter(self._instances)))
            loading = asyncio.ensure_future(self._read_instance(instance_id))
            self._instances[instance_id] = loading
        try:
            row = await asyncio.shield(loading)
        except BaseException:
            self._instances.pop(instance_id, None)
            raise
        if row is None:
            self._instances.pop(instance_id, None)
        return row

    async def _read_instance(self, instance_id: int) -> store.InstanceRow | None:
        return await self.database.read_sync(partial(answer_rows.instance, instance_id=instance_id))

    async def _answer(self, actor: Actor, instance_id: int, grade: Any) -> AnswerOutcome:
        """Record the first answer of a user to an instance; later ones get the first result."""
        row = await self._instance(instance_id)
        question = self._checked(row, actor)
        assert row is not None
        chosen, correct = grade(question)
        submission = Submission(actor, row, question, chosen, correct, self.clock.now())
        return await self.recorder.record(submission)

    # -- leaderboards and stats -------------------------------------------------------------

    async def leaderboard(
        self, place: Place, period: Period = Period.WEEK, scope: Scope = Scope.PEOPLE, limit: int = 10
    ) -> Leaderboard:
        now = self.clock.now()
        read = partial(
            board_rows.board,
            platform=place.platform,
            workspace_external_id=place.workspace,
            period=period,
            scope=scope,
            now=now,
            default_timezone=self.default_timezone,
            limit=limit,
        )
        found = await self.database.read_sync(read)
        start = period_start(period, now, found.timezone)
        return Leaderboard(period, scope, rank_rows(found.rows), start, found.timezone.key)

    async def stats(self, actor: Actor) -> UserStats:
        now = self.clock.now()
        async with self.database.read() as connection:
            workspace = await store.find_workspace(connection, actor.platform, actor.workspace)
            user = workspace and await store.find_user(connection, workspace.id, actor.user)
            if not workspace or not user:
                return UserStats(actor.display_name, None, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            timezone = ZoneInfo(workspace.timezone)
            keys = {p: period_key(p, now, timezone) for p in Period}
            totals = await store.totals_of(connection, user_totals, "user_id", user.id, list(keys.values()))
            team = await store.team_of(connection, user.id)
            per_question = await store.answers_by_question(connection, user.id)

        def points(period: Period) -> int:
            row = totals.get(keys[period])
            return row.points if row else 0

        everything = totals.get(keys[Period.ALL])
        return UserStats(
            name=user.display_name,
            team=team.name if team else None,
            points_week=points(Period.WEEK),
            points_month=points(Period.MONTH),
            points_all=points(Period.ALL),
            answers=everything.answers if everything else 0,
            correct=everything.correct if everything else 0,
            streak=user.streak,
            best_streak=user.best_streak,
            daily_streak=user.daily_streak,
            best_daily_streak=user.best_daily_streak,
            by_topic=self._by_topic(per_question),
        )

    def _by_topic(self, per_question: Sequence[Any]) -> tuple[TopicStat, ...]:
        counts: dict[str, list[int]] = {}
        for row in per_question:
            question = self.bank.question(row.question_id)
            if question is not None:
                tally = counts.setdefault(question.primary_topic, [0, 0])
                tally[0] += row.answers
                tally[1] += int(row.correct or 0)
        return tuple(
            TopicStat(t.id, t.name, counts[t.id][0], counts[t.id][1])
            for t in self.bank.topics
            if t.id in counts
        )

    # -- teams ----------------------------------------------------------------------------

    async def join_team(self, actor: Actor, name: str, create: bool = False) -> TeamChange:
        """Join the team with this name (case-insensitive), creating it if it does not exist;
        a name close to an existing team's is refused with that team offered, unless `create`."""
        async with self.database.write() as connection:
            workspace, user = await connection.run_sync(self.identify, actor)
            previous = await store.team_of(connection, user.id)
            existing = await store.find_team(connection, workspace.id, name.casefold())
            if existing is None and not create:
                near = await close_name(connection, workspace.id, name)
                if near is not None:
                    raise near_miss(name, near)
            team = existing or await store.create_team(connection, workspace.id, name, self.clock.now())
            if previous is not None and previous.id == team.id:
                raise QuizError(f"You are already in the team {team.name}.")
            await store.set_team(connection, user.id, team.id, self.clock.now())
            if previous is not None:
                await remove_if_empty(connection, previous.id)
        return TeamChange(team.name, previous.name if previous else None, created=existing is None)

    async def leave_team(self, actor: Actor) -> TeamChange:
        """Leave the team; a team left empty is removed."""
        async with self.database.write() as connection:
            _, user = await connection.run_sync(self.identify, actor)
            previous = await store.team_of(connection, user.id)
            if previous is None:
                raise QuizError("You are not in a team. Join one with ", Command.TEAM_JOIN, ".")
            await store.set_team(connection, user.id, None, self.clock.now())
            await remove_if_empty(connection, previous.id)
        return TeamChange(None, previous.name)

    async def teams(self, place: Place) -> tuple[TeamSummary, ...]:
        async with self.database.read() as connection:
            workspace = await store.find_workspace(connection, place.platform, place.workspace)
            rows = await store.list_teams(connection, workspace.id) if workspace else []
        return tuple(TeamSummary(r.name, r.members, r.points) for r in rows)
