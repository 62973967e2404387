"""Which rows of the delivery table a claim may take, stated once.

The SQL outbox (`bot.db.outbox`) needs the rule as a WHERE clause, the in-memory one of the tests
as a test of one row. `claimable` states it over a `Logic` that builds either: Python booleans
(`IN_PYTHON`), or SQL expressions over the table's columns (`bot.db.outbox.IN_SQL`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

Condition = TypeVar("Condition")


class Logic(Protocol[Condition]):
    """How a condition is built: `every` and `either` join conditions; the others compare a
    row's value (None where the row has none)."""

    def every(self, *conditions: Condition) -> Condition: ...

    def either(self, *conditions: Condition) -> Condition: ...

    def equals(self, value: Any, wanted: str) -> Condition: ...

    def among(self, value: Any, options: Sequence[str]) -> Condition: ...

    def missing(self, value: Any) -> Condition: ...

    def at_most(self, value: Any, moment: datetime) -> Condition: ...

    def before(self, value: Any, moment: datetime) -> Condition: ...


def claimable(
    row: Any, kinds: Sequence[str], platforms: Sequence[str], now: datetime, logic: Logic[Condition]
) -> Condition:
    """A row a claim may lease: pending, of one of these kinds and platforms, due, its retry's
    backoff over, and not leased or its lease run out. `row` names the row's fields: the
    table's columns in SQL, a `ClaimFields` in Python."""
    return logic.every(
        logic.equals(row.state, "pending"),
        logic.among(row.kind, kinds),
        logic.among(row.platform, platforms),
        logic.at_most(row.due_at, now),
        logic.either(logic.missing(row.retry_at), logic.at_most(row.retry_at, now)),
        logic.either(logic.missing(row.lease_until), logic.before(row.lease_until, now)),
    )


@dataclass(frozen=True)
class ClaimFields:
    """The fields of one row that `claimable` looks at, in Python."""

    state: str
    kind: str
    platform: str
    due_at: datetime
    retry_at: datetime | None
    lease_until: datetime | None


class _InPython:
    def every(self, *conditions: bool) -> bool:
        return all(conditions)

    def either(self, *conditions: bool) -> bool:
        return any(conditions)

    def equals(self, value: Any, wanted: str) -> bool:
        return bool(value == wanted)

    def among(self, value: Any, options: Sequence[str]) -> bool:
        return value in options

    def missing(self, value: Any) -> bool:
        return value is None

    def at_most(self, value: Any, moment: datetime) -> bool:
        return value is not None and bool(value <= moment)

    def before(self, value: Any, moment: datetime) -> bool:
        return value is not None and bool(value < moment)


IN_PYTHON: Logic[bool] = _InPython()
