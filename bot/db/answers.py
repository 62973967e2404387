"""Answers, and the running totals of users and teams they add up to.

A batch of answers (`bot.app.answering`) reads and writes through these in one transaction.
Every statement of that path is built once per dialect and takes its rows as bound parameters
(an executemany, or an expanding IN), so SQLAlchemy neither rebuilds nor recompiles it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, case, func, select

from bot.app.ports import BoardLine, NamedAnswer, NewAnswer, QuestionTally, RecordedAnswer, Tally, UserState
from bot.db.statements import dialect_insert, execute_plain, read_plain
from bot.db.tables import answers, question_instances, team_members, team_totals, teams, user_totals, users
from bot.models import Scope


def _top(scope_table: Table) -> Any:
    """The best `:limit` totals of workspace `:workspace` in period `:period_key`, with names.

    The order (points, correct answers, then the owner's id, all descending) is exactly the
    board index's, read backwards: the database stops after `limit` index entries however many
    people are tied, so the cost does not grow with the workspace's history.
    """
    if scope_table is user_totals:
        owner, name = user_totals.c.user_id, users.c.display_name
        joined = user_totals.join(users, users.c.id == user_totals.c.user_id)
    else:
        owner, name = team_totals.c.team_id, teams.c.name
        joined = team_totals.join(teams, teams.c.id == team_totals.c.team_id)
    return (
        select(name.label("name"), scope_table.c.points, scope_table.c.answers, scope_table.c.correct)
        .select_from(joined)
        .where(
            scope_table.c.workspace_id == bindparam("workspace"),
            scope_table.c.period_key == bindparam("period_key"),
        )
        .order_by(scope_table.c.points.desc(), scope_table.c.correct.desc(), owner.desc())
        .limit(bindparam("limit"))
    )


_TOP = {Scope.PEOPLE: _top(user_totals), Scope.TEAMS: _top(team_totals)}

_STATES_AND_ANSWERS = (
    select(
        question_instances.c.id,
        question_instances.c.revealed_at,
        question_instances.c.answer_count,
        answers.c.user_id,
        answers.c.choice,
        answers.c.correct,
        answers.c.points,
        answers.c.late,
    )
    .select_from(
        question_instances.outerjoin(
            answers,
            and_(
                answers.c.instance_id == question_instances.c.id,
                answers.c.user_id.in_(bindparam("users", expanding=True)),
            ),
        )
    )
    .where(question_instances.c.id.in_(bindparam("instances", expanding=True)))
)

_USER_STATES = (
    select(
        users.c.id,
        users.c.streak,
        users.c.daily_streak,
        func.coalesce(user_totals.c.points, 0).label("total"),
        team_members.c.team_id,
    )
    .select_from(
        users.outerjoin(
            user_totals, and_(user_totals.c.user_id == users.c.id, user_totals.c.period_key == "all")
        ).outerjoin(team_members, team_members.c.user_id == users.c.id)
    )
    .where(users.c.id.in_(bindparam("users", expanding=True)))
)

_PREVIOUS_DAILY = (
    select(question_instances.c.id)
    .where(
        question_instances.c.channel_id == bindparam("channel"),
        question_instances.c.mode == "daily",
        question_instances.c.post_state == "posted",
        question_instances.c.daily_date < bindparam("day"),
    )
    .order_by(question_instances.c.daily_date.desc())
    .limit(1)
    .scalar_subquery()
)
_PREVIOUS_DAILY_ANSWER = select(answers.c.choice, answers.c.correct, answers.c.points, answers.c.late).where(
    answers.c.instance_id == _PREVIOUS_DAILY, answers.c.user_id == bindparam("user")
)


class SqlAnswers:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def first_answer(self, instance_id: int, user_id: int) -> RecordedAnswer | None:
        query = select(answers.c.choice, answers.c.correct, answers.c.points, answers.c.late).where(
            answers.c.instance_id == instance_id, answers.c.user_id == user_id
        )
        row = self.connection.execute(query).first()
        return None if row is None else RecordedAnswer(*row)

    def states_and_answers(
        self, pairs: Sequence[tuple[int, int]]
    ) -> tuple[dict[int, tuple[bool, int]], dict[tuple[int, int], RecordedAnswer]]:
        """One query. The users are matched with `user IN (...)` and narrowed here: SQLite scans
        the whole table for a row-value `(instance, user) IN (...)`, but searches the unique
        index for this."""
        wanted = set(pairs)
        values = {"instances": sorted({i for i, _ in wanted}), "users": sorted({u for _, u in wanted})}
        states: dict[int, tuple[bool, int]] = {}
        first: dict[tuple[int, int], RecordedAnswer] = {}
        for instance_id, revealed_at, count, user_id, choice, correct, points, late in read_plain(
            self.connection, _STATES_AND_ANSWERS, values
        ):
            # Only whether it was revealed counts (the driver's value is a string on SQLite).
            states[instance_id] = (revealed_at is not None, count)
            if user_id is not None and (instance_id, user_id) in wanted:
                first[(instance_id, user_id)] = RecordedAnswer(choice, bool(correct), points, bool(late))
        return states, first

    def user_states(self, user_ids: Sequence[int]) -> dict[int, UserState]:
        rows = read_plain(self.connection, _USER_STATES, {"users": list(user_ids)})
        return {
            user_id: UserState(streak, daily, total, team) for user_id, streak, daily, total, team in rows
        }

    def previous_daily(self, channel_id: int, daily_date: date, user_id: int) -> RecordedAnswer | None:
        values = {"channel": channel_id, "day": daily_date, "user": user_id}
        row = self.connection.execute(_PREVIOUS_DAILY_ANSWER, values).first()
        return None if row is None else RecordedAnswer(*row)

    def insert(self, rows: Sequence[NewAnswer]) -> int:
        values = [
            {
                "instance_id": row.instance_id,
                "user_id": row.user_id,
                "team_id": row.team_id,
                "choice": row.choice,
                "correct": row.correct,
                "points": row.points,
                "late": row.late,
                "answered_at": row.answered_at,
            }
            for row in rows
        ]
        return len(self.connection.execute(_insert_answers(self.connection.dialect.name), values).all())

    def add_totals(
        self,
        scope: Scope,
        totals: Mapping[tuple[int, str], Sequence[int]],
        workspace_of: Mapping[int, int],
    ) -> None:
        if not totals:
            return
        owner_column = "user_id" if scope is Scope.PEOPLE else "team_id"
        rows = [
            {
                owner_column: owner_id,
                "period_key": key,
                "workspace_id": workspace_of[owner_id],
                "points": points,
                "answers": count,
                "correct": correct,
            }
            for (owner_id, key), (points, count, correct) in sorted(totals.items())
        ]
        execute_plain(self.connection, _add_totals(self.connection.dialect.name, scope), rows)

    def user_totals(self, user_id: int, period_keys: Sequence[str]) -> dict[str, Tally]:
        query = select(
            user_totals.c.period_key, user_totals.c.points, user_totals.c.answers, user_totals.c.correct
        )
        query = query.where(user_totals.c.user_id == user_id, user_totals.c.period_key.in_(period_keys))
        return {
            key: Tally(points, count, correct)
            for key, points, count, correct in self.connection.execute(query)
        }

    def by_question(self, user_id: int) -> list[QuestionTally]:
        query = (
            select(
                question_instances.c.question_id,
                func.count(),
                func.sum(case((answers.c.correct, 1), else_=0)),
            )
            .join(answers, answers.c.instance_id == question_instances.c.id)
            .where(answers.c.user_id == user_id, answers.c.late.is_(False))
            .group_by(question_instances.c.question_id)
        )
        return [
            QuestionTally(q, count, int(correct or 0)) for q, count, correct in self.connection.execute(query)
        ]

    def named(self, instance_id: int) -> list[NamedAnswer]:
        query = (
            select(users.c.display_name, answers.c.correct, teams.c.name)
            .select_from(
                answers.join(users, users.c.id == answers.c.user_id).outerjoin(
                    teams, teams.c.id == answers.c.team_id
                )
            )
            .where(answers.c.instance_id == instance_id, answers.c.late.is_(False))
            .order_by(answers.c.answered_at, answers.c.id)
        )
        return [
            NamedAnswer(name, bool(correct), team) for name, correct, team in self.connection.execute(query)
        ]

    def top(self, workspace_id: int, period_key: str, scope: Scope, limit: int) -> list[BoardLine]:
        parameters = {"workspace": workspace_id, "period_key": period_key, "limit": limit}
        return [BoardLine(*row) for row in self.connection.execute(_TOP[scope], parameters)]


@cache
def _insert_answers(dialect: str) -> Any:
    return (
        dialect_insert(dialect, answers)
        .on_conflict_do_nothing(index_elements=["instance_id", "user_id"])
        .returning(answers.c.id)
    )


@cache
def _add_totals(dialect: str, scope: Scope) -> Any:
    table, owner = (user_totals, "user_id") if scope is Scope.PEOPLE else (team_totals, "team_id")
    statement = dialect_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=[owner, "period_key"],
        set_={
            "points": table.c.points + statement.excluded.points,
            "answers": table.c.answers + statement.excluded.answers,
            "correct": table.c.correct + statement.excluded.correct,
        },
    )
