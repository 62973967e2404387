"""The answer path's yardstick on PostgreSQL: a plain asyncpg loop doing the writes one answer
needs, one transaction per answer, from many clients over a pool as large as the core's."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg

from benchmarks.loops import Closed, closed_loop
from bot.periods import period_keys

INSERT_ANSWER = (
    "INSERT INTO answers (instance_id, user_id, team_id, choice, correct, points, late, answered_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, false, $7)"
)
BUMP_COUNT = "UPDATE question_instances SET answer_count = answer_count + 1 WHERE id = $1"
UPSERT_TOTAL = (
    "INSERT INTO {table} ({owner}, period_key, workspace_id, points, answers, correct)"
    " VALUES ($1, $2, 1, $3, 1, $4) ON CONFLICT ({owner}, period_key) DO UPDATE SET"
    " points = {table}.points + excluded.points, answers = {table}.answers + 1,"
    " correct = {table}.correct + excluded.correct"
)
SET_STREAK = (
    "UPDATE users SET streak = $1, best_streak = greatest(best_streak, $1), daily_streak = 0 WHERE id = $2"
)
# The core's PostgreSQL pool (`bot.db.database`): 10 connections and 10 more on demand.
POOL_SIZE = 20


async def raw_closed_loop(url: str, people: int, team_count: int, instances: int, seconds: float) -> Closed:
    """`people` clients, client c answering instance n + 1 as user c + 1 for n = 0, 1, ...; each
    answer its own transaction."""
    keys = period_keys(datetime.now(UTC), ZoneInfo("UTC"))
    user_upsert = UPSERT_TOTAL.format(table="user_totals", owner="user_id")
    team_upsert = UPSERT_TOTAL.format(table="team_totals", owner="team_id")
    pool = await asyncpg.create_pool(
        url.replace("postgresql+asyncpg://", "postgresql://"), max_size=POOL_SIZE
    )
    assert pool is not None

    async def answer(client: int, n: int) -> bool:
        if n >= instances:
            return False
        user_id, instance_id = client + 1, n + 1
        team_id = client % team_count + 1
        correct = (client + n) % 3 != 0
        points = 10 if correct else 0
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                INSERT_ANSWER,
                instance_id,
                user_id,
                team_id,
                "B",
                correct,
                points,
                datetime.now(UTC).replace(tzinfo=None),
            )
            await connection.execute(BUMP_COUNT, instance_id)
            for key in keys:
                await connection.execute(user_upsert, user_id, key, points, int(correct))
            for key in keys:
                await connection.execute(team_upsert, team_id, key, points, int(correct))
            await connection.execute(SET_STREAK, 1 if correct else 0, user_id)
        return True

    try:
        return await closed_loop(people, seconds, answer)
    finally:
        await asyncio.wait_for(pool.close(), 30)
