"""A TCP proxy between a `studybot serve` and PostgreSQL on 127.0.0.1 that can hold back what
the server sends on one connection: a test makes one query hang, at the moment it chooses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url


@dataclass(eq=False)
class Proxied:
    """One client connection and its connection to the server."""

    server_port: int
    """The port of this connection on PostgreSQL's client side (`pg_stat_activity.client_port`)."""
    flowing: asyncio.Event = field(default_factory=asyncio.Event)
    """Set while what the server sends is passed on."""
    awaiting: asyncio.Event = field(default_factory=asyncio.Event)
    """Set while the client waits for an answer: it sent something since the server's last
    ReadyForQuery was passed on."""

    def hold(self) -> None:
        """Pass nothing more from the server (a query sent now, or under way, waits)."""
        self.flowing.clear()

    def passed_on(self, data: bytes) -> None:
        # ReadyForQuery ends every answer: 'Z', length 5, the transaction status.
        if data[-6:-1] == b"Z\x00\x00\x00\x05":
            self.awaiting.clear()


class PostgresProxy:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.upstream = (parsed.host or "127.0.0.1", parsed.port or 5432)
        self.url = url
        self.connections: list[Proxied] = []
        self._pumps: set[asyncio.Task[None]] = set()

    def by_server_port(self, port: int) -> Proxied:
        (found,) = [c for c in self.connections if c.server_port == port]
        return found

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        proxied = Proxied(upstream_writer.get_extra_info("sockname")[1])
        proxied.flowing.set()
        self.connections.append(proxied)
        for pump in (
            _pump(reader, upstream_writer, lambda _data: proxied.awaiting.set()),
            _pump(upstream_reader, writer, proxied.passed_on, proxied.flowing),
        ):
            task = asyncio.create_task(pump)
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Listen on 127.0.0.1; the database URL through the proxy."""
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield make_url(self.url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        finally:
            server.close()
            for task in list(self._pumps):
                task.cancel()
            await asyncio.gather(*self._pumps, return_exceptions=True)


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    passed_on: Callable[[bytes], None],
    flowing: asyncio.Event | None = None,
) -> None:
    try:
        while data := await reader.read(65536):
            if flowing is not None:
                await flowing.wait()
            writer.write(data)
            passed_on(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
