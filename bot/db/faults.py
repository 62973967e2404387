"""Database faults as an operator and a user see them: what kind (read-only, disk full, busy,
unreachable), the words a user is shown, and a log line once when a fault starts and once when
it ends (not one per failed request).

A fault ends only once a write succeeds and no occurrence of it was seen for a quiet period
(`FAULT_QUIET_SECONDS`): on a full disk some writes still fit in free pages and succeed between
refused ones, and a flapping database would otherwise log a start and an end every few
requests, and readiness would flip with them."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import DBAPIError, OperationalError

from bot.errors import StorageUnavailable

log = logging.getLogger(__name__)

# How long after its last occurrence a fault still counts, whatever succeeds meanwhile.
FAULT_QUIET_SECONDS = 5.0

# PostgreSQL refusing connections: too many connections (53300), shut down by an administrator
# or a crash (57P01, 57P02), starting up or shutting down (57P03), and the connection
# exceptions (class 08). 55000 (object not in prerequisite state) only with the text of a
# database that does not allow connections (`ALTER DATABASE ... ALLOW_CONNECTIONS false`).
REFUSING_SQLSTATES = frozenset({"53300", "57P01", "57P02", "57P03"})
REFUSING_TEXTS = (
    "not currently accepting connections",
    "too many connections",
    "remaining connection slots are reserved",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "cannot connect now",
    "terminating connection due to administrator command",
)


class Fault(StrEnum):
    READ_ONLY = "read-only"
    FULL = "disk full"
    BUSY = "busy"
    UNREACHABLE = "unreachable"


MESSAGES = {
    Fault.READ_ONLY: "The quiz database is read-only right now, so nothing was saved.",
    Fault.FULL: "The quiz database cannot save anything: the disk is full. Nothing was saved.",
    Fault.BUSY: "The quiz database is busy right now, so nothing was saved. Try again in a moment.",
    Fault.UNREACHABLE: "The quiz database cannot be reached right now, so nothing was saved.",
}


class DatabaseFault(StorageUnavailable):
    """StorageUnavailable, with the kind of fault behind it."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(MESSAGES[fault])
        self.fault = fault


def classify(error: DBAPIError) -> Fault | None:
    """The fault behind a driver error, or None for an error of the request itself."""
    text = str(error.orig).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return Fault.READ_ONLY
    if "disk is full" in text or "no space left" in text or "could not extend file" in text:
        return Fault.FULL
    if refuses_connections(error):
        return Fault.UNREACHABLE
    if "locked" in text or "busy" in text:
        return Fault.BUSY
    if isinstance(error, OperationalError):
        return Fault.UNREACHABLE
    return None


def refuses_connections(error: DBAPIError) -> bool:
    """PostgreSQL refusing new connections or ending this one (asyncpg's errors reach SQLAlchemy
    as a plain DBAPIError, not an OperationalError, with the server's SQLSTATE)."""
    sqlstate = str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or "")
    if sqlstate in REFUSING_SQLSTATES or sqlstate.startswith("08"):
        return True
    text = str(error.orig).lower()
    return any(words in text for words in REFUSING_TEXTS)


@dataclass
class _Ongoing:
    started: float
    last_seen: float


class FaultLog:
    """The database's faults under way: each logged when it starts, and when a write succeeds
    at least `quiet_seconds` after its last occurrence. `clock` is a monotonic clock in
    seconds (a test's own)."""

    def __init__(
        self, quiet_seconds: float = FAULT_QUIET_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self._ongoing: dict[Fault, _Ongoing] = {}

    @property
    def current(self) -> Fault | None:
        """The fault seen last among those under way, or None."""
        if not self._ongoing:
            return None
        return max(self._ongoing.items(), key=lambda item: item[1].last_seen)[0]

    def failed(self, fault: Fault, error: BaseException | str) -> None:
        now = self.clock()
        ongoing = self._ongoing.get(fault)
        if ongoing is not None:
            ongoing.last_seen = now
            return
        self._ongoing[fault] = _Ongoing(now, now)
        log.error("database fault started: %s (%s)", fault.value, brief(error))

    def succeeded(self) -> None:
        """A write succeeded: the faults not seen for the quiet period end."""
        if not self._ongoing:
            return
        now = self.clock()
        for fault, ongoing in list(self._ongoing.items()):
            if now - ongoing.last_seen >= self.quiet_seconds:
                del self._ongoing[fault]
                log.warning(
                    "database fault ended: %s; writes succeed again after %.1f s",
                    fault.value,
                    now - ongoing.started,
                )


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    """Driver errors that are faults of the database (read-only, full, busy, unreachable)
    become `DatabaseFault`; an error of the request itself propagates as it is."""
    try:
        yield
    except DBAPIError as error:
        fault = classify(error)
        if fault is None:
            raise
        raise DatabaseFault(fault) from error
    except OSError as error:
        raise DatabaseFault(Fault.UNREACHABLE) from error


def brief(error: BaseException | str) -> str:
    """The driver's own first line of an error: SQLAlchemy's text adds the statement, its
    parameters and a link over several lines, too much for a log line read at night."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
