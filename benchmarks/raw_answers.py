"""The ceiling of the answer path: a plain `sqlite3` loop doing the writes one answer needs,
one transaction per answer, on a file seeded like the core's (same schema, same pragmas)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.periods import period_keys

PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=5000")

INSERT_ANSWER = (
    "INSERT INTO answers (instance_id, user_id, team_id, choice, correct, points, late, answered_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 0, ?)"
)
BUMP_COUNT = "UPDATE question_instances SET answer_count = answer_count + 1 WHERE id = ?"
UPSERT_TOTAL = (
    "INSERT INTO {table} ({owner}, period_key, workspace_id, points, answers, correct)"
    " VALUES (?, ?, 1, ?, 1, ?) ON CONFLICT ({owner}, period_key) DO UPDATE SET"
    " points = points + excluded.points, answers = answers + 1, correct = correct + excluded.correct"
)
SET_STREAK = (
    "UPDATE users SET streak = ?, best_streak = max(best_streak, ?), daily_streak = ?,"
    " best_daily_streak = max(best_daily_streak, ?) WHERE id = ?"
)


ExtraWrites = Callable[[sqlite3.Connection, int, int, str], None]
"""More writes in each answer's transaction: (connection, user id, instance id, answered at)."""


def raw_answers_per_second(
    path: Path, people: int, team_count: int, seconds: float, extra: ExtraWrites | None = None
) -> tuple[int, float]:
    """Answers written in `seconds` (user n % people answers instance n // people + 1)."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    keys = period_keys(datetime.now(UTC), ZoneInfo("UTC"))
    user_upsert = UPSERT_TOTAL.format(table="user_totals", owner="user_id")
    team_upsert = UPSERT_TOTAL.format(table="team_totals", owner="team_id")
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        user_id = done % people + 1
        team_id = (user_id - 1) % team_count + 1
        instance_id = done // people + 1
        correct = done % 3 != 0
        points = 10 if correct else 0
        answered_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(INSERT_ANSWER, (instance_id, user_id, team_id, "B", correct, points, answered_at))
        connection.execute(BUMP_COUNT, (instance_id,))
        for key in keys:
            connection.execute(user_upsert, (user_id, key, points, int(correct)))
            connection.execute(team_upsert, (team_id, key, points, int(correct)))
        streak = 1 if correct else 0
        connection.execute(SET_STREAK, (streak, streak, 0, 0, user_id))
        if extra is not None:
            extra(connection, user_id, instance_id, answered_at)
        connection.execute("COMMIT")
        done += 1
    elapsed = time.perf_counter() - started
    connection.close()
    return done, elapsed
