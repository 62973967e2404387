"""The connection cap: a newcomer takes the place of the oldest connection not running a
request; when every connection runs one, the newcomer is closed; the cap leaves file
descriptors for everything else."""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.http_guard import RESERVED_DESCRIPTORS, ConnectionGuard, connection_cap


class FakeTransport:
    def __init__(self) -> None:
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True


class Recorder(asyncio.Protocol):
    def __init__(self) -> None:
        self.made = False
        self.lost = False

    def connection_made(self, transport: Any) -> None:
        self.made = True

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


def connect(guard: ConnectionGuard) -> tuple[Any, FakeTransport, Recorder]:
    inner = Recorder()
    protocol = guard.factory(lambda: inner)()
    transport = FakeTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return protocol, transport, inner


def test_a_newcomer_over_the_cap_evicts_the_oldest_idle_connection() -> None:
    guard = ConnectionGuard(cap=2)
    first, first_transport, _ = connect(guard)
    _, second_transport, _ = connect(guard)

    _, third_transport, third = connect(guard)

    assert first_transport.aborted and not second_transport.aborted
    assert third.made and not third_transport.aborted
    first.connection_lost(None)
    assert guard.open == 2


async def test_connections_running_a_request_are_kept_and_a_newcomer_is_refused_when_all_are() -> None:
    guard = ConnectionGuard(cap=1)
    _, transport, _ = connect(guard)
    release = asyncio.Event()
    entered = asyncio.Event()

    class Request:
        pass

    request = Request()
    request.transport = transport  # type: ignore[attr-defined]

    async def handler(_request: Any) -> Any:
        entered.set()
        await release.wait()
        return "done"

    running = asyncio.ensure_future(guard.middleware(request, handler))  # type: ignore[arg-type]
    await asyncio.wait_for(entered.wait(), 5)

    _, refused_transport, refused = connect(guard)

    assert refused_transport.aborted and not refused.made
    assert not transport.aborted
    release.set()
    assert await running == "done"
    _, later_transport, _ = connect(guard)  # now idle again: the old one makes room
    assert transport.aborted and not later_transport.aborted


def test_the_cap_leaves_room_under_the_file_limit() -> None:
    assert connection_cap(1000, 65_536) == 1000
    assert connection_cap(1000, 1024) == 1024 - RESERVED_DESCRIPTORS
    assert connection_cap(1000, 100) == 1
