"""Which process runs the daily scheduler: the contract, and the SQLite case.

On PostgreSQL several processes may serve one database; `bot.db.leader.AdvisoryLockLeader`
lets one of them lead at a time."""

from __future__ import annotations

from typing import Protocol


class Leadership(Protocol):
    async def acquire(self) -> bool:
        """Try to lead (or confirm that we still do); True while we lead."""
        ...

    async def release(self) -> None: ...


class SoleLeader:
    """SQLite: one process serves a database file, and the daily claims guard the rest."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None
