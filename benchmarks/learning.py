"""Issue 17, points 6(a) and 6(b): the answer path with its card update, and the next due card
in a workspace of many learners.

(a) The core's closed loop (group commit; every answer rates and stores the person's card and
a review log row in the answers' transaction) beside a plain `sqlite3` loop making the same
writes, the card upsert and the review log row included, one transaction per answer.
(b) `cards.next_due` for one person (the unit of work's read, as `/quiz review` runs it) in a
workspace of N people with 200 cards each, sampled over random people, at 2M cards and at 20k.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from benchmarks import world
from benchmarks.loops import closed_loop, percentile
from benchmarks.raw_answers import ExtraWrites, raw_answers_per_second
from benchmarks.report import Figure, at_least, at_most, info
from bot.bank import QuestionBank

TEAMS = 50
CARDS_EACH = 200
SAMPLES = 2000

UPSERT_CARD = (
    "INSERT INTO cards (user_id, question_id, state, step, stability, difficulty, due, last_review, reviews,"
    " introduced_at) VALUES (?, ?, 1, 1, 2.3065, 2.1181, ?, ?, 1, ?) ON CONFLICT (user_id, question_id)"
    " DO UPDATE SET state = excluded.state, step = excluded.step, stability = excluded.stability,"
    " difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,"
    " reviews = cards.reviews + 1"
)
INSERT_REVIEW = (
    "INSERT INTO review_logs (user_id, question_id, rating, reviewed_at, mode) VALUES (?, ?, 3, ?, ?)"
)


@dataclass(frozen=True)
class LearningPlan:
    people: int
    closed_seconds: float
    raw_seconds: float
    instances: int
    due_people: int
    """People with 200 cards each for (b); the small figure uses a hundredth of them."""


FULL = LearningPlan(people=1000, closed_seconds=6.0, raw_seconds=4.0, instances=400, due_people=10_000)
QUICK = LearningPlan(people=1000, closed_seconds=1.0, raw_seconds=0.5, instances=60, due_people=1_000)


def _card_writes(path: Path) -> ExtraWrites:
    """The raw loop's card upsert and review log row, with the instance's own question."""
    with sqlite3.connect(path) as reading:
        question_of = dict(reading.execute("SELECT id, question_id FROM question_instances"))

    def write(connection: sqlite3.Connection, user_id: int, instance_id: int, answered_at: str) -> None:
        question = question_of[instance_id]
        connection.execute(UPSERT_CARD, (user_id, question, answered_at, answered_at, answered_at))
        connection.execute(INSERT_REVIEW, (user_id, question, answered_at, "practice"))

    return write


async def _answers(directory: Path, questions: QuestionBank, plan: LearningPlan) -> list[Figure]:
    raw_world = await world.seed(directory / "raw-cards.db", questions, plan.people, TEAMS, plan.instances)
    await raw_world.database.dispose()
    extra = _card_writes(raw_world.path)
    raw_done, raw_seconds = raw_answers_per_second(
        raw_world.path, plan.people, TEAMS, plan.raw_seconds, extra
    )
    raw_rate = raw_done / raw_seconds

    core_world = await world.seed(directory / "core-cards.db", questions, plan.people, TEAMS, plan.instances)
    quiz = world.core(core_world.database, questions).quiz
    actors = [world.actor(n) for n in range(plan.people)]
    rng = random.Random(5)

    async def answer(client: int, n: int) -> bool:
        if n >= len(core_world.instance_ids):
            return False
        await quiz.answer_choice(actors[client], core_world.instance_ids[n], rng.randrange(2))
        return True

    try:
        closed = await closed_loop(plan.people, plan.closed_seconds, answer)
        cards = await core_world.database.read(
            lambda c: c.exec_driver_sql("SELECT count(*) FROM cards").scalar()
        )
    finally:
        await core_world.database.dispose()
    return [
        info("raw sqlite3 with the card row (1 txn/answer)", raw_rate, "answers/s"),
        info(
            f"core closed loop with cards, {plan.people} users ({cards:,} cards)",
            closed.per_second,
            "answers/s",
        ),
        at_least("core with cards / raw with cards", closed.per_second / raw_rate, "ratio", 1.0),
    ]


def _fill_cards(path: Path, people: int) -> None:
    """`people` users with CARDS_EACH cards each, due times spread over the past and next month."""
    rng = random.Random(11)
    epoch = world.EPOCH.replace(tzinfo=None)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO users (id, workspace_id, external_id, display_name, created_at) VALUES (?, 1, ?, ?, ?)",
        ((n + 1, world.user_external(n), f"user{n}", epoch.isoformat(sep=" ")) for n in range(people)),
    )

    def rows() -> Iterator[tuple[object, ...]]:
        for user in range(1, people + 1):
            for card in range(CARDS_EACH):
                due = (epoch + timedelta(minutes=rng.randrange(-30 * 1440, 30 * 1440))).isoformat(sep=" ")
                yield (user, f"q{card:03d}", 2, None, 5.0, 5.0, due, due, 3, due)

    connection.executemany(
        "INSERT INTO cards (user_id, question_id, state, step, stability, difficulty, due, last_review,"
        " reviews, introduced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


async def _next_due_latency(directory: Path, questions: QuestionBank, people: int) -> tuple[float, float]:
    """(p50, p99) in ms of one person's next due card, after a warm-up read."""
    seeded = await world.seed(directory / f"due-{people}.db", questions, 0, 0, 0)
    await seeded.database.dispose()
    _fill_cards(seeded.path, people)
    database = await world.migrated(seeded.path)
    uow = world.core(database, questions).uow
    now = world.EPOCH
    rng = random.Random(3)
    samples = []
    try:
        await uow.read(lambda r: r.cards.next_due(1, now, None))
        for _ in range(SAMPLES):
            user = rng.randrange(1, people + 1)
            started = time.perf_counter()
            await uow.read(lambda r, u=user: r.cards.next_due(u, now, None))
            samples.append(time.perf_counter() - started)
    finally:
        await database.dispose()
    return percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000


async def _next_due(directory: Path, questions: QuestionBank, plan: LearningPlan) -> list[Figure]:
    small_p50, small = await _next_due_latency(directory, questions, plan.due_people // 100)
    large_p50, large = await _next_due_latency(directory, questions, plan.due_people)
    cards = plan.due_people * CARDS_EACH
    return [
        info(f"next due card p50, {cards // 100:,} cards", small_p50, "ms"),
        info(f"next due card p99, {cards // 100:,} cards", small, "ms"),
        info(f"next due card p50, {cards:,} cards", large_p50, "ms"),
        at_most(f"next due card p99, {cards:,} cards", large, "ms", 2.0),
        at_most(f"next due p99 {cards:,} / {cards // 100:,} cards", large / small, "ratio", 1.5),
    ]


async def run(directory: Path, questions: QuestionBank, plan: LearningPlan) -> list[Figure]:
    return [*await _answers(directory, questions, plan), *await _next_due(directory, questions, plan)]
