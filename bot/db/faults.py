"""Database faults as an operator and a user see them: what kind (read-only, disk full, busy,
unreachable), the words a user is shown, and a log line once when a fault starts and once when
it ends (not one per failed request)."""

from __future__ import annotations

import logging
import time
from enum import StrEnum

from sqlalchemy.exc import DBAPIError, OperationalError

from bot.errors import StorageUnavailable

log = logging.getLogger(__name__)


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
    if "locked" in text or "busy" in text:
        return Fault.BUSY
    if isinstance(error, OperationalError):
        return Fault.UNREACHABLE
    return None


class FaultLog:
    """The database's current write fault: logged when it starts (or changes) and when the
    first write after it succeeds."""

    def __init__(self) -> None:
        self.current: Fault | None = None
        self._since = 0.0

    def failed(self, fault: Fault, error: BaseException) -> None:
        if fault is self.current:
            return
        if self.current is None:
            self._since = time.monotonic()
        log.error("database fault started: %s (%s)", fault.value, error)
        self.current = fault

    def succeeded(self) -> None:
        if self.current is not None:
            log.warning(
                "database fault ended: %s; writes succeed again after %.1f s",
                self.current.value,
                time.monotonic() - self._since,
            )
            self.current = None
