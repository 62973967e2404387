"""Compose the real parts: settings -> bank -> database (migrated) -> service."""

from __future__ import annotations

import gc
import logging

from bot.bank import load_bank
from bot.clock import Clock, SystemClock
from bot.db.database import Database
from bot.db.schema import upgrade_if_behind
from bot.errors import StorageUnavailable
from bot.service import QuizService
from bot.settings import Settings

log = logging.getLogger(__name__)


def freeze_long_lived() -> None:
    """Keep what lives as long as the process (the bank, the libraries, the schema) out of the
    garbage collector's full passes: they then take about 2 ms instead of about 50 ms, and a
    full pass in the middle of a batch of answers is what sets their tail latency."""
    gc.collect()
    gc.freeze()


async def build_service(settings: Settings, clock: Clock | None = None) -> QuizService:
    """Load the bank (raising BankError when it is broken), open and migrate the database.

    A database that cannot be written now (read-only, locked) does not stop start-up: the
    problem is logged and every request that needs to write says so to its user.
    """
    bank = load_bank(settings.studybot_content_dir)
    database = Database(settings.database_url)
    try:
        await upgrade_if_behind(database)
    except StorageUnavailable as error:
        log.error("database not migrated: %s", error)
    return QuizService(database, bank, clock or SystemClock(), settings.studybot_default_timezone)
