"""Workspaces, their users and their channels."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, bindparam, case, select, update
from sqlalchemy.sql.elements import BindParameter

from bot.app.ports import User, Workspace
from bot.db.statements import dialect_insert, execute_plain, get_or_create
from bot.db.tables import channels, users, workspaces

FIND_WORKSPACE = select(
    workspaces.c.id, workspaces.c.platform, workspaces.c.external_id, workspaces.c.name, workspaces.c.timezone
).where(workspaces.c.platform == bindparam("platform"), workspaces.c.external_id == bindparam("external_id"))


def _workspace(row: Any) -> Workspace:
    return Workspace(row.id, row.platform, row.external_id, row.name, row.timezone)


def _user(row: Row[Any]) -> User:
    return User(
        row.id,
        row.workspace_id,
        row.external_id,
        row.display_name,
        row.streak,
        row.best_streak,
        row.daily_streak,
        row.best_daily_streak,
    )


class SqlPeople:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def workspace(
        self, platform: str, external_id: str, name: str, timezone: str, now: datetime
    ) -> Workspace:
        row = get_or_create(
            self.connection,
            workspaces,
            {"platform": platform, "external_id": external_id},
            {"timezone": timezone, "created_at": now},
            {"name": name},
        )
        return _workspace(row)

    def find_workspace(self, platform: str, external_id: str) -> Workspace | None:
        parameters = {"platform": platform, "external_id": external_id}
        row = self.connection.execute(FIND_WORKSPACE, parameters).first()
        return None if row is None else _workspace(row)

    def find_user(self, workspace_id: int, external_id: str) -> User | None:
        query = select(users).where(users.c.workspace_id == workspace_id, users.c.external_id == external_id)
        row = self.connection.execute(query).first()
        return None if row is None else _user(row)

    def ensure_users(
        self, wanted: Mapping[tuple[int, str], str], now: datetime
    ) -> dict[tuple[int, str], int]:
        """Create the missing users and refresh display names, in one statement. A platform
        event that carries no name (a Slack DM, the App Home) leaves the known one: a new user
        is named by their id until a name comes."""
        rows = [
            {
                "workspace_id": workspace_id,
                "external_id": external_id,
                "display_name": name or external_id,
                "created_at": now,
            }
            for (workspace_id, external_id), name in sorted(wanted.items())
        ]
        statement = _ensure_users(self.connection.dialect.name)
        return {(r.workspace_id, r.external_id): r.id for r in self.connection.execute(statement, rows)}

    def set_streaks(self, streaks: Mapping[int, tuple[int, int]]) -> None:
        if streaks:
            rows = [{"user": u, "streak": s, "daily": d} for u, (s, d) in streaks.items()]
            execute_plain(self.connection, _SET_USER_STREAKS, rows)

    def channel(self, workspace_id: int, external_id: str) -> int:
        keys = {"workspace_id": workspace_id, "external_id": external_id}
        return int(get_or_create(self.connection, channels, keys, {}).id)

    def find_channel(self, platform: str, workspace: str, channel: str) -> int | None:
        query = (
            select(channels.c.id)
            .join(workspaces, workspaces.c.id == channels.c.workspace_id)
            .where(
                workspaces.c.platform == platform,
                workspaces.c.external_id == workspace,
                channels.c.external_id == channel,
            )
        )
        found: int | None = self.connection.execute(query).scalar_one_or_none()
        return found


@cache
def _ensure_users(dialect: str) -> Any:
    statement = dialect_insert(dialect, users)
    # Without a name the row carries the id as its name (see `ensure_users`): keep the known one.
    unnamed = statement.excluded.display_name == statement.excluded.external_id
    name = case((unnamed, users.c.display_name), else_=statement.excluded.display_name)
    return statement.on_conflict_do_update(
        index_elements=["workspace_id", "external_id"], set_={"display_name": name}
    ).returning(users.c.id, users.c.workspace_id, users.c.external_id)


_STREAK: BindParameter[int] = bindparam("streak")
_DAILY: BindParameter[int] = bindparam("daily")
_SET_USER_STREAKS = (
    update(users)
    .where(users.c.id == bindparam("user"))
    .values(
        streak=_STREAK,
        best_streak=case((users.c.best_streak > _STREAK, users.c.best_streak), else_=_STREAK),
        daily_streak=_DAILY,
        best_daily_streak=case((users.c.best_daily_streak > _DAILY, users.c.best_daily_streak), else_=_DAILY),
    )
)
