"""`python -m benchmarks [--quick] [--output PATH] [--only SECTION ...]`: run, print, write."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters import event_loop
from benchmarks import (
    answers,
    dashboard,
    decks,
    exam,
    fanout,
    flood,
    footprint,
    leaderboard,
    learning,
    postgres,
    reminders,
    slack_e2e,
    world,
)
from benchmarks.report import Figure, Sections, document, table, write

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"

Section = Callable[[Path, bool], Awaitable[list[Figure]]]


async def _answers(directory: Path, quick: bool) -> list[Figure]:
    return await answers.run(directory, world.bank(), answers.QUICK if quick else answers.FULL)


async def _leaderboard(directory: Path, quick: bool) -> list[Figure]:
    return await leaderboard.run(directory, world.bank(), quick)


async def _footprint(directory: Path, quick: bool) -> list[Figure]:
    return await footprint.run(directory, world.bank(), 3_000 if quick else 100_000)


async def _slack(directory: Path, quick: bool) -> list[Figure]:
    return await slack_e2e.run(directory, world.bank(), slack_e2e.QUICK if quick else slack_e2e.FULL)


async def _fanout(directory: Path, quick: bool) -> list[Figure]:
    return await fanout.run(directory, world.bank(), fanout.QUICK if quick else fanout.FULL)


async def _flood(directory: Path, quick: bool) -> list[Figure]:
    return await flood.run(directory, quick)


async def _postgres(directory: Path, quick: bool) -> list[Figure]:
    return await postgres.run(directory, world.bank(), postgres.QUICK if quick else postgres.FULL)


async def _decks(directory: Path, quick: bool) -> list[Figure]:
    return await decks.run(directory, quick)


async def _learning(directory: Path, quick: bool) -> list[Figure]:
    return await learning.run(directory, world.bank(), learning.QUICK if quick else learning.FULL)


async def _reminders(directory: Path, quick: bool) -> list[Figure]:
    return await reminders.run(directory, world.bank(), reminders.QUICK if quick else reminders.FULL)


async def _dashboard(directory: Path, quick: bool) -> list[Figure]:
    return await dashboard.run(directory, world.bank(), quick)


async def _exam(directory: Path, quick: bool) -> list[Figure]:
    return await exam.run(directory, world.bank(), exam.QUICK if quick else exam.FULL)


SECTIONS: dict[str, Section] = {
    "answers": _answers,
    "postgres": _postgres,
    "leaderboard": _leaderboard,
    "slack": _slack,
    "footprint": _footprint,
    "flood": _flood,
    "fanout": _fanout,
    "decks": _decks,
    "learning": _learning,
    "reminders": _reminders,
    "dashboard": _dashboard,
    "exam": _exam,
}


def default_sections() -> list[str]:
    """Every section; the PostgreSQL one only when a server is named (see `benchmarks.postgres`)."""
    return [name for name in SECTIONS if name != "postgres" or postgres.postgres_url() is not None]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run that checks the suite works")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run these sections only")
    return parser


async def run_sections(names: list[str], quick: bool) -> Sections:
    sections: Sections = {}
    for name in names:
        # What earlier sections wrote goes to disk now, not in the background of this one.
        os.sync()
        with tempfile.TemporaryDirectory(prefix=f"studybot-bench-{name}-") as directory:
            started = time.perf_counter()
            sections[name] = await SECTIONS[name](Path(directory), quick)
            print(f"{name}: {time.perf_counter() - started:.1f} s", flush=True)
    return sections


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    # On the event loop `studybot serve` runs on: the core and the daily fan-out run here.
    sections = event_loop.run(run_sections(options.only or default_sections(), options.quick))
    print(table(sections))
    write(options.output, document(sections, options.quick, time.perf_counter() - started))
    print(f"written to {options.output}")
    return 0
