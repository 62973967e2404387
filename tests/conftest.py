"""Shared fixtures: a migrated database on each backend, a frozen clock, the real bank."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.quiz import QuizService
from bot.app.standings import Standings
from bot.app.teams import TeamService
from bot.bank import QuestionBank, load_bank
from bot.bootstrap import Core, compose
from bot.db.database import Database
from bot.db.migrate import upgrade

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
POSTGRES_URL_VARIABLE = "STUDYBOT_TEST_POSTGRES_URL"


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def bank() -> QuestionBank:
    return load_bank(CONTENT_DIR)


async def reset_postgres(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


def postgres_url() -> str:
    """The PostgreSQL server to test against; skips without one, except in CI, where the
    PostgreSQL half must run: there a missing setting fails the test."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "")
    if not url:
        reason = f"PostgreSQL tests need {POSTGRES_URL_VARIABLE} (e.g. postgresql://postgres@127.0.0.1/test)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated database: a SQLite file, and PostgreSQL when it is configured.

    The PostgreSQL half runs when STUDYBOT_TEST_POSTGRES_URL is set and is skipped with that
    reason otherwise. `.ci/run` sets it, so there an unreachable server fails the run instead
    of skipping.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'studybot.db'}"
    else:
        url = postgres_url()
        await reset_postgres(url)
    db = Database(url)
    await upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture
def core(database: Database, bank: QuestionBank, clock: FrozenClock) -> Core:
    return compose(database, bank, clock, "Europe/Berlin", rng=random.Random(7))


@pytest.fixture
def service(core: Core) -> QuizService:
    return core.quiz


@pytest.fixture
def standings(core: Core) -> Standings:
    return core.standings


@pytest.fixture
def team_service(core: Core) -> TeamService:
    return core.teams
