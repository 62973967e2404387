"""SIGTERM or SIGINT while `studybot serve` is still starting, before its event loop handles
signals (reading the settings, bringing the schema up to date, opening the port): remembered, and
the stop then runs in order as soon as the loop can run it, instead of the process dying without
a word part-way through its start (exit 143, nothing logged)."""

from __future__ import annotations

import signal
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

_received: list[int] = []


def remember() -> None:
    """From now until the event loop takes over the signals, a stop signal is only noted."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _note)


def _note(signum: int, _frame: FrameType | None) -> None:
    _received.append(signum)


def received() -> bool:
    """Whether a stop signal arrived while starting."""
    return bool(_received)
