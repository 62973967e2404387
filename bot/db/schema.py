"""Whether the database already has the schema this code expects, found without Alembic.

Importing Alembic and reading its migration scripts takes about 0.13 s, an eighth of
`studybot serve`'s start-up, and at nearly every start there is nothing for it to do. A
database whose `alembic_version` holds `HEAD_REVISION` (the newest migration; a test checks it
against Alembic's own reading of the scripts) is left as it is; any other goes through Alembic.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from bot.db.database import Database
from bot.errors import StorageUnavailable

HEAD_REVISION = "0014"
log = logging.getLogger(__name__)


def _revisions(connection: Connection) -> list[str]:
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


async def is_current(database: Database) -> bool:
    try:
        return await database.read(_revisions) == [HEAD_REVISION]
    except (DBAPIError, StorageUnavailable):
        return False


async def upgrade_if_behind(database: Database) -> None:
    """Migrate the database to `HEAD_REVISION` unless it is there already."""
    if await is_current(database):
        return
    from bot.db.migrate import upgrade

    await upgrade(database)
    log.info("database schema brought up to revision %s", HEAD_REVISION)
