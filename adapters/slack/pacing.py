"""Slack takes about one message per second per channel, and a limited number per workspace:
posts to one channel are spaced out, and posts to one workspace are evenly spaced.

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
WINDOW_SECONDS = 1.0


class _Post:
    """One post's place in its workspace's window: when Slack answered it, once it has."""

    __slots__ = ("answered", "answered_at")

    def __init__(self) -> None:
        self.answered = asyncio.Event()
        self.answered_at = 0.0


class WorkspaceLimiter:
    """Posts to one workspace evenly spaced, `per_second` in every `window` seconds: any second
    then holds at most `per_second` of them, as Slack (and the benchmarks' stand-in) count.

    Evenly spaced rather than in bursts: with many workspaces, a burst of every workspace's posts
    at the start of each second queues hundreds of requests at once. A workspace waiting for its
    turn holds up no other.

    Turns are planned `interval` apart from the planned time of the one before, not from when
    the waiter woke: a busy event loop wakes waiters late, and spacing from the wake-up would add
    every delay to every later turn. A post is counted in its window from when Slack answered it,
    which is no sooner than Slack counted it; a turn comes no sooner than `window` after the
    post `per_second` turns before it was answered. A post that left late (a pause of the event
    loop between its turn and its request) therefore never crowds more than `per_second` posts
    into one of Slack's windows, however the requests are delayed on their way.
    """

    def __init__(
        self,
        per_second: int = DEFAULT_WORKSPACE_POSTS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        window: float = WINDOW_SECONDS,
    ) -> None:
        self.per_second = per_second
        self.window = window
        self.interval = window / per_second
        self.clock = clock
        self.sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._planned: dict[str, float] = {}
        self._posts: dict[str, deque[_Post]] = {}

    @asynccontextmanager
    async def turn(self, workspace: str) -> AsyncIterator[None]:
        """Wait until `workspace` may take another post; the block sends it."""
        post = await self._take(workspace)
        try:
            yield
        finally:
            post.answered_at = self.clock()
            post.answered.set()

    async def _take(self, workspace: str) -> _Post:
        async with self._locks.setdefault(workspace, asyncio.Lock()):
            posts = self._posts.setdefault(workspace, deque(maxlen=self.per_second))
            planned = max(self._planned.get(workspace, self.clock()), self.clock())
            turn = planned
            if len(posts) == self.per_second:
                await posts[0].answered.wait()
                turn = max(planned, posts[0].answered_at + self.window)
            wait = turn - self.clock()
            if wait > 0:
                await self.sleep(wait)
            self._planned[workspace] = planned + self.interval
            post = _Post()
            posts.append(post)
            return post
