"""Point 1: the answer path through QuizService.answer_choice on a SQLite file (WAL), beside the
raw `sqlite3` ceiling measured in the same run."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from benchmarks import world
from benchmarks.loops import closed_loop, open_loop
from benchmarks.raw_answers import raw_answers_per_second
from benchmarks.report import Figure, at_least, at_most, info
from bot.bank import QuestionBank

TEAMS = 50


@dataclass(frozen=True)
class AnswerPlan:
    people: int
    closed_seconds: float
    open_rate: float
    open_seconds: float
    raw_seconds: float
    instances: int


FULL = AnswerPlan(
    people=1000, closed_seconds=6.0, open_rate=2000, open_seconds=6.0, raw_seconds=4.0, instances=400
)
QUICK = AnswerPlan(
    people=1000, closed_seconds=1.0, open_rate=2000, open_seconds=1.0, raw_seconds=0.5, instances=60
)


async def run(directory: Path, questions: QuestionBank, plan: AnswerPlan) -> list[Figure]:
    raw_world = await world.seed(directory / "raw.db", questions, plan.people, TEAMS, plan.instances)
    await raw_world.database.dispose()
    raw_done, raw_seconds = raw_answers_per_second(raw_world.path, plan.people, TEAMS, plan.raw_seconds)
    raw_rate = raw_done / raw_seconds

    core_world = await world.seed(directory / "core.db", questions, plan.people, TEAMS, plan.instances)
    quiz = world.core(core_world.database, questions).quiz
    actors = [world.actor(n) for n in range(plan.people)]
    rng = random.Random(5)
    instances = core_world.instance_ids
    # The closed loop takes instances from the front, the open loop from the back.
    half = len(instances) // 2

    async def answer_closed(client: int, n: int) -> bool:
        if n >= half:
            return False
        await quiz.answer_choice(actors[client], instances[n], rng.randrange(2))
        return True

    try:
        closed = await closed_loop(plan.people, plan.closed_seconds, answer_closed)

        async def answer_open(n: int) -> None:
            round_, person = divmod(n, plan.people)
            await quiz.answer_choice(actors[person], instances[half + round_], rng.randrange(2))

        opened = await open_loop(plan.open_rate, plan.open_seconds, answer_open)
    finally:
        await core_world.database.dispose()
    return [
        info("raw sqlite3 ceiling (1 txn/answer)", raw_rate, "answers/s"),
        info(f"core closed loop, {plan.people} users", closed.per_second, "answers/s"),
        at_least("core / raw", closed.per_second / raw_rate, "ratio", 0.25),
        info(f"open loop offered ({opened.achieved:,.0f}/s achieved)", plan.open_rate, "answers/s"),
        info("open loop p50", opened.p50 * 1000, "ms"),
        at_most("open loop p99", opened.p99 * 1000, "ms", 10),
    ]
