"""Requests turned away at the door, logged without their bodies and at a bounded rate.

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


class RejectionLog:
    def __init__(
        self,
        burst: int = BURST,
        window: float = WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.window = window
        self.monotonic = monotonic
        self._window_start = monotonic()
        self._logged = 0
        self._unlogged = 0

    def record(self, status: int, reason: str, peer: str | None) -> None:
        REJECTED.labels(status=str(status)).inc()
        now = self.monotonic()
        if now - self._window_start >= self.window:
            if self._unlogged:
                log.warning(
                    "%d more requests rejected in the last %.0f s, not logged one by one",
                    self._unlogged,
                    now - self._window_start,
                )
            self._window_start, self._logged, self._unlogged = now, 0, 0
        if self._logged < self.burst:
            self._logged += 1
            log.warning("rejected a request with %d: %s (from %s)", status, reason, peer or "unknown")
        else:
            self._unlogged += 1


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
