"""Ports for the servers the tests start, picked before the server binds them.

The kernel's pick for a port 0 comes from its ephemeral range, where every outgoing connection
and every server asking for any port on this machine draws too: a port picked that way, closed
and bound again seconds later by a starting `studybot serve`, was now and then taken meanwhile on
a busy machine ("address already in use"). These ports are drawn at random below that range,
where the kernel never hands one out by itself, and checked free as the server binds them (on
every address)."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000
# Below the usual start of the ephemeral range (32768) when the kernel does not say.
USUAL_EPHEMERAL_START = 32_768
ATTEMPTS = 100


def _ephemeral_start() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return USUAL_EPHEMERAL_START


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port nothing is bound to, outside the kernel's ephemeral range."""
    highest = _ephemeral_start()
    if highest > LOWEST:
        for _ in range(ATTEMPTS):
            port = LOWEST + secrets.randbelow(highest - LOWEST)
            if _bindable(port):
                return port
    with socket.socket() as probe:  # an unusual range: the kernel's pick after all
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
