"""The dashboard's aggregates on SQLAlchemy: added to by the answer path, read by the pages.

Every read is bounded by the workspace's people, teams, topics or questions, or by a date
range, never by the number of answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, and_, bindparam, func, select

from bot.app.dashboard_model import Reads
from bot.app.dashboard_ports import (
    DailyRow,
    DashboardIncrements,
    DashboardReader,
    DayRow,
    Improvement,
    PersonRef,
    PersonRow,
    TopicCell,
    WorkspaceRef,
)
from bot.app.ports import BoardLine
from bot.db.answers import SqlAnswers
from bot.db.database import Database
from bot.db.statements import dialect_insert, execute_plain, read_plain
from bot.db.tables import (
    channels,
    question_instances,
    team_members,
    team_totals,
    teams,
    user_totals,
    users,
    workspaces,
)
from bot.db.tables_dash import (
    dash_activity,
    dash_choices,
    dash_daily,
    dash_days,
    dash_topics,
    dash_weeks,
)
from bot.models import Scope

T = TypeVar("T")


def reads_on(database: Database) -> Reads:
    """The dashboard's read transactions on `database`."""

    async def reads(work: Callable[[DashboardReader], T]) -> T:
        return await database.read(lambda connection: work(SqlDashboard(connection)))

    return reads


@cache
def _adding(dialect: str, table: Table, keys: tuple[str, ...], counters: tuple[str, ...]) -> Any:
    statement = dialect_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in counters},
    )


@cache
def _latest_day(dialect: str) -> Any:
    statement = dialect_insert(dialect, dash_activity)
    return statement.on_conflict_do_update(
        index_elements=["user_id"], set_={"last_day": statement.excluded.last_day}
    )


def _person_columns() -> tuple[Any, ...]:
    return (
        users.c.id,
        users.c.external_id,
        users.c.display_name,
        teams.c.name,
        func.coalesce(user_totals.c.points, 0),
        func.coalesce(user_totals.c.answers, 0),
        func.coalesce(user_totals.c.correct, 0),
        users.c.streak,
        users.c.best_streak,
        users.c.daily_streak,
        dash_activity.c.last_day,
    )


_PEOPLE_FROM = (
    users.outerjoin(team_members, team_members.c.user_id == users.c.id)
    .outerjoin(teams, teams.c.id == team_members.c.team_id)
    .outerjoin(user_totals, and_(user_totals.c.user_id == users.c.id, user_totals.c.period_key == "all"))
    .outerjoin(dash_activity, dash_activity.c.user_id == users.c.id)
)


_LAST_DAYS = select(dash_activity.c.user_id, dash_activity.c.last_day).where(
    dash_activity.c.user_id.in_(bindparam("users", expanding=True))
)
_NAME = {Scope.PEOPLE: "display_name", Scope.TEAMS: "name"}


