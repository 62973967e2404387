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

# conversations.open (a study reminder's direct message, before its first post there) is a
# Tier 3 method: "50+ per minute" for each workspace, counted apart from chat.postMessage.
OPENS_PER_MINUTE = 50
MINUTE_SECONDS = 60.0


class Turn:
    """One post's place in its workspace's window: when Slack answered it, once it has, and
    whether Slack refused it (then it posted no message, and does not count)."""

    __slots__ = ("answered", "answered_at", "was_refused")

    def __init__(self) -> None:
        self.answered = asyncio.Event()
        self.answered_at = 0.0
        self.was_refused = False

    def refused(self) -> None:
        """Slack refused the post (rate limited, server error): no message was posted."""
        self.was_refused = True


class WorkspaceLimiter:
    """Posts to one workspace evenly spaced, `per_second` in every `window` seconds: any second
    then holds at most `per_second` messages, as Slack (and the benchmarks' stand-in) count.

    Evenly spaced rather than in bursts: with many workspaces, a burst of every workspace's posts
    at the start of each second queues hundreds of requests at once. A workspace waiting for its
    turn holds up no other.

    Turns are planned `interval` apart from the planned time of the one before, not from when
    the waiter woke: a busy event loop wakes waiters late, and spacing from the wake-up would add
    every delay to every later turn. A post is counted in its window from when Slack answered it,
    which is no sooner than Slack counted it; a turn comes no sooner than `window` after the
    post `per_second` posts before it was answered. A post that left late (a pause of the event
    loop between its turn and its request) therefore never crowds more than `per_second`
    messages into one of Slack's windows, however the requests are delayed on their way. A post
    Slack refused posted nothing: it leaves the window and gives its turn back.
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
        self._counted: dict[str, deque[Turn]] = {}

    @asynccontextmanager
    async def turn(self, workspace: str) -> AsyncIterator[Turn]:
        """Wait until `workspace` may take another post; the block sends it, and tells the turn
        when Slack refused it."""
        turn = await self._take(workspace)
        try:
            yield turn
        finally:
            turn.answered_at = self.clock()
            if turn.was_refused:
                if turn in self._counted[workspace]:
                    self._counted[workspace].remove(turn)
                self._planned[workspace] -= self.interval
            turn.answered.set()

    async def _take(self, workspace: str) -> Turn:
        async with self._locks.setdefault(workspace, asyncio.Lock()):
            counted = self._counted.setdefault(workspace, deque())
            while len(counted) >= self.per_second and not counted[-self.per_second].answered.is_set():
                await counted[-self.per_second].answered.wait()
            now = self.clock()
            planned = max(self._planned.get(workspace, now), now)
            self._planned[workspace] = planned + self.interval
            at = planned
            if len(counted) >= self.per_second:
                at = max(planned, counted[-self.per_second].answered_at + self.window)
            if at > now:
                await self.sleep(at - now)
            while len(counted) >= self.per_second:
                counted.popleft()
            turn = Turn()
            counted.append(turn)
            return turn
