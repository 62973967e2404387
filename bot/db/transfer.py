"""Move a community between databases: every table as JSON lines, e.g. from SQLite to PostgreSQL.

The first line is a header, `{"format": "studybot-export", "version": 1, "revision": "0003"}`;
every other line is one row, `{"table": "users", "row": {...}}`, rows in primary-key order.
Every table the migrations created is covered: the core's own (typed in `bot/db/tables.py`) in
foreign-key order, then those other parts keep in the same database (the Slack adapter's
installation store) as the database describes them. Datetimes are ISO 8601 strings (the core's
in UTC with their offset), dates ISO dates, booleans JSON booleans. An import goes into a freshly
migrated, empty database at the same schema revision, in one transaction, and then moves
PostgreSQL's id sequences past the imported ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, TextIO

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import tables_learning  # noqa: F401  (puts the learning tables on the metadata)
from bot.db.database import Database
from bot.db.tables import UtcDateTime, metadata

FORMAT = "studybot-export"
VERSION = 1
BATCH_SIZE = 500
VERSION_TABLE = "alembic_version"


class TransferError(Exception):
    """The file or the target database does not allow the transfer; the message is one line."""


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def schema_revision(connection: AsyncConnection) -> str | None:
    """The Alembic revision the database is at, None when it was never migrated."""
    return await connection.run_sync(_revision)


def _as_migrated(table: Table, present: set[str]) -> Table:
    """Our table as a database at an older revision has it: only the columns it has so far."""
    if set(table.c.keys()) <= present:
        return table
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in table.c
        if c.name in present
    ]
    return Table(table.name, MetaData(), *columns)


def _reflect(connection: Connection) -> list[Table]:
    inspector = inspect(connection)
    names = set(inspector.get_table_names()) - {VERSION_TABLE}
    others = MetaData()
    others.reflect(connection, only=sorted(names - set(metadata.tables)))
    ours = [
        _as_migrated(table, {column["name"] for column in inspector.get_columns(table.name)})
        for table in metadata.sorted_tables
        if table.name in names
    ]
    return ours + others.sorted_tables


async def database_tables(connection: AsyncConnection) -> dict[str, Table]:
    """Every table of the database but Alembic's own, in the order an import inserts them."""
    return {table.name: table for table in await connection.run_sync(_reflect)}


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


async def export_database(database: Database, out: TextIO) -> dict[str, int]:
    """Write every table to `out` from one consistent snapshot; returns the rows per table."""
    counts: dict[str, int] = {}
    async with database.async_transaction(write=False) as connection:
        if database.dialect == "postgresql":
            await connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        revision = await schema_revision(connection)
        if revision is None:
            raise TransferError("the database has no schema yet: there is nothing to export")
        out.write(_line({"format": FORMAT, "version": VERSION, "revision": revision}))
        for table in (await database_tables(connection)).values():
            result = await connection.stream(select(table).order_by(*table.primary_key.columns))
            counts[table.name] = 0
            async for row in result.mappings():
                out.write(_line({"table": table.name, "row": {k: _encode(v) for k, v in row.items()}}))
                counts[table.name] += 1
    return counts


def _decode(table: Table, name: str, value: Any) -> Any:
    """The Python value of one exported field, checked against the column's type."""
    column = table.c[name]
    where = f"{table.name}.{name}"
    if value is None:
        if not column.nullable:
            raise TransferError(f"{where} is null but the column requires a value")
        return None
    kind = column.type
    try:
        if isinstance(kind, UtcDateTime):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise TransferError(f"{where}: '{value}' has no time zone")
            return moment
        if isinstance(kind, DateTime):
            return datetime.fromisoformat(value)
        if isinstance(kind, Date):
            return date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise TransferError(f"{where}: '{value}' is not an ISO {kind.__class__.__name__}") from error
    for sql_type, python_type in ((Boolean, bool), (Integer, int), (String, str)):
        if isinstance(kind, sql_type):
            if not isinstance(value, python_type) or (python_type is int and isinstance(value, bool)):
                raise TransferError(f"{where}: {value!r} is not a {python_type.__name__}")
    return value


def _parse(number: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise TransferError(f"line {number}: not JSON ({error.msg})") from error


def _record(tables: Mapping[str, Table], number: int, line: str) -> tuple[Table, dict[str, Any]]:
    record = _parse(number, line)
    if not isinstance(record, dict) or set(record) != {"table", "row"} or not isinstance(record["row"], dict):
        raise TransferError(f'line {number}: expected {{"table": NAME, "row": {{...}}}}')
    table = tables.get(record["table"])
    if table is None:
        raise TransferError(f"line {number}: unknown table {record['table']!r}")
    row: dict[str, Any] = record["row"]
    if set(row) != set(table.c.keys()):
        missing, extra = set(table.c.keys()) - set(row), set(row) - set(table.c.keys())
        raise TransferError(
            f"line {number}: {table.name} row has missing columns {sorted(missing)} "
            f"and unknown columns {sorted(extra)}"
        )
    try:
        return table, {name: _decode(table, name, value) for name, value in row.items()}
    except TransferError as error:
        raise TransferError(f"line {number}: {error}") from error


def _header(lines: Iterable[str]) -> str:
    first = next(iter(lines), "")
    header = _parse(1, first) if first.strip() else None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TransferError(f"this is not a Studybot export (the first line is not a {FORMAT} header)")
    if header.get("version") != VERSION:
        version = header.get("version")
        raise TransferError(f"export format version {version!r} is not supported (only {VERSION})")
    revision = header.get("revision")
    if not isinstance(revision, str):
        raise TransferError("the export header names no schema revision")
    return revision


async def _check_target(connection: AsyncConnection, revision: str) -> dict[str, Table]:
    target = await schema_revision(connection)
    if target != revision:
        raise TransferError(
            f"the file is at schema revision {revision} but the database is at {target or 'none'}: "
            "import into a database migrated to the same revision"
        )
    tables = await database_tables(connection)
    for table in tables.values():
        rows = (await connection.execute(select(func.count()).select_from(table))).scalar_one()
        if rows:
            raise TransferError(
                f"the database already holds data ({rows} rows in {table.name}): "
                "import only into a freshly migrated empty database"
            )
    return tables


async def _reset_sequences(connection: AsyncConnection, tables: Iterable[Table]) -> None:
    """PostgreSQL's serial columns: the next id follows the largest imported one."""
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE(MAX({quote(column.name)}), 1), MAX({quote(column.name)}) IS NOT NULL) "
                f"FROM {quote(table.name)}"
            ),
            {"table": table.name, "column": column.name},
        )


async def import_database(database: Database, lines: Iterable[str]) -> dict[str, int]:
    """Load an export into a freshly migrated empty database, all or nothing; rows per table."""
    lines = iter(lines)
    revision = _header(lines)
    async with database.async_transaction(write=True) as connection:
        tables = await _check_target(connection, revision)
        counts = dict.fromkeys(tables, 0)
        records = (_record(tables, n, line) for n, line in enumerate(lines, start=2) if line.strip())
        try:
            for table, group in groupby(records, key=itemgetter(0)):
                rows = (row for _, row in group)
                while chunk := list(islice(rows, BATCH_SIZE)):
                    await connection.execute(table.insert(), chunk)
                    counts[table.name] += len(chunk)
        except IntegrityError as error:
            detail = str(error.orig).strip().splitlines()[0]
            raise TransferError(f"the file's rows do not fit together: {detail}") from error
        if database.dialect == "postgresql":
            await _reset_sequences(connection, tables.values())
    return counts
