"""Issue 15: starting a 65-question mock exam for one person of 10,000 with long histories.

The database holds 10,000 people in one workspace, each with `answers_each` answers to
practice questions of the real bank and `past_exams` submitted 65-question exams (so
"questions not seen yet" has a real history to read). A start is the whole use case: find or
create the person, read how often they met each question, draw 65 in the domains'
proportions, write the exam and its 65 questions and the deadline's delivery row, and return
the first question. Each timed start is a different person's (one exam at a time each).
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from benchmarks import world
from benchmarks.loops import percentile
from benchmarks.report import Figure, at_most, info
from bot.bank import QuestionBank
from bot.bootstrap import compose, freeze_long_lived
from bot.exam_models import ExamQuestion
from bot.exam_rules import exam_shaped

PEOPLE = 10_000


@dataclass(frozen=True)
class Size:
    answers_each: int
    past_exams: int
    starts: int


FULL = Size(answers_each=200, past_exams=3, starts=2000)
QUICK = Size(answers_each=20, past_exams=1, starts=100)
EXAM_LENGTH = 65


def _stamp(moment: object) -> str:
    return str(moment).replace("+00:00", "")


def populate(path: Path, questions: QuestionBank, size: Size) -> None:
    """Every person's history in bulk: one practice post per bank question, each person answering
    `answers_each` of them; `past_exams` submitted exams each of 65 questions."""
    rng = random.Random(15)
    ids = [q.id for q in questions.questions]
    exam_ids = [q.id for q in exam_shaped(questions.questions)]
    created = _stamp(world.EPOCH)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("BEGIN")
    connection.execute(
        "INSERT INTO workspaces (id, platform, external_id, name, timezone, created_at)"
        " VALUES (1, ?, ?, 'bench', 'UTC', ?)",
        (world.PLATFORM, world.WORKSPACE, created),
    )
    connection.execute(
        "INSERT INTO channels (id, workspace_id, external_id) VALUES (1, 1, ?)", (world.CHANNEL,)
    )
    connection.executemany(
        "INSERT INTO users (id, workspace_id, external_id, display_name, created_at) VALUES (?, 1, ?, ?, ?)",
        ((n + 1, world.user_external(n), f"user{n}", created) for n in range(PEOPLE)),
    )
    connection.executemany(
        "INSERT INTO question_instances (id, channel_id, question_id, mode, posted_at)"
        " VALUES (?, 1, ?, 'practice', ?)",
        ((i + 1, question_id, created) for i, question_id in enumerate(ids)),
    )
    connection.executemany(
        "INSERT INTO answers (instance_id, user_id, choice, correct, points, late, answered_at)"
        " VALUES (?, ?, 'x', ?, 0, 0, ?)",
        (
            (instance, n + 1, rng.random() < 0.7, created)
            for n in range(PEOPLE)
            for instance in rng.sample(range(1, len(ids) + 1), size.answers_each)
        ),
    )
    finished = _stamp(world.EPOCH + timedelta(minutes=90))
    exam_rows = [
        (n * size.past_exams + k + 1, n + 1, created, finished, finished)
        for n in range(PEOPLE)
        for k in range(size.past_exams)
    ]
    connection.executemany(
        "INSERT INTO exams (id, user_id, workspace_id, question_count, minutes, timezone, started_at,"
        " deadline, state, position, finished_at, correct, score)"
        " VALUES (?, ?, 1, 65, 90, 'UTC', ?, ?, 'submitted', 0, ?, 40, 640)",
        exam_rows,
    )
    connection.executemany(
        "INSERT INTO exam_items (exam_id, position, question_id, flagged) VALUES (?, ?, ?, 0)",
        (
            (exam_id, position, question_id)
            for exam_id, *_ in exam_rows
            for position, question_id in enumerate(rng.sample(exam_ids, EXAM_LENGTH))
        ),
    )
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


async def run(directory: Path, questions: QuestionBank, size: Size) -> list[Figure]:
    path = directory / "exam.db"
    database = await world.migrated(path)
    await database.dispose()
    started = time.perf_counter()
    populate(path, questions, size)
    filled = time.perf_counter() - started
    os.sync()
    database = await world.migrated(path)
    clock = world.FixedClock(world.EPOCH + timedelta(days=30))
    core = compose(database, questions, clock, "UTC", rng=random.Random(1))
    freeze_long_lived()  # as `studybot serve` does after start-up
    people = random.Random(2).sample(range(PEOPLE), size.starts + 20)
    samples: list[float] = []
    try:
        for n, person in enumerate(people):
            began = time.perf_counter()
            screen = await core.exam.start(world.actor(person), None, None, None)
            elapsed = time.perf_counter() - began
            assert isinstance(screen, ExamQuestion) and screen.total == EXAM_LENGTH
            if n >= 20:  # the first starts warm the caches and the statements
                samples.append(elapsed)
    finally:
        await database.dispose()
    return [
        info(
            f"populate {PEOPLE:,} people x {size.answers_each} answers, {size.past_exams} past exams",
            filled,
            "s",
        ),
        info("median start of a 65-question exam", percentile(samples, 0.5) * 1000, "ms"),
        at_most("p99 start of a 65-question exam", percentile(samples, 0.99) * 1000, "ms", 20),
    ]
