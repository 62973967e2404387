"""The database as it really is: migrations in step with the schema, and refusals that lose nothing."""

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from bot.app.ports import Repositories
from bot.bank import QuestionBank
from bot.bootstrap import Core, compose
from bot.db.checkpoint import COMMITS_PER_CHECKPOINT
from bot.db.database import Database, async_url
from bot.db.migrate import alembic_config, upgrade
from bot.db.schema import HEAD_REVISION, is_current, upgrade_if_behind
from bot.db.tables import metadata
from bot.errors import StorageUnavailable
from bot.models import Actor, Period, Place, Posted
from tests.answering_helpers import SINGLE_ANSWER
from tests.conftest import FrozenClock

ALICE = Actor("terminal", "local", "alice", "Alice")


def test_plain_urls_map_to_the_async_drivers() -> None:
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert async_url("postgresql://postgres@127.0.0.1/test") == "postgresql+asyncpg://postgres@127.0.0.1/test"
    assert async_url("postgres://u:p@h/db") == "postgresql+asyncpg://u:p@h/db"


def _ours(item: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    """slack_sdk declares the tables of its installation store; migration 0002 creates them."""
    table = name if kind == "table" else getattr(getattr(item, "table", None), "name", "")
    return not str(table).startswith("slack_")


async def test_migrations_create_exactly_the_declared_schema(database: Database) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"include_object": _ours})
        return list(compare_metadata(context, metadata))

    assert await database.read(differences) == []
    await upgrade(database)  # a second run is a no-op


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'p.db'}")

    def pragmas(connection: Connection) -> list[object]:
        names = ("journal_mode", "foreign_keys", "busy_timeout")
        return [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names]

    assert await database.write(pragmas) == ["wal", 1, 5000]
    assert await database.read(pragmas) == ["wal", 1, 5000]
    await database.dispose()


async def migrated_core(path: Path, bank: QuestionBank, clock: FrozenClock, **options: int) -> Core:
    database = Database(f"sqlite:///{path}", **options)
    await upgrade(database)
    return compose(database, bank, clock)


async def test_a_locked_database_refuses_clearly_and_loses_nothing(
    tmp_path: Path, bank: QuestionBank, clock: FrozenClock
) -> None:
    path = tmp_path / "locked.db"
    core = await migrated_core(path, bank, clock, busy_timeout_ms=50)
    service = core.quiz
    question = await service.ask(ALICE, "terminal", "ecs")
    while isinstance(question, Posted) and question.question.kind not in SINGLE_ANSWER:
        question = await service.ask(ALICE, "terminal", "ecs")  # one click answers it
    assert isinstance(question, Posted)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StorageUnavailable, match="busy right now, so nothing was saved"):
        await service.answer_choice(ALICE, question.question.instance_id, 0)
    holder.execute("ROLLBACK")
    holder.close()
    assert (await service.question_view(question.question.instance_id)).answer_count == 0
    outcome = await service.answer_choice(ALICE, question.question.instance_id, 0)
    assert not outcome.repeat and outcome.answer_count == 1
    await core.close()


async def test_a_read_only_database_refuses_clearly_and_still_reads(
    tmp_path: Path, bank: QuestionBank, clock: FrozenClock
) -> None:
    path = tmp_path / "ro.db"
    writable = await migrated_core(path, bank, clock)
    await writable.teams.join_team(ALICE, "Owls")
    await writable.close()
    read_only = compose(Database(f"sqlite:///file:{path}?mode=ro&uri=true"), bank, clock)
    with pytest.raises(StorageUnavailable, match="read-only"):
        await read_only.quiz.ask(ALICE, "terminal", "ecs")
    with pytest.raises(StorageUnavailable, match="read-only"):
        await read_only.teams.leave_team(ALICE)
    assert (await read_only.standings.stats(ALICE)).team == "Owls"
    assert (await read_only.standings.leaderboard(Place("terminal", "local"), Period.ALL)).rows == ()
    await read_only.close()


async def test_batch_commits_leave_the_log_to_the_checkpoint_thread(tmp_path: Path) -> None:
    """The batch writer's commits never copy the write-ahead log into the database file; every
    COMMITS_PER_CHECKPOINT of them, the checkpoint thread does."""
    path = tmp_path / "log.db"
    database = Database(f"sqlite:///{path}")
    await upgrade(database)
    assert database.checkpointer is not None

    def fill(connection: Connection) -> None:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS filler (text TEXT)")
        connection.exec_driver_sql("INSERT INTO filler VALUES (?)", [("x" * 3000,)] * 60)

    before = path.stat().st_size
    for _ in range(COMMITS_PER_CHECKPOINT - 1):
        await database.write(fill)
    assert path.stat().st_size == before
    await database.write(fill)
    await database.checkpointer.close()
    assert path.stat().st_size > before + (COMMITS_PER_CHECKPOINT - 1) * 60 * 3000
    await database.dispose()


def test_the_head_revision_the_start_up_checks_is_alembics_newest_migration() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_current_head() == HEAD_REVISION


async def test_a_database_at_the_head_is_not_migrated_again_and_one_behind_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'studybot.db'}")
    try:
        assert not await is_current(database)
        await upgrade_if_behind(database)
        assert await is_current(database)
        upgrades: list[Database] = []

        async def counted(migrated: Database) -> None:
            upgrades.append(migrated)

        monkeypatch.setattr("bot.db.migrate.upgrade", counted)
        await upgrade_if_behind(database)
        assert upgrades == []
        await database.write(lambda c: c.execute(text("UPDATE alembic_version SET version_num = '0004'")))
        await upgrade_if_behind(database)
        assert upgrades == [database]
    finally:
        await database.dispose()


async def test_an_event_without_a_name_leaves_the_known_name(core: Core, clock: FrozenClock) -> None:
    """A Slack direct message or App Home event carries no name: it neither renames a user to
    their id nor stops a later event with a name from renaming them."""

    def names(wanted: dict[str, str]) -> dict[str, str]:
        def work(repositories: Repositories) -> dict[str, str]:
            workspace = repositories.people.workspace("slack", "T1", "", "UTC", clock.now())
            repositories.people.ensure_users({(workspace.id, u): n for u, n in wanted.items()}, clock.now())
            found = {u: repositories.people.find_user(workspace.id, u) for u in wanted}
            return {u: user.display_name for u, user in found.items() if user is not None}

        return work

    assert await core.uow.write(names({"U1": "Ann", "U2": ""})) == {"U1": "Ann", "U2": "U2"}
    assert await core.uow.write(names({"U1": "", "U2": ""})) == {"U1": "Ann", "U2": "U2"}
    assert await core.uow.write(names({"U1": "Ann B", "U2": "Ben"})) == {"U1": "Ann B", "U2": "Ben"}
