"""Installations of the app (OAuth mode), kept in Studybot's own database by slack_sdk's stores.

Looking up a workspace's token happens on every request before it is acknowledged, so lookups
read through the database's async engine (plain BEGIN) and never queue behind quiz writes;
saving an install (rare) goes through `engine_for_writes` (BEGIN IMMEDIATE on SQLite). slack_sdk's
stores take an SQLAlchemy `AsyncEngine`, which is why aiosqlite stays for SQLite here: this is the
one place outside `bot/db` that talks to the database, about Slack's own data. The tables come
from migration 0002.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import select

from bot.db.database import Database

STATE_EXPIRATION_SECONDS = 600
TEAMS_PER_QUERY = 500


class DatabaseInstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy store, reading through one engine and writing through another."""

    def __init__(self, client_id: str, database: Database) -> None:
        self.reads = AsyncSQLAlchemyInstallationStore(client_id, database.engine)
        self.writes = AsyncSQLAlchemyInstallationStore(client_id, database.engine_for_writes)

    @property
    def logger(self) -> logging.Logger:
        return self.reads.logger

    async def async_save(self, installation: Installation) -> None:
        await self.writes.async_save(installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await self.writes.async_save_bot(bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await self.reads.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )

    async def bot_tokens(self, team_ids: Collection[str]) -> dict[str, str]:
        """The bot token of each of these workspaces that has one, in one query: for each, the
        latest installation's, as `async_find_bot` chooses (enterprise installs aside)."""
        bots = self.reads.bots.c
        wanted = sorted(team_ids)
        tokens: dict[str, str] = {}
        async with self.reads.engine.connect() as connection:
            for start in range(0, len(wanted), TEAMS_PER_QUERY):
                query = (
                    select(bots.team_id, bots.bot_token)
                    .where(
                        bots.client_id == self.reads.client_id,
                        bots.enterprise_id.is_(None),
                        bots.team_id.in_(wanted[start : start + TEAMS_PER_QUERY]),
                        bots.bot_token.is_not(None),
                    )
                    .order_by(bots.installed_at)
                )
                # Oldest first: each workspace ends with its latest token.
                tokens.update((team_id, token) for team_id, token in await connection.execute(query))
        return tokens

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await self.reads.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.writes.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self.writes.async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


def state_store(database: Database) -> AsyncSQLAlchemyOAuthStateStore:
    return AsyncSQLAlchemyOAuthStateStore(STATE_EXPIRATION_SECONDS, database.engine_for_writes)
