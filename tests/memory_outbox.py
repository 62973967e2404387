"""The delivery table in memory (`bot.app.outbox_ports.Outbox`), for `tests/memory.py`'s unit of
work: its rows live in the transaction's copy of the state like every other repository's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.app.outbox import Due, Scheduled
from bot.app.outbox_claims import IN_PYTHON, ClaimFields, claimable


@dataclass
class OutboxRow:
    item: Scheduled
    state: str = "pending"
    attempts: int = 0
    retry_at: datetime | None = None
    lease_until: datetime | None = None
    claimed_by: str | None = None
    finished_at: datetime | None = None


def _fields(row: OutboxRow) -> ClaimFields:
    item = row.item
    return ClaimFields(row.state, item.kind, item.platform, item.due_at, row.retry_at, row.lease_until)


@dataclass
class OutboxState:
    rows: dict[int, OutboxRow] = field(default_factory=dict)
    next_id: int = 1


class MemoryOutbox:
    def __init__(self, state: OutboxState) -> None:
        self.s = state

    def schedule(self, item: Scheduled) -> bool:
        if any((r.item.kind, r.item.key) == (item.kind, item.key) for r in self.s.rows.values()):
            return False
        self.s.rows[self.s.next_id] = OutboxRow(replace(item, payload=dict(item.payload)))
        self.s.next_id += 1
        return True

    def schedule_claimed(
        self, items: Sequence[Scheduled], lease_until: datetime, claimer: str
    ) -> list[int | None]:
        ids: list[int | None] = []
        for item in items:
            if not self.schedule(item):
                ids.append(None)
                continue
            row_id = self.s.next_id - 1
            self.s.rows[row_id].lease_until, self.s.rows[row_id].claimed_by = lease_until, claimer
            ids.append(row_id)
        return ids

    def _matching(self, kind: str, key_prefix: str) -> list[int]:
        return [
            i
            for i, r in sorted(self.s.rows.items(), key=lambda pair: (pair[1].item.due_at, pair[0]))
            if r.state == "pending" and r.item.kind == kind and r.item.key.startswith(key_prefix)
        ]

    def cancel(self, kind: str, key_prefix: str) -> int:
        found = self._matching(kind, key_prefix)
        for i in found:
            del self.s.rows[i]
        return len(found)

    def pending(self, kind: str, key_prefix: str) -> list[Scheduled]:
        return [self.s.rows[i].item for i in self._matching(kind, key_prefix)]

    def any_due(self, kinds: Sequence[str], platforms: Sequence[str], now: datetime) -> bool:
        return any(
            r.state == "pending"
            and r.item.kind in kinds
            and r.item.platform in platforms
            and r.item.due_at <= now
            for r in self.s.rows.values()
        )

    def claim(
        self,
        kinds: Sequence[str],
        platforms: Sequence[str],
        now: datetime,
        lease_until: datetime,
        claimer: str,
        limit: int,
    ) -> list[Due]:
        due = sorted(
            (r.item.due_at, i)
            for i, r in self.s.rows.items()
            if claimable(_fields(r), kinds, platforms, now, IN_PYTHON)
        )[:limit]
        claimed = []
        for _, i in due:
            row = self.s.rows[i]
            row.lease_until, row.claimed_by = lease_until, claimer
            claimed.append(Due(i, row.item, row.attempts))
        return claimed

    def claim_keys(
        self, kind: str, keys: Sequence[str], now: datetime, lease_until: datetime, claimer: str
    ) -> list[Due]:
        claimed = []
        for key in keys:
            for i, row in self.s.rows.items():
                unleased = row.lease_until is None or row.lease_until < now
                if (row.item.kind, row.item.key, row.state) == (kind, key, "pending") and unleased:
                    row.lease_until, row.claimed_by = lease_until, claimer
                    claimed.append(Due(i, row.item, row.attempts))
        return claimed

    def extend(self, ids: Sequence[int], claimer: str, lease_until: datetime) -> None:
        for i in ids:
            row = self.s.rows.get(i)
            if row is not None and row.state == "pending" and row.claimed_by == claimer:
                row.lease_until = lease_until

    def finish_many(self, row_ids: Sequence[int], state: str, now: datetime) -> None:
        for row_id in row_ids:
            row = self.s.rows.get(row_id)
            if row is not None and row.state == "pending":
                row.state, row.lease_until, row.finished_at = state, None, now
                row.attempts += 1

    def retry(self, row_id: int, claimer: str, retry_at: datetime) -> None:
        row = self.s.rows.get(row_id)
        if row is not None and row.state == "pending" and row.claimed_by == claimer:
            row.lease_until, row.claimed_by, row.retry_at = None, None, retry_at
            row.attempts += 1

    def expire(
        self, now: datetime, graces: Mapping[str, timedelta], platforms: Sequence[str]
    ) -> list[tuple[int, Scheduled]]:
        missed = []
        for i, row in sorted(self.s.rows.items()):
            grace = graces.get(row.item.kind)
            if (
                grace is not None
                and row.state == "pending"
                and row.item.platform in platforms
                and row.item.due_at < now - grace
                and (row.lease_until is None or row.lease_until < now)
            ):
                row.state, row.finished_at, row.claimed_by = "missed", now, None
                missed.append((i, row.item))
        return missed
