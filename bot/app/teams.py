"""Teams: joining (a team is made by its first member), leaving, listing."""

from __future__ import annotations

from bot.app.identity import identify
from bot.app.ports import Repositories, UnitOfWork
from bot.clock import Clock
from bot.errors import Command, QuizError
from bot.models import (
    Actor,
    Place,
    TeamChange,
    TeamSummary,
)


class TeamService:
    def __init__(self, uow: UnitOfWork, clock: Clock, default_timezone: str = "UTC") -> None:
        self.uow = uow
        self.clock = clock
        self.default_timezone = default_timezone

    async def join_team(self, actor: Actor, name: str) -> TeamChange:
        """Join the team with this name (case-insensitive), creating it if it does not exist."""

        def join(repositories: Repositories) -> TeamChange:
            now = self.clock.now()
            workspace, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
            previous = repositories.teams.of_user(user_id)
            existing = repositories.teams.find(workspace.id, name.casefold())
            team = existing or repositories.teams.create(workspace.id, name, now)
            if previous is not None and previous.id == team.id:
                raise QuizError(f"You are already in the team {team.name}.")
            repositories.teams.set_membership(user_id, team.id, now)
            return TeamChange(team.name, previous.name if previous else None, created=existing is None)

        return await self.uow.write(join)

    async def leave_team(self, actor: Actor) -> TeamChange:
        def leave(repositories: Repositories) -> TeamChange:
            now = self.clock.now()
            _, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
            previous = repositories.teams.of_user(user_id)
            if previous is None:
                raise QuizError("You are not in a team. Join one with ", Command.TEAM_JOIN, ".")
            repositories.teams.set_membership(user_id, None, now)
            return TeamChange(None, previous.name)

        return await self.uow.write(leave)

    async def teams(self, place: Place) -> tuple[TeamSummary, ...]:
        def summaries(repositories: Repositories) -> list[TeamSummary]:
            workspace = repositories.people.find_workspace(place.platform, place.workspace)
            return repositories.teams.summaries(workspace.id) if workspace else []

        return tuple(await self.uow.read(summaries))
