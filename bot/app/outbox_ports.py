"""The delivery table's repository (`repositories.outbox`): what the senders and the runner of
`bot.app.outbox` need from storage. Synchronous, inside `uow.write`/`uow.read` like every
repository; `bot.db.outbox` implements it with SQLAlchemy, `tests/memory_outbox.py` in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.app.outbox import Due, Scheduled


class Outbox(Protocol):
    def schedule(self, item: Scheduled) -> bool:
        """Insert once per (kind, key); False if it already exists (in any state)."""
        ...

    def schedule_claimed(
        self, items: Sequence[Scheduled], lease_until: datetime, claimer: str
    ) -> list[int | None]:
        """Insert each item once per (kind, key), already leased to `claimer` (a request
        journaled by the process carrying it out); each new row's id, None where the row
        existed before."""
        ...

    def cancel(self, kind: str, key_prefix: str) -> int:
        """Remove still-pending rows of a kind whose key starts with the prefix; how many."""
        ...

    def pending(self, kind: str, key_prefix: str) -> list[Scheduled]:
        """Still-pending rows of a kind whose key starts with the prefix, soonest first."""
        ...

    def any_due(self, kinds: Sequence[str], platforms: Sequence[str], now: datetime) -> bool:
        """Whether some pending row of these kinds and platforms is due (claimable, leased or
        past its grace): a read, so that an idle run does not take the writer."""
        ...

    def claim(
        self,
        kinds: Sequence[str],
        platforms: Sequence[str],
        now: datetime,
        lease_until: datetime,
        claimer: str,
        limit: int,
    ) -> list[Due]:
        """Lease up to `limit` due rows (pending, due, backoff over, unleased or lease expired)
        of these kinds and platforms, with a conditional UPDATE: a row goes to one claimer."""
        ...

    def claim_keys(
        self, kind: str, keys: Sequence[str], now: datetime, lease_until: datetime, claimer: str
    ) -> list[Due]:
        """Lease these rows now, due or not (a sender delivering them in its own order), unless
        they are delivered, leased by another claimer or gone."""
        ...

    def extend(self, ids: Sequence[int], claimer: str, lease_until: datetime) -> None:
        """Renew the leases `claimer` still holds."""
        ...

    def finish_many(self, row_ids: Sequence[int], state: str, now: datetime) -> None:
        """Mark these rows 'sent' or 'dropped' (one statement per few hundred rows)."""
        ...

    def retry(self, row_id: int, claimer: str, retry_at: datetime) -> None:
        """Release `claimer`'s lease and let the row be claimed again from `retry_at`."""
        ...

    def expire(
        self, now: datetime, graces: Mapping[str, timedelta], platforms: Sequence[str]
    ) -> list[tuple[int, Scheduled]]:
        """Mark 'missed' the unleased pending rows of these kinds and platforms due more than
        their kind's grace ago; the rows marked."""
        ...
