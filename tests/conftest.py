"""Shared fixtures: a migrated database on each backend, a frozen clock, the real bank."""

from __future__ import annotations

import asyncio
import os
import random
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from bot import settings as settings_module
from bot.app.ports import UnitOfWork
from bot.app.quiz import QuizService
from bot.app.standings import Standings
from bot.app.teams import TeamService
from bot.bank import QuestionBank, load_bank
from bot.bootstrap import Core, compose
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.db.unit_of_work import SqlUnitOfWork
from tests.memory import MemoryUnitOfWork
from tests.slack.slack_stand_in import StandInSlack

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
POSTGRES_URL_VARIABLE = "STUDYBOT_TEST_POSTGRES_URL"


SETTING_PREFIXES = ("STUDYBOT_", "SLACK_", "DISCORD_")


@pytest.fixture(autouse=True)
def no_developer_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass their own settings: neither the developer's `.env` nor Studybot, Slack or
    Discord variables in their shell reach them (STUDYBOT_TEST_* stay: they configure the suite)."""
    monkeypatch.setattr(settings_module, "ENV_FILE", None)
    for name in list(os.environ):
        if name.startswith(SETTING_PREFIXES) and not name.startswith("STUDYBOT_TEST_"):
            monkeypatch.delenv(name)


YIELD_LIMIT = 10_000


async def yield_until(condition: Callable[[], object], what: str, limit: int = YIELD_LIMIT) -> None:
    """Give the event loop turns until `condition()` holds; fails after `limit` turns rather than
    spinning forever when a regression means it never will."""
    for _ in range(limit):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"still waiting after {limit} event-loop turns for {what}")


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
    """Empty the run's own database (see `postgres_run_url`) for the next test."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


def postgres_server_url() -> str:
    """The PostgreSQL server to test against; skips without one, except in CI, where the
    PostgreSQL half must run: there a missing setting fails the test."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "")
    if not url:
        reason = (
            f"PostgreSQL tests need {POSTGRES_URL_VARIABLE} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


async def _execute(server_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _administer(server_url: str, statement: str) -> None:
    """Run one statement on its own event loop in its own thread: the session fixture that
    needs it is first requested from inside a test's running loop."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, _execute(server_url, statement)).result()


@pytest.fixture(scope="session")
def postgres_run_url() -> Iterator[str]:
    """A database of this run's own on the server of STUDYBOT_TEST_POSTGRES_URL: created with a
    unique name when the first PostgreSQL test needs it and dropped when the run ends, so that
    two runs at once, or anyone's data in the database the URL names, are never touched."""
    server = make_url(postgres_server_url())
    name = f"studybot_test_{os.getpid()}_{secrets.token_hex(4)}"
    server_url = server.render_as_string(hide_password=False)
    _administer(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _administer(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, file_name: str = "studybot.db"
) -> str:
    """An empty database of the backend `request.param` names: a SQLite file in `tmp_path`, or
    ("postgresql") the run's PostgreSQL database, emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / file_name}"
    url: str = request.getfixturevalue("postgres_run_url")
    await reset_postgres(url)
    return url


T = TypeVar("T")


async def read_once(url: str, read: Callable[[Connection], T]) -> T:
    """`read` in one transaction of the database at `url` (a process's, after it ended)."""
    database = Database(url)
    try:
        return await database.read(read)
    finally:
        await database.dispose()


@asynccontextmanager
async def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated database of the backend `request.param` names ("sqlite" or "postgresql")."""
    db = Database(await empty_database_url(request, tmp_path))
    await upgrade(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated database: a SQLite file, and PostgreSQL when it is configured.

    The PostgreSQL half runs when STUDYBOT_TEST_POSTGRES_URL is set and is skipped with that
    reason otherwise. `.ci/run` sets it, so there an unreachable server fails the run instead
    of skipping.
    """
    async with migrated(request, tmp_path) as db:
        yield db


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def uow(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UnitOfWork]:
    """The in-memory fake and both real backends: the fake must behave as the real thing."""
    if request.param == "memory":
        yield MemoryUnitOfWork()
        return
    async with migrated(request, tmp_path) as db:
        yield SqlUnitOfWork(db)


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


@pytest.fixture
async def slack_api() -> AsyncIterator[StandInSlack]:
    """The Slack Web API stand-in on 127.0.0.1, for tests of the Slack adapter and `studybot serve`."""
    api = StandInSlack()
    await api.start()
    yield api
    await api.stop()
