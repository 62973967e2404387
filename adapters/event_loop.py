"""The event loop of `studybot serve`: uvloop where it is installed, asyncio's own elsewhere.

uvloop runs the same coroutines on libuv, with its transports and its loop written in C. Here,
with Slack's requests at 500 a second, it took the p99 of the HTTP answer from 6 to 19 ms down
to 4 to 7 ms (benchmarks, section slack), for about 4% less processor time per request. It has
no Windows build, hence the fallback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the loop `new_event_loop` gives."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
