"""Nothing lost between releases: a database written by the release before the storage refactor
(schema revision 0005), upgraded by this one, reads back the leaderboards, teams and stats that
release read from it.

`tests/data/release-0005.jsonl` is that release's `studybot db export` of the community
`tests/test_transfer.py` plays (six weeks, two workspaces, teams, questions of the day), and
`release-0005-read.json` what its leaderboards, team lists and stats said at each moment (stats
without the per-topic split, which depends on the question bank rather than the database).
"""

import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.bank import QuestionBank
from bot.bootstrap import compose
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.db.schema import HEAD_REVISION
from bot.db.transfer import import_database
from bot.models import Period, Scope
from tests.conftest import FrozenClock, empty_database_url
from tests.test_transfer import DISCORD, PLACES, SLACK

DATA = Path(__file__).resolve().parent / "data"
RELEASE_REVISION = "0005"


def plain(value: Any) -> Any:
    """A read as the release recorded it: dataclasses as dicts, datetimes as ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        # `readiness` (issue 17) is newer than the release: it reads cards the release never had.
        return {key: plain(item) for key, item in value.items() if key not in ("by_topic", "readiness")}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def release_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database at the release's schema revision, holding the rows that release wrote."""
    database = Database(await empty_database_url(request, tmp_path, "release.db"))
    await upgrade(database, RELEASE_REVISION)
    await import_database(database, (DATA / "release-0005.jsonl").read_text().splitlines(keepends=True))
    yield database
    await database.dispose()


async def test_a_database_of_the_last_release_upgrades_and_reads_back_unchanged(
    release_database: Database, bank: QuestionBank
) -> None:
    await upgrade(release_database)
    recorded = json.loads((DATA / "release-0005-read.json").read_text())
    clock = FrozenClock(datetime.fromisoformat(recorded["moments"][0]))
    core = compose(release_database, bank, clock, "Europe/Berlin")
    read: list[Any] = []
    for moment in recorded["moments"]:
        clock.moment = datetime.fromisoformat(moment)
        for place in PLACES:
            for period in Period:
                for scope in Scope:
                    read.append(plain(await core.standings.leaderboard(place, period, scope, limit=100)))
            read.append(plain(await core.teams.teams(place)))
        for who in SLACK + DISCORD:
            read.append(plain(await core.standings.stats(who)))
    assert len(read) == len(recorded["read"])
    for got, expected in zip(read, recorded["read"], strict=True):
        assert got == expected
    assert HEAD_REVISION >= RELEASE_REVISION
