"""Fill a migrated SQLite file with a workspace's history for the leaderboard benchmark, quickly
and consistently.

1. Users, teams (user n is in team n % teams) and one channel, in multi-row inserts.
2. Questions posted at even intervals over the year before `now`, each answered by up to
   `people` users (answer j: instance j // people, user j % people), in one `executemany`.
3. The running totals the leaderboards read are then derived from those answers in SQL, never
   written separately: a temporary table maps each instance to the three period buckets its
   time falls in (computed by `bot.periods`, as the core does), and one
   `INSERT ... SELECT ... GROUP BY` per table sums points, answers and correct answers by
   (user or team, bucket). The totals are therefore exactly what the core would have written
   answer by answer.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.periods import period_keys

YEAR = timedelta(days=365)
POINTS = (10, 15, 20)


def _stamp(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(sep=" ")


def populate(path: Path, answer_count: int, people: int, team_count: int, now: datetime) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    created = _stamp(now - YEAR)
    connection.execute("BEGIN")
    connection.execute(
        "INSERT INTO workspaces (id, platform, external_id, name, timezone, created_at)"
        " VALUES (1, 'slack', 'T1', 'bench', 'UTC', ?)",
        (created,),
    )
    connection.execute("INSERT INTO channels (id, workspace_id, external_id) VALUES (1, 1, 'C1')")
    connection.executemany(
        "INSERT INTO users (id, workspace_id, external_id, display_name, created_at) VALUES (?, 1, ?, ?, ?)",
        ((n + 1, f"U{n:06d}", f"user{n}", created) for n in range(people)),
    )
    connection.executemany(
        "INSERT INTO teams (id, workspace_id, name, name_key, created_at) VALUES (?, 1, ?, ?, ?)",
        ((t + 1, f"Team {t}", f"team {t}", created) for t in range(team_count)),
    )
    connection.executemany(
        "INSERT INTO team_members (user_id, team_id, joined_at) VALUES (?, ?, ?)",
        ((n + 1, n % team_count + 1, created) for n in range(people)),
    )
    instances = -(-answer_count // people)
    step = YEAR / instances
    posted = [now - YEAR + step * (i + 1) - timedelta(minutes=1) for i in range(instances)]
    connection.executemany(
        "INSERT INTO question_instances (id, channel_id, question_id, mode, posted_at, answer_count)"
        " VALUES (?, 1, 'q', 'practice', ?, ?)",
        ((i + 1, _stamp(moment), min(people, answer_count - i * people)) for i, moment in enumerate(posted)),
    )
    connection.executemany(
        "INSERT INTO answers (instance_id, user_id, team_id, choice, correct, points, late, answered_at)"
        " VALUES (?, ?, ?, 'B', ?, ?, 0, ?)",
        _answers(answer_count, people, team_count, [_stamp(m + timedelta(seconds=30)) for m in posted]),
    )
    connection.execute("CREATE TEMP TABLE instance_periods (instance_id INTEGER, period_key TEXT)")
    utc = ZoneInfo("UTC")
    connection.executemany(
        "INSERT INTO instance_periods VALUES (?, ?)",
        ((i + 1, key) for i, moment in enumerate(posted) for key in period_keys(moment, utc)),
    )
    for table, owner in (("user_totals", "user_id"), ("team_totals", "team_id")):
        connection.execute(
            f"INSERT INTO {table} ({owner}, period_key, workspace_id, points, answers, correct)"
            f" SELECT a.{owner}, p.period_key, 1, SUM(a.points), COUNT(*), SUM(a.correct)"
            " FROM answers a JOIN instance_periods p ON p.instance_id = a.instance_id"
            f" GROUP BY a.{owner}, p.period_key"
        )
    connection.execute("COMMIT")
    connection.close()


def _answers(
    count: int, people: int, team_count: int, stamps: list[str]
) -> list[tuple[int, int, int, int, int, str]]:
    """Each user has their own accuracy (uniform 0.3 to 0.95); difficulty is random, so totals
    spread out as real ones do instead of tying in large blocks."""
    rng = random.Random(count)
    skill = [rng.uniform(0.3, 0.95) for _ in range(people)]
    rows = []
    for j in range(count):
        instance, person = divmod(j, people)
        correct = rng.random() < skill[person]
        points = rng.choice(POINTS) if correct else 0
        rows.append(
            (instance + 1, person + 1, person % team_count + 1, int(correct), points, stamps[instance])
        )
    return rows
