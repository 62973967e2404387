"""Point 3: signed slash commands and clicks over loopback HTTP through Studybot's real Bolt app
(`studybot serve`), beside two ceilings measured in the same run: a bare aiohttp handler that
only verifies the signature, and a Bolt app whose listeners only ack."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from benchmarks import servers
from benchmarks.loops import closed_loop, open_loop
from benchmarks.report import Figure, at_least, at_most, info
from benchmarks.slack_requests import post
from benchmarks.traffic import Traffic, instances_for
from bot.bank import QuestionBank

CLIENTS = 200
HANDLED = "studybot_requests_total"
BUSY = "studybot_busy_refusals_total"
SETTLE_SECONDS = 120.0
SETTLE_POLL_SECONDS = 0.1
RATES = (200, 500, 1000)
TARGET_RATE = 500


@dataclass(frozen=True)
class E2EPlan:
    closed_seconds: float
    open_seconds: float


FULL = E2EPlan(closed_seconds=8.0, open_seconds=6.0)
QUICK = E2EPlan(closed_seconds=1.0, open_seconds=1.0)


@dataclass(frozen=True)
class Measured:
    throughput: float
    latencies: dict[int, tuple[float, float]]
    dropped: int = 0
    busy: float = 0.0
    """The share of the closed loop's requests whose work Studybot refused "busy" (a command not
    carried out, a recorded click's feedback not shown, a click not recorded): the loop's 200
    clients ask for more work than the stand-in's replies can carry, so the throughput measures
    acknowledgements, and this says how many of them were refusals."""


async def _counted(http: aiohttp.ClientSession, url: str, name: str) -> float:
    """The sum of a counter's samples in Studybot's own /metrics (a refusal counted again as
    "untold", when telling it was skipped, once)."""
    async with http.get(url + "metrics") as response:
        exposition = await response.text()
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and sample.labels.get("reason") != "untold"
    )


async def _handled(http: aiohttp.ClientSession, url: str) -> float:
    """Requests whose work Studybot has finished."""
    return await _counted(http, url, HANDLED)


async def _settled(http: aiohttp.ClientSession, url: str, sent: int) -> None:
    """Wait until Studybot has finished the work of every request sent: it acks at once and
    works after, so an unfinished backlog from one load would otherwise be measured as part of
    the next."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while await _handled(http, url) < sent:
        if time.monotonic() > deadline:
            raise TimeoutError(f"Studybot had not finished {sent} requests after {SETTLE_SECONDS} s")
        await asyncio.sleep(SETTLE_POLL_SECONDS)


async def _measure(url: str, traffic: Traffic, plan: E2EPlan, works_after_ack: bool) -> Measured:
    events = url + "slack/events"
    dropped = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def sent() -> bool:
            """One request; False if the server dropped its connection (past its cap, when the
            load outruns the CPU): counted, never handled, so not waited for."""
            nonlocal dropped
            try:
                await post(http, events, traffic.next())
            except aiohttp.ClientError:
                dropped += 1
                return False
            return True

        async def one(_client: int, _n: int) -> bool:
            return await sent()

        async def settle() -> None:
            if works_after_ack:
                await _settled(http, url, traffic.requests - dropped)

        closed = await closed_loop(CLIENTS, plan.closed_seconds, one)
        busy = await _counted(http, url, BUSY) if works_after_ack else 0.0
        latencies = {}
        for rate in RATES:
            await settle()
            opened = await open_loop(rate, plan.open_seconds, lambda _n: sent())
            latencies[rate] = (opened.p50, opened.p99)
    return Measured(closed.per_second, latencies, dropped, busy / max(1, closed.done))


def _most_clicks(plan: E2EPlan) -> int:
    """An upper bound on the clicks one target receives (closed loop at 5,000/s)."""
    return int(5000 * plan.closed_seconds + sum(RATES) * plan.open_seconds)


async def run(directory: Path, questions: QuestionBank, plan: E2EPlan) -> list[Figure]:
    async with servers.stand_in() as slack_url:
        respond = slack_url + "respond/"
        targets: list[tuple[str, Callable[[], AbstractAsyncContextManager[servers.Server]]]] = [
            ("bare aiohttp, signature only", lambda: servers.ceiling("bare", slack_url)),
            ("Bolt, ack only", lambda: servers.ceiling("bolt", slack_url)),
            (
                "Bolt-direct, ack only, process_before_response",
                lambda: servers.ceiling("bolt-direct", slack_url),
            ),
            (
                "Bolt-durable, one SQLite row per request before its ack",
                lambda: servers.ceiling("bolt-durable", slack_url),
            ),
            (
                "Studybot (studybot serve)",
                lambda: servers.studybot(directory, questions, slack_url, instances_for(_most_clicks(plan))),
            ),
        ]
        results = {}
        for name, start in targets:
            async with start() as server:
                studybot = name.startswith("Studybot")
                results[name] = await _measure(server.url, Traffic(respond), plan, works_after_ack=studybot)
    return _figures(results)


def _figures(results: dict[str, Measured]) -> list[Figure]:
    bare, bolt, _direct, durable, studybot = results.values()
    figures = [
        info(f"closed loop {CLIENTS} clients: {name}", m.throughput, "requests/s")
        for name, m in results.items()
    ]
    figures.append(at_least("Studybot / ack-only Bolt", studybot.throughput / bolt.throughput, "ratio", 0.7))
    figures.append(info("ack-only Bolt / bare aiohttp", bolt.throughput / bare.throughput, "ratio"))
    figures.append(info("Studybot / Bolt-durable", studybot.throughput / durable.throughput, "ratio"))
    figures.append(
        info("Studybot closed loop: share told busy (work past the queue's bound)", studybot.busy * 100, "%")
    )
    if studybot.dropped:
        figures.append(info("Studybot: connections dropped past its cap", studybot.dropped, "requests"))
    for name, measured in results.items():
        short = name.split(",")[0].split(" (")[0]
        for rate, (p50, p99) in measured.latencies.items():
            figures.append(info(f"{short} at {rate}/s: p50", p50 * 1000, "ms"))
            label = f"{short} at {rate}/s: p99"
            if measured is studybot and rate == TARGET_RATE:
                figures.append(at_most(label, p99 * 1000, "ms", 30))
            else:
                figures.append(info(label, p99 * 1000, "ms"))
    return figures
