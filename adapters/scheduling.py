"""The daily schedulers of a process: one per platform it can post to, each with its leader."""

from __future__ import annotations

from bot.bootstrap import Core
from bot.daily.leadership import Leadership, SoleLeader
from bot.daily.scheduler import DailyScheduler
from bot.db.database import Database
from bot.db.leader import AdvisoryLockLeader, platform_lock
from bot.settings import Settings


def leadership_for(database: Database, platform: str) -> Leadership:
    """On PostgreSQL one process of those that can post to `platform` runs its scheduler; a
    SQLite file has one process."""
    return (
        SoleLeader() if database.is_sqlite else AdvisoryLockLeader(database.engine, platform_lock(platform))
    )


def schedulers_for(settings: Settings, core: Core, platforms: list[str]) -> list[DailyScheduler]:
    """One daily scheduler per platform this process can post to, each with its own leader:
    a Slack-only and a Discord-only process on one database each lead their own platform."""
    check_every = settings.studybot_scheduler_check_seconds
    return [
        DailyScheduler(core.daily, core.uow, leadership_for(core.database, p), check_every, platform=p)
        for p in platforms
    ]
