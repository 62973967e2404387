"""Slow and idle clients cannot starve the HTTP server of connections or file descriptors.

aiohttp closes a connection whose request headers have not all arrived `keepalive_timeout`
seconds after it opened (or after its last response), and the Slack route reads its body with a
deadline of its own. That bounds how long one slow client holds a socket, not how many do: 2,000
slowloris connections would still take 2,000 file descriptors for those seconds. So the server
also holds at most `cap` connections. A connection beyond the cap takes the place of the oldest
one that is not running a request (idle, or still trickling in its headers: the slowloris
shape); only when every connection is running a request is the new one closed. A client that
sends a whole request promptly, a health check or Slack, is therefore always served.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import cast

from aiohttp import web

from bot.metrics import CONNECTIONS_CLOSED

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# File descriptors left for everything but incoming connections: the Web API client's pool of
# 100, the database's connections, the Discord gateway, logs and the interpreter's own files.
RESERVED_DESCRIPTORS = 150
# The soft limit `studybot serve` raises itself to, where the hard limit allows.
WANTED_DESCRIPTORS = 65_536


def raise_file_limit() -> int:
    """Raise this process's soft limit on open files towards the hard limit; the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WANTED_DESCRIPTORS if hard == resource.RLIM_INFINITY else min(hard, WANTED_DESCRIPTORS)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return soft


def connection_cap(setting: int, file_limit: int) -> int:
    """The cap: the setting, or fewer where the file limit would not leave room for it."""
    return max(1, min(setting, file_limit - RESERVED_DESCRIPTORS))


class _Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, admitted (or not) by the guard."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.admitted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass of it
        if not self.guard.admit(self):
            self.transport.abort()
            return
        self.admitted = True
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.admitted:
            self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.admitted else None

    def pause_writing(self) -> None:
        if self.admitted:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.admitted:
            self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.admitted:
            self.guard.forget(self)
            self.inner.connection_lost(exc)


class ConnectionGuard:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._idle: OrderedDict[_Guarded, None] = OrderedDict()  # oldest first
        self._busy: dict[_Guarded, int] = {}  # requests running on the connection
        self._by_transport: dict[asyncio.BaseTransport, _Guarded] = {}

    @property
    def open(self) -> int:
        return len(self._idle) + len(self._busy)

    def factory(self, inner: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """The protocol factory for `loop.create_server`, around aiohttp's (`runner.server`)."""
        return lambda: _Guarded(self, inner())

    def admit(self, connection: _Guarded) -> bool:
        if self.open >= self.cap:
            if not self._idle:
                CONNECTIONS_CLOSED.labels(reason="refused").inc()
                return False
            oldest, _ = self._idle.popitem(last=False)
            self._drop(oldest)
            CONNECTIONS_CLOSED.labels(reason="evicted").inc()
            if oldest.transport is not None:
                oldest.transport.abort()
        self._idle[connection] = None
        assert connection.transport is not None
        self._by_transport[connection.transport] = connection
        return True

    def _drop(self, connection: _Guarded) -> None:
        self._idle.pop(connection, None)
        self._busy.pop(connection, None)
        if connection.transport is not None:
            self._by_transport.pop(connection.transport, None)

    def forget(self, connection: _Guarded) -> None:
        self._drop(connection)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Mark the connection busy while its request runs; after it, it is the newest idle one."""
        connection = self._by_transport.get(request.transport) if request.transport else None
        if connection is None:
            return await handler(request)
        self._idle.pop(connection, None)
        self._busy[connection] = self._busy.get(connection, 0) + 1
        try:
            return await handler(request)
        finally:
            self._release(connection)

    def _release(self, connection: _Guarded) -> None:
        running = self._busy.get(connection)
        if running is None:  # closed meanwhile
            return
        if running > 1:
            self._busy[connection] = running - 1
            return
        del self._busy[connection]
        self._idle[connection] = None


async def listen(
    runner: web.AppRunner, guard: ConnectionGuard, host: str, port: int
) -> asyncio.AbstractServer:
    """Serve `runner`'s application on host:port through the guard. The kernel may hold as many
    connections waiting to be accepted as the guard admits (the loop's default is 100): under a
    burst, a connection past a full backlog is dropped and its client tries again only after 1 s,
    then 3 s, which held another workspace's click up for seconds behind a flood."""
    assert runner.server is not None, "runner.setup() first"
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        guard.factory(runner.server), host, port, reuse_address=True, backlog=guard.cap
    )
