"""Workspaces, users and channels in memory (`bot.app.ports.People`), for `tests.memory`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from bot.app.ports import (
    User,
    Workspace,
)
from tests.memory_base import OnState


class MemoryPeople(OnState):
    def workspace(
        self, platform: str, external_id: str, name: str, timezone: str, now: datetime
    ) -> Workspace:
        found = self.find_workspace(platform, external_id)
        if found is None:
            found = Workspace(self._id(), platform, external_id, name, timezone)
        elif name and found.name != name:
            found = replace(found, name=name)
        self.s.workspaces[found.id] = found
        return found

    def find_workspace(self, platform: str, external_id: str) -> Workspace | None:
        return next(
            (w for w in self.s.workspaces.values() if (w.platform, w.external_id) == (platform, external_id)),
            None,
        )

    def _user(self, workspace_id: int, external_id: str, display_name: str) -> User:
        found = self.find_user(workspace_id, external_id)
        name = display_name or external_id
        if found is None:
            found = User(self._id(), workspace_id, external_id, name, 0, 0, 0, 0)
        elif display_name and found.display_name != display_name:
            found = replace(found, display_name=display_name)
        self.s.users[found.id] = found
        return found

    def find_user(self, workspace_id: int, external_id: str) -> User | None:
        return next(
            (
                u
                for u in self.s.users.values()
                if (u.workspace_id, u.external_id) == (workspace_id, external_id)
            ),
            None,
        )

    def ensure_users(
        self, wanted: Mapping[tuple[int, str], str], now: datetime
    ) -> dict[tuple[int, str], int]:
        return {key: self._user(key[0], key[1], name).id for key, name in sorted(wanted.items())}

    def set_streaks(self, streaks: Mapping[int, tuple[int, int]]) -> None:
        for user_id, (streak, daily) in streaks.items():
            user = self.s.users[user_id]
            self.s.users[user_id] = replace(
                user,
                streak=streak,
                best_streak=max(user.best_streak, streak),
                daily_streak=daily,
                best_daily_streak=max(user.best_daily_streak, daily),
            )

    def channel(self, workspace_id: int, external_id: str) -> int:
        for channel_id, key in self.s.channels.items():
            if key == (workspace_id, external_id):
                return channel_id
        channel_id = self._id()
        self.s.channels[channel_id] = (workspace_id, external_id)
        return channel_id

    def find_channel(self, platform: str, workspace: str, channel: str) -> int | None:
        found = self.find_workspace(platform, workspace)
        keys = {key: channel_id for channel_id, key in self.s.channels.items()}
        return None if found is None else keys.get((found.id, channel))
