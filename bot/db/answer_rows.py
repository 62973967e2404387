"""The queries of a batch of answers (bot.answering), on a synchronous connection.

A batch is one synchronous function run by `Database.write_sync`, so that on SQLite the whole
transaction is one hop to the writer thread; on PostgreSQL the same function runs through
`run_sync`. Every statement is built once per dialect and takes its rows as bound parameters
(an executemany, or an expanding IN), so SQLAlchemy neither rebuilds nor recompiles it.

The writes that bind only integers and strings (counts, streaks, totals: most of a batch's
rows) go further: compiled once into the driver's SQL, they are sent as the driver's own
executemany of plain tuples, without SQLAlchemy's per-row parameter handling, which would
otherwise cost more than SQLite's work on each row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Row, Table, and_, bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BindParameter

from bot.db import store
from bot.db.tables import answers, question_instances, team_members, team_totals, user_totals, users


@cache
def _compiled(dialect: Dialect, statement: Any) -> tuple[str, Callable[[Mapping[str, Any]], tuple[Any, ...]]]:
    """The statement's SQL for this dialect, and what takes a row's values in parameter order."""
    compiled = statement.compile(dialect=dialect)
    pick = itemgetter(*compiled.positiontup)
    return compiled.string, lambda row: cast("tuple[Any, ...]", pick(row))


@lru_cache(maxsize=512)
def _expanded(
    dialect: Dialect, statement: Any, sizes: tuple[tuple[str, int], ...]
) -> tuple[str, Callable[[Mapping[str, Sequence[Any]]], tuple[Any, ...]]]:
    """The statement's SQL for this dialect with each of its `IN` lists rendered for so many
    values, and what lays a call's lists out in parameter order. SQLAlchemy renders the lists
    again on every call, which cost a read of the batch about 0.2 ms."""
    expanded = statement.compile(dialect=dialect).construct_expanded_state(
        {name: [0] * size for name, size in sizes}
    )
    listed = {f"{name}_{index + 1}": (name, index) for name, size in sizes for index in range(size)}
    fixed = expanded.parameters
    places = [listed.get(parameter, parameter) for parameter in expanded.positiontup or ()]

    def laid_out(values: Mapping[str, Sequence[Any]]) -> tuple[Any, ...]:
        return tuple(
            values[place[0]][place[1]] if isinstance(place, tuple) else fixed[place] for place in places
        )

    return expanded.statement, laid_out


def _read_plain(connection: Connection, statement: Any, values: Mapping[str, Sequence[Any]]) -> list[Any]:
    """Run a read whose parameters are all `IN` lists of integers; its rows as the driver gives
    them (no type conversion: the columns read must not need any beyond what callers do)."""
    sizes = tuple(sorted((name, len(value)) for name, value in values.items()))
    sql, laid_out = _expanded(connection.dialect, statement, sizes)
    return list(connection.exec_driver_sql(sql, laid_out(values)))


def _execute_plain(connection: Connection, statement: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run `statement` once per row; the rows' values must need no conversion by their types."""
    sql, values = _compiled(connection.dialect, statement)
    connection.exec_driver_sql(sql, [values(row) for row in rows])


