"""Child processes on 127.0.0.1: start, wait until they answer HTTP, read their memory, stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp

STUDYBOT = Path(sys.executable).with_name("studybot")
START_SECONDS = 20.0
POLL_SECONDS = 0.005


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn(args: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(args), env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def module(name: str, *args: str) -> list[str]:
    return [sys.executable, "-m", name, *args]


async def until_status(url: str, status: int = 200, process: subprocess.Popen[bytes] | None = None) -> float:
    """Poll `url` until it answers `status`; the monotonic time when it did."""
    deadline = time.monotonic() + START_SECONDS
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{url}: the process ended: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                async with http.get(url) as response:
                    if response.status == status:
                        return time.monotonic()
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(POLL_SECONDS)
    raise TimeoutError(f"{url} did not answer {status} within {START_SECONDS} s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
