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
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, or_, select, update

from bot.app.outbox import Due, Scheduled
from bot.db.statements import insert
from bot.db.tables_outbox import outbox

_PENDING = outbox.c.state == "pending"


def _unleased(now: datetime) -> Any:
    return or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now)


def _scheduled(row: Row[Any]) -> Scheduled:
    return Scheduled(row.kind, row.key, row.platform, row.due_at, json.loads(row.payload))


class SqlOutbox:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def schedule(self, item: Scheduled) -> bool:
        if item.due_at.tzinfo is None:
            raise ValueError("due_at must be timezone-aware")
        statement = (
            insert(self.connection, outbox)
            .values(
                kind=item.kind,
                key=item.key,
                platform=item.platform,
                due_at=item.due_at,
                payload=json.dumps(dict(item.payload), separators=(",", ":")),
                state="pending",
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            .returning(outbox.c.id)
        )
        return self.connection.execute(statement).first() is not None

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

    def claim(
        self,
        kinds: Sequence[str],
        platforms: Sequence[str],
        now: datetime,
        lease_until: datetime,
        claimer: str,
        limit: int,
    ) -> list[Due]:
        claimable = and_(
            _PENDING,
            outbox.c.kind.in_(kinds),
            outbox.c.platform.in_(platforms),
            outbox.c.due_at <= now,
            or_(outbox.c.retry_at.is_(None), outbox.c.retry_at <= now),
            _unleased(now),
        )
        candidates = list(
            self.connection.execute(
                select(outbox.c.id).where(claimable).order_by(outbox.c.due_at, outbox.c.id).limit(limit)
            ).scalars()
        )
        if not candidates:
            return []
        rows = self.connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(candidates), claimable)
            .values(lease_until=lease_until, claimed_by=claimer)
            .returning(*outbox.c)
        )
        claimed = [Due(row.id, _scheduled(row), row.attempts) for row in rows]
        return sorted(claimed, key=lambda due: (due.item.due_at, due.id))

    def extend(self, ids: Sequence[int], claimer: str, lease_until: datetime) -> None:
        if ids:
            self.connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids), _PENDING, outbox.c.claimed_by == claimer)
                .values(lease_until=lease_until)
            )

    def finish(self, row_id: int, state: str, now: datetime) -> None:
        self.connection.execute(
            update(outbox)
            .where(outbox.c.id == row_id, _PENDING)
            .values(state=state, lease_until=None, finished_at=now, attempts=outbox.c.attempts + 1)
        )

    def retry(self, row_id: int, claimer: str, retry_at: datetime) -> None:
        self.connection.execute(
            update(outbox)
            .where(outbox.c.id == row_id, _PENDING, outbox.c.claimed_by == claimer)
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
