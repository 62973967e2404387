"""A migrated SQLite file with one workspace, its users, teams and posted questions, seeded in bulk.

Seeding writes rows directly (one multi-row statement per table) so that a benchmark measures
the path it is about, not the set-up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.bank import QuestionBank, load_bank
from bot.bootstrap import Core, compose, freeze_long_lived
from bot.clock import SystemClock
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.db.tables import channels, question_instances, team_members, teams, users, workspaces
from bot.models import Actor
from bot.questions import Kind
from bot.settings import REPO_CONTENT_DIR

PLATFORM = "slack"
WORKSPACE = "T1"
CHANNEL = "C1"
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def bank() -> QuestionBank:
    return load_bank(REPO_CONTENT_DIR)


def choice_question_ids(questions: QuestionBank) -> list[str]:
    """Questions answered by one click (a multiple-response answer picks several)."""
    return [q.id for q in questions.questions if q.kind in (Kind.MULTIPLE_CHOICE, Kind.TRUE_FALSE)]


def user_external(number: int) -> str:
    return f"U{number:06d}"


def actor(number: int) -> Actor:
    return Actor(PLATFORM, WORKSPACE, user_external(number), f"user{number}", "bench")


@dataclass(frozen=True)
class World:
    database: Database
    path: Path
    workspace_id: int
    instance_ids: list[int]


async def migrated(path: Path) -> Database:
    database = Database(f"sqlite:///{path}")
    await upgrade(database)
    return database


async def seed(
    path: Path, questions: QuestionBank, people: int, team_count: int, instances: int, channel: str = CHANNEL
) -> World:
    """One workspace with `people` users spread over `team_count` teams, and `instances`
    practice questions posted in one channel (choice questions only, so a click can answer)."""
    database = await migrated(path)
    await seed_into(database, questions, people, team_count, instances, channel)
    return World(database, path, 1, list(range(1, instances + 1)))


async def seed_into(
    database: Database,
    questions: QuestionBank,
    people: int,
    team_count: int,
    instances: int,
    channel: str = CHANNEL,
) -> None:
    """`seed` on a migrated, empty database of either backend."""
    ids = choice_question_ids(questions)
    rng = random.Random(1)
    async with database.async_transaction(write=True) as connection:
        await connection.execute(
            insert(workspaces),
            [
                {
                    "id": 1,
                    "platform": PLATFORM,
                    "external_id": WORKSPACE,
                    "name": "bench",
                    "timezone": "UTC",
                    "created_at": EPOCH,
                }
            ],
        )
        await connection.execute(insert(channels), [{"id": 1, "workspace_id": 1, "external_id": channel}])
        if people:
            await connection.execute(
                insert(users),
                [
                    {
                        "id": n + 1,
                        "workspace_id": 1,
                        "external_id": user_external(n),
                        "display_name": f"user{n}",
                        "created_at": EPOCH,
                    }
                    for n in range(people)
                ],
            )
        if team_count:
            await connection.execute(
                insert(teams),
                [
                    {
                        "id": t + 1,
                        "workspace_id": 1,
                        "name": f"Team {t}",
                        "name_key": f"team {t}",
                        "created_at": EPOCH,
                    }
                    for t in range(team_count)
                ],
            )
            await connection.execute(
                insert(team_members),
                [
                    {"user_id": n + 1, "team_id": n % team_count + 1, "joined_at": EPOCH}
                    for n in range(people)
                ],
            )
        if instances:
            await connection.execute(
                insert(question_instances),
                [
                    {
                        "id": i + 1,
                        "channel_id": 1,
                        "question_id": rng.choice(ids),
                        "mode": "practice",
                        "posted_at": EPOCH,
                    }
                    for i in range(instances)
                ],
            )


def core(database: Database, questions: QuestionBank) -> Core:
    """The core as `studybot serve` builds it (`bot.bootstrap`), on a seeded database."""
    built = compose(database, questions, SystemClock(), "UTC", rng=random.Random(3))
    freeze_long_lived()
    return built


@dataclass(frozen=True)
class FixedClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment
