"""The delivery table on SQLAlchemy (`bot.app.outbox_ports.Outbox`).

The claim is two statements in the caller's write transaction: read the ids of candidate rows,
then lease them with an UPDATE whose WHERE repeats the conditions. On SQLite the transaction
holds the write lock from its start (BEGIN IMMEDIATE), so no other claimer runs in between; on
PostgreSQL a racing UPDATE of the same row waits for the first to commit and re-checks the
WHERE against the committed row, so a row leased meanwhile is not taken twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Row, and_, delete, or_, select, update

from bot.app.outbox import Due, Scheduled
from bot.app.outbox_claims import Logic, claimable
from bot.db.statements import insert
from bot.db.tables_outbox import outbox

_PENDING = outbox.c.state == "pending"
# The same test for statements that name their rows by id: compared as an expression, the state
# cannot lead SQLite to ix_outbox_state_due, so it finds the rows by id rather than walking
# every pending row of the index (a week of reminders ahead for 10,000 people is 70,000 rows:
# marking a batch of deliveries sent took 7 ms that way, 0.1 ms by id).
_STILL_PENDING = (outbox.c.state + "") == "pending"
# Row ids per statement when rows are finished in bulk (within SQLite's bound-parameter limit).
_CHUNK = 500
# Rows of one multi-row insert (10 values each, well inside SQLite's 32,766 parameters).
_CLAIMED_CHUNK = 200


class _InSql:
    def every(self, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        return and_(*conditions)

    def either(self, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        return or_(*conditions)

    def equals(self, value: Any, wanted: str) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], value == wanted)

    def among(self, value: Any, options: Sequence[str]) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], value.in_(options))

    def missing(self, value: Any) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], value.is_(None))

    def at_most(self, value: Any, moment: datetime) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], value <= moment)

    def before(self, value: Any, moment: datetime) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], value < moment)


IN_SQL: Logic[ColumnElement[bool]] = _InSql()
"""`bot.app.outbox_claims.claimable` as a WHERE clause over the table's columns."""


def _unleased(now: datetime) -> Any:
    return or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now)


def _scheduled(row: Row[Any]) -> Scheduled:
    return Scheduled(row.kind, row.key, row.platform, row.due_at, json.loads(row.payload))


class SqlOutbox:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def schedule(self, item: Scheduled) -> bool:
        statement = (
            insert(self.connection, outbox)
            .values(**_values(item))
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            .returning(outbox.c.id)
        )
        return self.connection.execute(statement).first() is not None

    def schedule_claimed(
        self, items: Sequence[Scheduled], lease_until: datetime, claimer: str
    ) -> list[int | None]:
        """One statement a chunk (a journal's group commit: one insert, not one per row)."""
        ids: dict[tuple[str, str], int] = {}
        for start in range(0, len(items), _CLAIMED_CHUNK):
            rows = [
                {**_values(item), "lease_until": lease_until, "claimed_by": claimer}
                for item in items[start : start + _CLAIMED_CHUNK]
            ]
            statement = (
                insert(self.connection, outbox)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["kind", "key"])
                .returning(outbox.c.id, outbox.c.kind, outbox.c.key)
            )
            ids.update({(kind, key): row_id for row_id, kind, key in self.connection.execute(statement)})
        return [ids.get((item.kind, item.key)) for item in items]

    def cancel(self, kind: str, key_prefix: str) -> int:
        result = self.connection.execute(
            delete(outbox).where(
                outbox.c.kind == kind, _PENDING, outbox.c.key.startswith(key_prefix, autoescape=True)
            )
        )
        return int(result.rowcount)

    def pending(self, kind: str, key_prefix: str) -> list[Scheduled]:
        rows = self.connection.execute(
            select(outbox)
            .where(outbox.c.kind == kind, _PENDING, outbox.c.key.startswith(key_prefix, autoescape=True))
            .order_by(outbox.c.due_at, outbox.c.id)
        )
        return [_scheduled(row) for row in rows]

    def any_due(self, kinds: Sequence[str], platforms: Sequence[str], now: datetime) -> bool:
        query = select(outbox.c.id).where(
            _PENDING, outbox.c.kind.in_(kinds), outbox.c.platform.in_(platforms), outbox.c.due_at <= now
        )
        return self.connection.execute(query.limit(1)).first() is not None

    def claim(
        self,
        kinds: Sequence[str],
        platforms: Sequence[str],
        now: datetime,
        lease_until: datetime,
        claimer: str,
        limit: int,
    ) -> list[Due]:
        due = claimable(outbox.c, kinds, platforms, now, IN_SQL)
        candidates = list(
            self.connection.execute(
                select(outbox.c.id).where(due).order_by(outbox.c.due_at, outbox.c.id).limit(limit)
            ).scalars()
        )
        if not candidates:
            return []
        rows = self.connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(candidates), due)
            .values(lease_until=lease_until, claimed_by=claimer)
            .returning(*outbox.c)
        )
        claimed = [Due(row.id, _scheduled(row), row.attempts) for row in rows]
        return sorted(claimed, key=lambda due: (due.item.due_at, due.id))

    def claim_keys(
        self, kind: str, keys: Sequence[str], now: datetime, lease_until: datetime, claimer: str
    ) -> list[Due]:
        if not keys:
            return []
        rows = self.connection.execute(
            update(outbox)
            .where(outbox.c.kind == kind, outbox.c.key.in_(keys), _PENDING, _unleased(now))
            .values(lease_until=lease_until, claimed_by=claimer)
            .returning(*outbox.c)
        )
        order = {key: n for n, key in enumerate(keys)}
        return sorted(
            (Due(row.id, _scheduled(row), row.attempts) for row in rows), key=lambda d: order[d.item.key]
        )

    def extend(self, ids: Sequence[int], claimer: str, lease_until: datetime) -> None:
        if ids:
            self.connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids), _STILL_PENDING, outbox.c.claimed_by == claimer)
                .values(lease_until=lease_until)
            )

    def finish_many(self, row_ids: Sequence[int], state: str, now: datetime) -> None:
        for start in range(0, len(row_ids), _CHUNK):
            self.connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(row_ids[start : start + _CHUNK]), _STILL_PENDING)
                .values(state=state, lease_until=None, finished_at=now, attempts=outbox.c.attempts + 1)
            )

    def retry(self, row_id: int, claimer: str, retry_at: datetime) -> None:
        self.connection.execute(
            update(outbox)
            .where(outbox.c.id == row_id, _STILL_PENDING, outbox.c.claimed_by == claimer)
            .values(lease_until=None, claimed_by=None, retry_at=retry_at, attempts=outbox.c.attempts + 1)
        )

    def expire(
        self, now: datetime, graces: Mapping[str, timedelta], platforms: Sequence[str]
    ) -> list[tuple[int, Scheduled]]:
        missed: list[tuple[int, Scheduled]] = []
        for kind, grace in sorted(graces.items()):
            rows = self.connection.execute(
                update(outbox)
                .where(
                    _PENDING,
                    outbox.c.kind == kind,
                    outbox.c.platform.in_(platforms),
                    outbox.c.due_at < now - grace,
                    _unleased(now),
                )
                .values(state="missed", finished_at=now, claimed_by=None)
                .returning(*outbox.c)
            )
            missed += [(row.id, _scheduled(row)) for row in rows]
        return sorted(missed, key=lambda pair: pair[0])


def _values(item: Scheduled) -> dict[str, Any]:
    """A new row's values: pending, never tried."""
    if item.due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    payload = json.dumps(dict(item.payload), separators=(",", ":"))
    return {
        "kind": item.kind,
        "key": item.key,
        "platform": item.platform,
        "due_at": item.due_at,
        "payload": payload,
        "state": "pending",
        "attempts": 0,
    }
