"""Where people and teams stand: leaderboards and a person's stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.app.library import LibraryUseCase
from bot.app.ports import BoardLine, QuestionTally, Repositories, User
from bot.bank import QuestionBank
from bot.models import (
    Actor,
    Leaderboard,
    LeaderboardRow,
    Period,
    Place,
    Scope,
    TopicStat,
    UserStats,
)
from bot.periods import period_key, period_start


def rank_rows(rows: Sequence[BoardLine]) -> tuple[LeaderboardRow, ...]:
    """Competition ranking: equal points share a rank, the next rank skips (1, 2, 2, 4)."""
    ranked: list[LeaderboardRow] = []
    for position, row in enumerate(rows, start=1):
        tied = ranked and ranked[-1].points == row.points
        rank = ranked[-1].rank if tied else position
        ranked.append(LeaderboardRow(rank, row.name, row.points, row.answers, row.correct))
    return tuple(ranked)


class Standings(LibraryUseCase):
    async def leaderboard(
        self, place: Place, period: Period = Period.WEEK, scope: Scope = Scope.PEOPLE, limit: int = 10
    ) -> Leaderboard:
        now = self.clock.now()

        def read(repositories: Repositories) -> tuple[ZoneInfo, list[BoardLine]]:
            workspace = repositories.people.find_workspace(place.platform, place.workspace)
            if workspace is None:
                return ZoneInfo(self.default_timezone), []
            timezone = ZoneInfo(workspace.timezone)
            key = period_key(period, now, timezone)
            return timezone, repositories.answers.top(workspace.id, key, scope, limit)

        timezone, lines = await self.uow.read(read)
        start = period_start(period, now, timezone)
        return Leaderboard(period, scope, rank_rows(lines), start, timezone.key)

    async def stats(self, actor: Actor) -> UserStats:
        found = await self.uow.read(partial(self._stats, actor, self.clock.now()))
        if found is None:
            return UserStats(actor.display_name, None, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        user, team, points, per_question = found
        bank = await self.library.bank_of(actor)
        return UserStats(
            name=user.display_name,
            team=team,
            points_week=points.get(Period.WEEK, 0),
            points_month=points.get(Period.MONTH, 0),
            points_all=points.get(Period.ALL, 0),
            # Every answer in time, private ones (reviews) too: they score no points but count
            # for stats (README: reviews); the period totals hold only the leaderboards' answers.
            answers=sum(tally.answers for tally in per_question),
            correct=sum(tally.correct for tally in per_question),
            streak=user.streak,
            best_streak=user.best_streak,
            daily_streak=user.daily_streak,
            best_daily_streak=user.best_daily_streak,
            by_topic=self._by_topic(bank, per_question),
        )

    @staticmethod
    def _stats(
        actor: Actor, now: datetime, repositories: Repositories
    ) -> tuple[User, str | None, dict[Period, int], list[QuestionTally]] | None:
        workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
        user = workspace and repositories.people.find_user(workspace.id, actor.user)
        if not workspace or not user:
            return None
        timezone = ZoneInfo(workspace.timezone)
        keys = {p: period_key(p, now, timezone) for p in Period}
        totals = repositories.answers.user_totals(user.id, list(keys.values()))
        points = {p: totals[key].points for p, key in keys.items() if key in totals}
        team = repositories.teams.of_user(user.id)
        per_question = repositories.answers.by_question(user.id)
        return user, team.name if team else None, points, per_question

    @staticmethod
    def _by_topic(bank: QuestionBank, per_question: Sequence[QuestionTally]) -> tuple[TopicStat, ...]:
        """The person's answers by topic, over the workspace's questions (`bank`)."""
        counts: dict[str, list[int]] = {}
        for row in per_question:
            question = bank.question(row.question_id)
            if question is not None:
                tally = counts.setdefault(question.primary_topic, [0, 0])
                tally[0] += row.answers
                tally[1] += row.correct
        return tuple(
            TopicStat(t.id, t.name, counts[t.id][0], counts[t.id][1]) for t in bank.topics if t.id in counts
        )
