"""Teams in memory (`bot.app.ports.Teams`), for `tests.memory`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.app.ports import (
    Team,
)
from bot.models import Scope, TeamSummary
from tests.memory_base import OnState


class MemoryTeams(OnState):
    def of_user(self, user_id: int) -> Team | None:
        team_id = self.s.members.get(user_id)
        return None if team_id is None else self.s.teams[team_id]

    def find(self, workspace_id: int, name_key: str) -> Team | None:
        return next(
            (
                t
                for t in self.s.teams.values()
                if t.workspace_id == workspace_id and t.name.casefold() == name_key
            ),
            None,
        )

    def create(self, workspace_id: int, name: str, now: datetime) -> Team:
        team = self.find(workspace_id, name.casefold()) or Team(self._id(), workspace_id, name)
        self.s.teams[team.id] = team
        return team

    def set_membership(self, user_id: int, team_id: int | None, now: datetime) -> None:
        self.s.members.pop(user_id, None)
        if team_id is not None:
            self.s.members[user_id] = team_id

    def summaries(self, workspace_id: int) -> list[TeamSummary]:
        teams = [t for t in self.s.teams.values() if t.workspace_id == workspace_id]
        found = [
            TeamSummary(
                t.name,
                sum(1 for team_id in self.s.members.values() if team_id == t.id),
                self.s.totals.get((Scope.TEAMS, t.id, "all"), [0, 0, 0, 0])[1],
            )
            for t in teams
        ]
        return sorted(found, key=lambda summary: (-summary.points, summary.name))

    def names(self, workspace_id: int) -> list[str]:
        return [t.name for t in self.s.teams.values() if t.workspace_id == workspace_id]

    def remove_if_empty(self, team_id: int) -> None:
        if team_id not in self.s.members.values():
            self.remove(team_id)

    def rename(self, team_id: int, name: str) -> None:
        self.s.teams[team_id] = replace(self.s.teams[team_id], name=name)

    def remove(self, team_id: int) -> int:
        """As the tables' foreign keys do: members and totals go, answers keep no team."""
        members = [user for user, team in self.s.members.items() if team == team_id]
        for user in members:
            del self.s.members[user]
        self.s.answers = [replace(a, team_id=None) if a.team_id == team_id else a for a in self.s.answers]
        for key in [k for k in self.s.totals if k[0] is Scope.TEAMS and k[1] == team_id]:
            del self.s.totals[key]
        self.s.teams.pop(team_id, None)
        return len(members)
