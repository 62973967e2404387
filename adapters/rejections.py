"""Requests turned away at the door, logged without their bodies and at a bounded rate.

A flood of forged requests must not become a flood of log lines: the first `burst` rejections
of each `window` are logged one line each (status, reason, peer), the rest are counted, and the
count is logged once when the next window begins. Every rejection is counted in the metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

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
