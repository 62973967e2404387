"""Point 2: top ten people and teams through QuizService.leaderboard as the history grows."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path

from benchmarks import world
from benchmarks.loops import percentile
from benchmarks.populate import populate
from benchmarks.report import Figure, at_most, info
from bot.bank import QuestionBank
from bot.models import Period, Place, Scope
from bot.service import QuizService

PEOPLE = 10_000
TEAMS = 200
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 20_000, 50_000)
FULL_CALLS = 3000
QUICK_CALLS = 300
PLACE = Place(world.PLATFORM, world.WORKSPACE)


async def _p99(quiz: QuizService, calls: int) -> float:
    """p99 of one leaderboard call, cycling people and teams over week, month and all time."""
    shapes = [(period, scope) for period in Period for scope in Scope]
    for period, scope in shapes:
        await quiz.leaderboard(PLACE, period, scope)
    samples = []
    for n in range(calls):
        period, scope = shapes[n % len(shapes)]
        started = time.perf_counter()
        board = await quiz.leaderboard(PLACE, period, scope)
        samples.append(time.perf_counter() - started)
        assert len(board.rows) == 10
    return percentile(samples, 0.99)


async def run(directory: Path, questions: QuestionBank, quick: bool) -> list[Figure]:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    calls = QUICK_CALLS if quick else FULL_CALLS
    now = world.EPOCH + timedelta(days=400)
    results: list[tuple[int, float, float]] = []
    for size in sizes:
        path = directory / f"board-{size}.db"
        database = await world.migrated(path)
        await database.dispose()
        started = time.perf_counter()
        populate(path, size, PEOPLE, TEAMS, now)
        filled = time.perf_counter() - started
        database = await world.migrated(path)
        quiz = QuizService(database, questions, world.FixedClock(now), "UTC", random.Random(1))
        try:
            results.append((size, await _p99(quiz, calls), filled))
        finally:
            await database.dispose()
    figures = []
    for size, p99, filled in results:
        figures.append(info(f"populate {size:,} answers", filled, "s"))
        label = f"p99 at {size:,} answers"
        figures.append(
            at_most(label, p99 * 1000, "ms", 5) if size == sizes[-1] else info(label, p99 * 1000, "ms")
        )
    smallest, largest = results[0][1], results[-1][1]
    figures.append(at_most(f"p99 {sizes[-1]:,} / p99 {sizes[0]:,}", largest / smallest, "ratio", 1.5))
    return figures
