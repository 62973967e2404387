"""Slack takes about one message per second per channel, and a limited number per workspace:
posts to one channel are spaced out, and posts to one workspace are counted per window.

The question of the day posts once per channel and day, but the reveal of yesterday's question
and today's question go to the same channel back to back. Each channel waits only for its own
previous post; other channels go ahead meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

MIN_SPACING_SECONDS = 1.0

Sleep = Callable[[float], Awaitable[None]]


class ChannelPacer:
    def __init__(
        self,
        spacing: float = MIN_SPACING_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.spacing = spacing
        self.clock = clock
        self.sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Wait until `channel` may take a message, then hold it while the message is sent."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            last = self._last.get(channel)
            if last is not None:
                wait = last + self.spacing - self.clock()
                if wait > 0:
                    await self.sleep(wait)
            try:
                yield
            finally:
                self._last[channel] = self.clock()


# Slack publishes one number for posting messages: about one per second (per channel, for
# chat.postMessage), with "a workspace-wide limit" on top that it does not put a number on
# (https://docs.slack.dev/apis/web-api/rate-limits). One post per second per workspace is the
# safe default that follows; SLACK_WORKSPACE_POSTS_PER_SECOND raises it for workspaces known to
# take more.
DEFAULT_WORKSPACE_POSTS_PER_SECOND = 1
# Requests reach Slack a little later than they leave, some later than others: a window a bit
# longer than Slack's second keeps the first post of one window out of the previous one.
WINDOW_SECONDS = 1.05


class WorkspaceLimiter:
    """At most `per_second` posts to one workspace in any window of `window` seconds.

    A window rather than a token bucket: Slack (and the benchmarks' stand-in) count the posts
    of the last second, and a bucket that refills continuously would send the next post while
    the window is still full. A workspace waiting for its turn holds up no other workspace.
    """

    def __init__(
        self,
        per_second: int = DEFAULT_WORKSPACE_POSTS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        window: float = WINDOW_SECONDS,
    ) -> None:
        self.per_second = per_second
        self.clock = clock
        self.sleep = sleep
        self.window = window
        self._locks: dict[str, asyncio.Lock] = {}
        self._sent: dict[str, deque[float]] = {}

    async def wait(self, workspace: str) -> None:
        """Wait until `workspace` may take another post, and count it as sent."""
        sent = self._sent.setdefault(workspace, deque())
        async with self._locks.setdefault(workspace, asyncio.Lock()):
            while True:
                now = self.clock()
                while sent and now - sent[0] >= self.window:
                    sent.popleft()
                if len(sent) < self.per_second:
                    sent.append(now)
                    return
                await self.sleep(sent[0] + self.window - now)
