"""Point 2: top ten people and teams through Standings.leaderboard as the history grows."""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta
from pathlib import Path

from benchmarks import world
from benchmarks.loops import percentile
from benchmarks.populate import populate
from benchmarks.report import Figure, at_most, info
from bot.app.standings import Standings
from bot.bank import QuestionBank
from bot.bootstrap import compose
from bot.db.database import Database
from bot.models import Period, Place, Scope

PEOPLE = 10_000
TEAMS = 200
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 20_000, 50_000)
FULL_CALLS = 6000
QUICK_CALLS = 300
PLACE = Place(world.PLATFORM, world.WORKSPACE)


ROUNDS = 10


def _shapes() -> list[tuple[Period, Scope]]:
    return [(period, scope) for period in Period for scope in Scope]


async def _samples(quiz: Standings, calls: int, into: list[float]) -> None:
    """Time `calls` leaderboard calls, cycling people and teams over week, month and all time."""
    shapes = _shapes()
    for n in range(calls):
        period, scope = shapes[n % len(shapes)]
        started = time.perf_counter()
        board = await quiz.leaderboard(PLACE, period, scope)
        into.append(time.perf_counter() - started)
        assert len(board.rows) == 10


async def run(directory: Path, questions: QuestionBank, quick: bool) -> list[Figure]:
    """Every size is populated and opened first; then the calls run in rounds, a share of each
    size's calls per round, so that a slow spell of a shared machine falls on all sizes alike
    rather than on whichever size it happened to meet (p99 of sub-millisecond calls moves with
    any such spell)."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    calls = QUICK_CALLS if quick else FULL_CALLS
    now = world.EPOCH + timedelta(days=400)
    filled: dict[int, float] = {}
    quizzes: dict[int, Standings] = {}
    databases: list[Database] = []
    try:
        for size in sizes:
            path = directory / f"board-{size}.db"
            database = await world.migrated(path)
            await database.dispose()
            started = time.perf_counter()
            populate(path, size, PEOPLE, TEAMS, now)
            filled[size] = time.perf_counter() - started
            database = await world.migrated(path)
            databases.append(database)
            quizzes[size] = compose(
                database, questions, world.FixedClock(now), "UTC", rng=random.Random(1)
            ).standings
        # Populating leaves hundreds of MB of dirty pages, which the kernel writes back in the
        # background for tens of seconds: timed during that, every size's p99 was 2 to 3 times
        # what it is once the files are on disk.
        os.sync()
        samples: dict[int, list[float]] = {size: [] for size in sizes}
        for quiz in quizzes.values():
            await _samples(quiz, len(_shapes()), [])
        for _ in range(ROUNDS):
            for size, quiz in quizzes.items():
                await _samples(quiz, calls // ROUNDS, samples[size])
    finally:
        for database in databases:
            await database.dispose()
    p99 = {size: percentile(samples[size], 0.99) for size in sizes}
    figures = []
    for size in sizes:
        figures.append(info(f"populate {size:,} answers", filled[size], "s"))
        label = f"p99 at {size:,} answers"
        ms = p99[size] * 1000
        figures.append(at_most(label, ms, "ms", 5) if size == sizes[-1] else info(label, ms, "ms"))
    smallest, largest = p99[sizes[0]], p99[sizes[-1]]
    figures.append(at_most(f"p99 {sizes[-1]:,} / p99 {sizes[0]:,}", largest / smallest, "ratio", 1.5))
    return figures
