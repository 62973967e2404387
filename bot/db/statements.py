"""Helpers the repositories share: the dialect's upsert, get-or-create, and statements sent as the
driver's own SQL.

The writes that bind only integers and strings (counts, streaks, totals: most of a batch of
answers' rows) are compiled once into the driver's SQL and sent as the driver's own executemany
of plain tuples, without SQLAlchemy's per-row parameter handling, which would otherwise cost
more than SQLite's work on each row. Reads whose parameters are all `IN` lists of integers have
their lists rendered once per size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Row, Table, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite


def insert(connection: Connection, table: Table) -> Any:
    """The dialect's own INSERT, which knows ON CONFLICT on both SQLite and PostgreSQL."""
    return dialect_insert(connection.dialect.name, table)


def dialect_insert(dialect: str, table: Table) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def get_or_create(
    connection: Connection,
    table: Table,
    keys: Mapping[str, Any],
    defaults: Mapping[str, Any],
    refresh: Mapping[str, Any] | None = None,
) -> Row[Any]:
    """The row with these unique `keys`, inserted with `defaults` if missing; `refresh` columns
    are overwritten when they changed. Safe when two processes create the same row at once."""
    where = and_(*(table.c[k] == v for k, v in keys.items()))
    row = connection.execute(select(table).where(where)).first()
    if row is None:
        statement = insert(connection, table).values({**keys, **defaults, **(refresh or {})})
        connection.execute(statement.on_conflict_do_nothing(index_elements=list(keys)))
        row = connection.execute(select(table).where(where)).one()
    elif refresh and any(getattr(row, k) != v for k, v in refresh.items() if v):
        changed = {k: v for k, v in refresh.items() if v}
        connection.execute(update(table).where(where).values(changed))
        row = connection.execute(select(table).where(where)).one()
    return row


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
    again on every call, which cost a read of a batch of answers about 0.2 ms."""
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


def read_plain(connection: Connection, statement: Any, values: Mapping[str, Sequence[Any]]) -> list[Any]:
    """Run a read whose parameters are all `IN` lists of integers; its rows as the driver gives
    them (no type conversion: the columns read must not need any beyond what callers do)."""
    sizes = tuple(sorted((name, len(value)) for name, value in values.items()))
    sql, laid_out = _expanded(connection.dialect, statement, sizes)
    return list(connection.exec_driver_sql(sql, laid_out(values)))


def execute_plain(connection: Connection, statement: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run `statement` once per row; the rows' values must need no conversion by their types."""
    sql, values = _compiled(connection.dialect, statement)
    connection.exec_driver_sql(sql, [values(row) for row in rows])