def _insert(dialect: str, table: Table) -> Any:
    """The dialect's own INSERT, which knows ON CONFLICT on both SQLite and PostgreSQL."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def instance(connection: Connection, instance_id: int) -> store.InstanceRow | None:
    """`store.instance` for `Database.read_sync`: the first click on a new question reads it in one
    hop instead of waiting on a busy event loop for each step of an aiosqlite read."""
    row = connection.execute(store.INSTANCE, {"instance": instance_id}).first()
    return None if row is None else store.InstanceRow(**row._mapping)


def ensure_users(
    connection: Connection, wanted: Mapping[tuple[int, str], str], now: datetime
) -> dict[tuple[int, str], int]:
    """Create the missing users and refresh display names in one statement; their ids by
    (workspace id, platform user id)."""
    rows = [
        {
            "workspace_id": workspace_id,
            "external_id": external_id,
            "display_name": name or external_id,
            "created_at": now,
        }
        for (workspace_id, external_id), name in sorted(wanted.items())
    ]
    statement = _ensure_users(connection.dialect.name)
    return {(r.workspace_id, r.external_id): r.id for r in connection.execute(statement, rows)}


@cache
def _ensure_users(dialect: str) -> Any:
    statement = _insert(dialect, users)
    return statement.on_conflict_do_update(
        index_elements=["workspace_id", "external_id"], set_={"display_name": statement.excluded.display_name}
    ).returning(users.c.id, users.c.workspace_id, users.c.external_id)


def instances_and_answers(
    connection: Connection, pairs: Sequence[tuple[int, int]]
) -> tuple[dict[int, tuple[Any, int]], dict[tuple[int, int], Any]]:
    """For a batch of (instance, user) pairs, in one query: when each instance was revealed (or
    None) with its answer count, and the answers already recorded for those pairs.

    The users are matched with `user IN (...)` and narrowed here: SQLite scans the whole table
    for a row-value `(instance, user) IN (...)`, but searches the unique index for this.
    """
    wanted = set(pairs)
    values = {"instances": sorted({i for i, _ in wanted}), "users": sorted({u for _, u in wanted})}
    states: dict[int, tuple[Any, int]] = {}
    first: dict[tuple[int, int], Any] = {}
    for instance_id, revealed_at, count, user_id, choice, correct, points, late in _read_plain(
        connection, _INSTANCES_AND_ANSWERS, values
    ):
        # Only whether it was revealed counts here, so the driver's value (a string on SQLite)
        # needs no conversion.
        states[instance_id] = (revealed_at, count)
        if user_id is not None and (instance_id, user_id) in wanted:
            first[(instance_id, user_id)] = {
                "choice": choice,
                "correct": bool(correct),
                "points": points,
                "late": bool(late),
            }
    return states, first


_INSTANCES_AND_ANSWERS = (
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


def user_states(connection: Connection, user_ids: Sequence[int]) -> list[Any]:
    """(id, streak, daily streak, all-time points, team id) of each user."""
    return _read_plain(connection, _USER_STATES, {"users": list(user_ids)})


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


def previous_daily_answer(
    connection: Connection, channel_id: int, daily_date: date, user_id: int
) -> Row[Any] | None:
    """The user's answer to the channel's daily question before `daily_date`, if they gave one."""
    values = {"channel": channel_id, "day": daily_date, "user": user_id}
    return cast("Row[Any] | None", connection.execute(_PREVIOUS_DAILY_ANSWER, values).first())


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
_PREVIOUS_DAILY_ANSWER = select(answers.c.correct, answers.c.late).where(
    answers.c.instance_id == _PREVIOUS_DAILY, answers.c.user_id == bindparam("user")
)


def insert_answers(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert answers in one multi-row statement; returns how many were new."""
    return len(connection.execute(_insert_answers(connection.dialect.name), list(rows)).all())


@cache
def _insert_answers(dialect: str) -> Any:
    return (
        _insert(dialect, answers)
        .on_conflict_do_nothing(index_elements=["instance_id", "user_id"])
        .returning(answers.c.id)
    )


def add_answer_counts(connection: Connection, increments: Mapping[int, int]) -> None:
    rows = [{"instance": i, "added": n} for i, n in increments.items()]
    _execute_plain(connection, _ADD_ANSWER_COUNTS, rows)


_ADD_ANSWER_COUNTS = (
    update(question_instances)
    .where(question_instances.c.id == bindparam("instance"))
    .values(answer_count=question_instances.c.answer_count + bindparam("added"))
)


def set_user_streaks(connection: Connection, streaks: Mapping[int, tuple[int, int]]) -> None:
    if streaks:
        rows = [{"user": u, "streak": s, "daily": d} for u, (s, d) in streaks.items()]
        _execute_plain(connection, _SET_USER_STREAKS, rows)


_STREAK: BindParameter[int] = bindparam("streak")
_DAILY: BindParameter[int] = bindparam("daily")
_SET_USER_STREAKS = (
    update(users)
    .where(users.c.id == bindparam("user"))
    .values(
        streak=_STREAK,
        best_streak=case((users.c.best_streak > _STREAK, users.c.best_streak), else_=_STREAK),
        daily_streak=_DAILY,
        best_daily_streak=case((users.c.best_daily_streak > _DAILY, users.c.best_daily_streak), else_=_DAILY),
    )
)


def add_totals(
    connection: Connection,
    owner: str,
    totals: Mapping[tuple[int, str], Sequence[int]],
    workspace_of: Mapping[int, int],
) -> None:
    """Add (points, answers, correct) to the running totals of users or teams, one statement."""
    if not totals:
        return
    owner_column = f"{owner}_id"
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
    _execute_plain(connection, _add_totals(connection.dialect.name, owner), rows)


@cache
def _add_totals(dialect: str, owner: str) -> Any:
    table = user_totals if owner == "user" else team_totals
    statement = _insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=[f"{owner}_id", "period_key"],
        set_={
            "points": table.c.points + statement.excluded.points,
            "answers": table.c.answers + statement.excluded.answers,
            "correct": table.c.correct + statement.excluded.correct,
        },
    )
