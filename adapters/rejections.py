"""Requests turned away at the door, logged without their bodies and at a bounded rate (and the
`BoundedLog` behind it, for any warning that can come at the rate of the requests).

A flood of forged requests must not become a flood of log lines: the first `burst` rejections
of each `window` are logged one line each (status, reason, peer), the rest are counted, and the
count is logged once when the next window begins. Every rejection is counted in the metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp.http_exceptions import HttpProcessingError

from bot.metrics import REJECTED

log = logging.getLogger(__name__)

BURST = 10
WINDOW_SECONDS = 60.0


class BoundedLog:
    """Warnings of one kind at a bounded rate: the first `burst` of each `window` one line each,
    the rest counted and summed up in one line (`more` says what was counted) once the next
    window begins."""

    def __init__(
        self,
        logger: logging.Logger,
        more: str,
        burst: int = BURST,
        window: float = WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.more = more
        self.burst = burst
        self.window = window
        self.monotonic = monotonic
        self._window_start = monotonic()
        self._logged = 0
        self._unlogged = 0

    def warning(self, message: str, *args: object) -> None:
        now = self.monotonic()
        if now - self._window_start >= self.window:
            if self._unlogged:
                self.logger.warning(
                    "%d more %s in the last %.0f s, not logged one by one",
                    self._unlogged,
                    self.more,
                    now - self._window_start,
                )
            self._window_start, self._logged, self._unlogged = now, 0, 0
        if self._logged < self.burst:
            self._logged += 1
            self.logger.warning(message, *args)
        else:
            self._unlogged += 1


class RejectionLog:
    def __init__(
        self,
        burst: int = BURST,
        window: float = WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lines = BoundedLog(log, "requests rejected", burst, window, monotonic)

    def record(self, status: int, reason: str, peer: str | None) -> None:
        REJECTED.labels(status=str(status)).inc()
        self.lines.warning("rejected a request with %d: %s (from %s)", status, reason, peer or "unknown")


class MalformedHttp(logging.Filter):
    """On aiohttp's server logger: a request that is not even HTTP (a header line too long, a
    bad Content-Length, TLS spoken to a plain port) is logged by aiohttp as an error with a
    traceback, one per connection. Here it becomes a rejection like the others: counted, and
    logged briefly at a bounded rate."""

    def __init__(self, rejections: RejectionLog) -> None:
        super().__init__()
        self.rejections = rejections

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError):
            return True
        peer = record.args[0] if isinstance(record.args, tuple) and record.args else None
        self.rejections.record(400, f"malformed HTTP ({type(error).__name__})", str(peer) if peer else None)
        return False