class SqlDashboard:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # The answer path.

    def last_days(self, user_ids: Sequence[int]) -> dict[int, date]:
        """On the answer path: built once, run as the driver's SQL (SQLite gives dates as text)."""
        if not user_ids:
            return {}
        rows = read_plain(self.connection, _LAST_DAYS, {"users": list(user_ids)})
        return {user: day if isinstance(day, date) else date.fromisoformat(day) for user, day in rows}

    def add(self, increments: DashboardIncrements) -> None:
        """On the answer path: each statement is compiled once and run as the driver's SQL with
        plain values (a date as ISO text for SQLite, as a date for asyncpg)."""
        dialect = self.connection.dialect.name
        day_value: Callable[[date], Any] = date.isoformat if dialect == "sqlite" else (lambda day: day)
        self._add(
            dialect,
            dash_days,
            ("workspace_id", "day"),
            ("answers", "correct", "active_people"),
            [
                {"workspace_id": w, "day": day_value(d), "answers": a, "correct": c, "active_people": n}
                for (w, d), (a, c, n) in sorted(increments.days.items())
            ],
        )
        self._add(
            dialect,
            dash_weeks,
            ("workspace_id", "week"),
            ("active_people",),
            [
                {"workspace_id": w, "week": k, "active_people": n}
                for (w, k), n in sorted(increments.weeks.items())
            ],
        )
        if increments.last_days:
            rows = [
                {"user_id": u, "workspace_id": w, "last_day": day_value(d)}
                for u, (w, d) in sorted(increments.last_days.items())
            ]
            execute_plain(self.connection, _latest_day(dialect), rows)
        self._add(
            dialect,
            dash_topics,
            ("workspace_id", "owner_kind", "owner_id", "topic"),
            ("answers", "correct"),
            [
                {"workspace_id": w, "owner_kind": k, "owner_id": o, "topic": t, "answers": a, "correct": c}
                for (w, k, o, t), (a, c) in sorted(increments.topics.items())
            ],
        )
        self._add(
            dialect,
            dash_choices,
            ("workspace_id", "question_id", "choice"),
            ("picks",),
            [
                {"workspace_id": w, "question_id": q, "choice": i, "picks": n}
                for (w, q, i), n in sorted(increments.choices.items())
            ],
        )
        self._add(
            dialect,
            dash_daily,
            ("instance_id", "team_id"),
            ("answers", "correct"),
            [
                {"instance_id": i, "team_id": t, "workspace_id": w, "answers": a, "correct": c}
                for (i, t), (w, (a, c)) in sorted(increments.daily.items())
            ],
        )

    def _add(
        self,
        dialect: str,
        table: Table,
        keys: tuple[str, ...],
        counters: tuple[str, ...],
        rows: list[dict[str, Any]],
    ) -> None:
        if rows:
            execute_plain(self.connection, _adding(dialect, table, keys, counters), rows)

    # The pages.

    def workspace(self, platform: str, external_id: str) -> WorkspaceRef | None:
        query = select(workspaces.c.id, workspaces.c.name, workspaces.c.timezone).where(
            workspaces.c.platform == platform, workspaces.c.external_id == external_id
        )
        row = self.connection.execute(query).first()
        return None if row is None else WorkspaceRef(*row)

    def person(self, workspace_id: int, external_id: str) -> PersonRef | None:
        query = (
            select(users.c.id, users.c.external_id, users.c.display_name, teams.c.id, teams.c.name)
            .select_from(
                users.outerjoin(team_members, team_members.c.user_id == users.c.id).outerjoin(
                    teams, teams.c.id == team_members.c.team_id
                )
            )
            .where(users.c.workspace_id == workspace_id, users.c.external_id == external_id)
        )
        row = self.connection.execute(query).first()
        return None if row is None else PersonRef(*row)

    def teams(self, workspace_id: int) -> dict[int, str]:
        query = (
            select(teams.c.id, teams.c.name)
            .where(teams.c.workspace_id == workspace_id)
            .order_by(teams.c.name)
        )
        return {team_id: name for team_id, name in self.connection.execute(query)}

    def days(self, workspace_id: int, since: date) -> list[DayRow]:
        query = (
            select(dash_days.c.day, dash_days.c.answers, dash_days.c.correct, dash_days.c.active_people)
            .where(dash_days.c.workspace_id == workspace_id, dash_days.c.day >= since)
            .order_by(dash_days.c.day)
        )
        return [DayRow(*row) for row in self.connection.execute(query)]

    def weeks(self, workspace_id: int, since: str) -> dict[str, int]:
        query = select(dash_weeks.c.week, dash_weeks.c.active_people).where(
            dash_weeks.c.workspace_id == workspace_id, dash_weeks.c.week >= since
        )
        return {week: count for week, count in self.connection.execute(query)}

    def topics(self, workspace_id: int, kind: str, owners: Sequence[int] | None) -> list[TopicCell]:
        query = select(
            dash_topics.c.owner_id, dash_topics.c.topic, dash_topics.c.answers, dash_topics.c.correct
        ).where(dash_topics.c.workspace_id == workspace_id, dash_topics.c.owner_kind == kind)
        if owners is not None:
            query = query.where(dash_topics.c.owner_id.in_(list(owners)))
        return [TopicCell(*row) for row in self.connection.execute(query)]

    def people(
        self, workspace_id: int, user_ids: Sequence[int] | None, offset: int, limit: int
    ) -> tuple[int, list[PersonRow]]:
        where = [users.c.workspace_id == workspace_id]
        if user_ids is not None:
            where.append(users.c.id.in_(list(user_ids)))
        total = self.connection.execute(select(func.count()).select_from(users).where(*where)).scalar_one()
        query = (
            select(*_person_columns())
            .select_from(_PEOPLE_FROM)
            .where(*where)
            .order_by(users.c.display_name, users.c.id)
            .offset(offset)
            .limit(limit)
        )
        return total, [PersonRow(*row) for row in self.connection.execute(query)]

    def streaks(self, workspace_id: int, limit: int) -> list[PersonRow]:
        query = (
            select(*_person_columns())
            .select_from(_PEOPLE_FROM)
            .where(users.c.workspace_id == workspace_id, users.c.best_streak > 0)
            .order_by(users.c.streak.desc(), users.c.best_streak.desc(), users.c.id)
            .limit(limit)
        )
        return [PersonRow(*row) for row in self.connection.execute(query)]

    def board(self, workspace_id: int, period_key: str, scope: Scope, limit: int) -> list[BoardLine]:
        return SqlAnswers(self.connection).top(workspace_id, period_key, scope, limit)

    def improved(
        self, workspace_id: int, scope: Scope, week_key: str, previous_key: str, limit: int
    ) -> list[Improvement]:
        table, owner, names, name_owner = (
            (user_totals, "user_id", users, users.c.id)
            if scope is Scope.PEOPLE
            else (team_totals, "team_id", teams, teams.c.id)
        )
        previous = table.alias("previous")
        gain = table.c.points - func.coalesce(previous.c.points, 0)
        query = (
            select(
                names.c[_NAME[scope]],
                table.c.points,
                func.coalesce(previous.c.points, 0),
                table.c.answers,
                table.c.correct,
            )
            .select_from(
                table.join(names, name_owner == table.c[owner]).outerjoin(
                    previous, and_(previous.c[owner] == table.c[owner], previous.c.period_key == previous_key)
                )
            )
            .where(table.c.workspace_id == workspace_id, table.c.period_key == week_key)
            .order_by(gain.desc(), table.c[owner])
            .limit(limit)
        )
        return [Improvement(*row) for row in self.connection.execute(query)]

    def choice_picks(self, workspace_id: int) -> dict[str, dict[int, int]]:
        query = select(dash_choices.c.question_id, dash_choices.c.choice, dash_choices.c.picks).where(
            dash_choices.c.workspace_id == workspace_id
        )
        picks: dict[str, dict[int, int]] = defaultdict(dict)
        for question_id, choice, count in self.connection.execute(query):
            picks[question_id][choice] = count
        return dict(picks)

    def daily_history(self, workspace_id: int, limit: int) -> list[DailyRow]:
        recent = (
            select(question_instances.c.id, question_instances.c.daily_date, question_instances.c.question_id)
            .join(channels, channels.c.id == question_instances.c.channel_id)
            .where(
                channels.c.workspace_id == workspace_id,
                question_instances.c.mode == "daily",
                question_instances.c.post_state == "posted",
            )
            .order_by(question_instances.c.daily_date.desc(), question_instances.c.id.desc())
            .limit(limit)
        )
        instances = list(self.connection.execute(recent))
        by_team: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
        if instances:
            query = select(
                dash_daily.c.instance_id, dash_daily.c.team_id, dash_daily.c.answers, dash_daily.c.correct
            ).where(dash_daily.c.instance_id.in_([row[0] for row in instances]))
            for instance_id, team_id, count, correct in self.connection.execute(query):
                by_team[instance_id][team_id] = (count, correct)
        return [DailyRow(i, d, q, by_team[i]) for i, d, q in instances]

    def inactive(self, workspace_id: int, before: date, limit: int) -> tuple[int, list[PersonRow]]:
        where = (
            users.c.workspace_id == workspace_id,
            (dash_activity.c.last_day < before) | dash_activity.c.last_day.is_(None),
        )
        counted = (
            select(func.count())
            .select_from(users.outerjoin(dash_activity, dash_activity.c.user_id == users.c.id))
            .where(*where)
        )
        total = self.connection.execute(counted).scalar_one()
        query = (
            select(*_person_columns())
            .select_from(_PEOPLE_FROM)
            .where(*where)
            .order_by(users.c.display_name, users.c.id)
            .limit(limit)
        )
        return total, [PersonRow(*row) for row in self.connection.execute(query)]
