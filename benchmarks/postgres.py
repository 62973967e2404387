"""The answer path through the core on PostgreSQL, beside a raw asyncpg loop doing the same
writes one transaction per answer, in the same run and on the same server.

The database is given by STUDYBOT_BENCH_POSTGRES_URL (or STUDYBOT_TEST_POSTGRES_URL); its
`public` schema is dropped and made afresh for each half, so point it at a scratch database.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from benchmarks import world
from benchmarks.loops import closed_loop, open_loop
from benchmarks.raw_postgres import raw_closed_loop
from benchmarks.report import Figure, at_least, at_most, info
from bot.bank import QuestionBank
from bot.db.database import Database
from bot.db.migrate import upgrade

URL_VARIABLES = ("STUDYBOT_BENCH_POSTGRES_URL", "STUDYBOT_TEST_POSTGRES_URL")
TEAMS = 50


@dataclass(frozen=True)
class PostgresPlan:
    people: int
    closed_seconds: float
    open_rate: float
    open_seconds: float
    instances: int


FULL = PostgresPlan(people=1000, closed_seconds=6.0, open_rate=1000, open_seconds=6.0, instances=200)
QUICK = PostgresPlan(people=1000, closed_seconds=1.0, open_rate=1000, open_seconds=1.0, instances=40)


def postgres_url() -> str | None:
    return next((os.environ[name] for name in URL_VARIABLES if os.environ.get(name)), None)


async def _fresh(url: str, questions: QuestionBank, plan: PostgresPlan) -> Database:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    database = Database(url)
    await upgrade(database)
    await world.seed_into(database, questions, plan.people, TEAMS, plan.instances)
    return database


async def run(directory: Path, questions: QuestionBank, plan: PostgresPlan) -> list[Figure]:
    url = postgres_url()
    if url is None:
        raise SystemExit(f"the postgres section needs {' or '.join(URL_VARIABLES)}")
    raw_database = await _fresh(url, questions, plan)
    await raw_database.dispose()
    raw = await raw_closed_loop(url, plan.people, TEAMS, plan.instances, plan.closed_seconds)

    database = await _fresh(url, questions, plan)
    quiz = world.core(database, questions).quiz
    actors = [world.actor(n) for n in range(plan.people)]
    rng = random.Random(5)
    half = plan.instances // 2

    async def answer_closed(client: int, n: int) -> bool:
        if n >= half:
            return False
        await quiz.answer_choice(actors[client], n + 1, rng.randrange(2))
        return True

    try:
        closed = await closed_loop(plan.people, plan.closed_seconds, answer_closed)

        async def answer_open(n: int) -> None:
            round_, person = divmod(n, plan.people)
            await quiz.answer_choice(actors[person], half + round_ + 1, rng.randrange(2))

        opened = await open_loop(plan.open_rate, plan.open_seconds, answer_open)
    finally:
        await database.dispose()
    return [
        info(f"raw asyncpg loop (1 txn/answer), {plan.people} users", raw.per_second, "answers/s"),
        info(f"core closed loop, {plan.people} users", closed.per_second, "answers/s"),
        at_least("core / raw", closed.per_second / raw.per_second, "ratio", 1.0),
        info(f"open loop offered ({opened.achieved:,.0f}/s achieved)", plan.open_rate, "answers/s"),
        info("open loop p50", opened.p50 * 1000, "ms"),
        at_most("open loop p99", opened.p99 * 1000, "ms", 20),
    ]
