"""Teams: joining (a team is made by its first member), leaving, listing; the close match offered
for a name typed a little wrong, empty teams removed, and renaming and deleting (admins only)."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.app.identity import identify
from bot.app.ports import Repositories, Team, UnitOfWork
from bot.clock import Clock
from bot.errors import Command, QuizError
from bot.models import (
    Actor,
    Place,
    TeamChange,
    TeamSummary,
)

# "Cloud Ninja" against "Cloud Ninjas" scores 96; "Night Owls" against "Knights" 47.
CLOSE_NAME_SCORE = 85


def close_name(names: list[str], name: str) -> str | None:
    """The name among `names` closest to `name`, if it is close (but not equal)."""
    others = [n for n in names if n.casefold() != name.casefold()]
    found = process.extractOne(
        name, others, scorer=fuzz.ratio, processor=str.casefold, score_cutoff=CLOSE_NAME_SCORE
    )
    return None if found is None else str(found[0])


def near_miss(name: str, near: str) -> QuizError:
    return QuizError(
        f"There is no team '{name}', but there is '{near}': join it by its name, "
        f"or start a new team called '{name}' with ",
        Command.TEAM_CREATE,
        ".",
    )


def _named(repositories: Repositories, actor: Actor, name: str) -> Team:
    """The actor's workspace's team of this name; a refusal when there is none."""
    workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
    team = workspace and repositories.teams.find(workspace.id, name.casefold())
    if not team:
        raise QuizError(f"There is no team '{name}'. See the teams with ", Command.TEAM_LIST, ".")
    return team


class TeamService:
    def __init__(self, uow: UnitOfWork, clock: Clock, default_timezone: str = "UTC") -> None:
        self.uow = uow
        self.clock = clock
        self.default_timezone = default_timezone

    async def join_team(self, actor: Actor, name: str, create: bool = False) -> TeamChange:
        """Join the team with this name (case-insensitive), creating it if it does not exist;
        a name close to an existing team's is refused with that team offered, unless `create`."""

        def join(repositories: Repositories) -> TeamChange:
            now = self.clock.now()
            workspace, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
            previous = repositories.teams.of_user(user_id)
            existing = repositories.teams.find(workspace.id, name.casefold())
            if existing is None and not create:
                near = close_name(repositories.teams.names(workspace.id), name)
                if near is not None:
                    raise near_miss(name, near)
            team = existing or repositories.teams.create(workspace.id, name, now)
            if previous is not None and previous.id == team.id:
                raise QuizError(f"You are already in the team {team.name}.")
            repositories.teams.set_membership(user_id, team.id, now)
            if previous is not None:
                repositories.teams.remove_if_empty(previous.id)
            return TeamChange(team.name, previous.name if previous else None, created=existing is None)

        return await self.uow.write(join)

    async def leave_team(self, actor: Actor) -> TeamChange:
        """Leave the team; a team left empty is removed."""

        def leave(repositories: Repositories) -> TeamChange:
            now = self.clock.now()
            _, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
            previous = repositories.teams.of_user(user_id)
            if previous is None:
                raise QuizError("You are not in a team. Join one with ", Command.TEAM_JOIN, ".")
            repositories.teams.set_membership(user_id, None, now)
            repositories.teams.remove_if_empty(previous.id)
            return TeamChange(None, previous.name)

        return await self.uow.write(leave)

    async def teams(self, place: Place) -> tuple[TeamSummary, ...]:
        def summaries(repositories: Repositories) -> list[TeamSummary]:
            workspace = repositories.people.find_workspace(place.platform, place.workspace)
            return repositories.teams.summaries(workspace.id) if workspace else []

        return tuple(await self.uow.read(summaries))

    async def rename_team(self, actor: Actor, old: str, new: str) -> str:
        """Rename a team (the caller checked the actor is an admin); its members and points
        stay. The confirmation to show."""

        def rename(repositories: Repositories) -> str:
            team = _named(repositories, actor, old)
            taken = repositories.teams.find(team.workspace_id, new.casefold())
            if taken is not None and taken.id != team.id:
                raise QuizError(f"There is a team called '{taken.name}' already.")
            repositories.teams.rename(team.id, new)
            return f"The team {team.name} is now called {new}."

        return await self.uow.write(rename)

    async def delete_team(self, actor: Actor, name: str) -> str:
        """Delete a team (the caller checked the actor is an admin): its members are in no team
        after it. The confirmation to show."""

        def delete(repositories: Repositories) -> str:
            team = _named(repositories, actor, name)
            members = repositories.teams.remove(team.id)
            left = (
                f"its {members} member{'s are' if members != 1 else ' is'} in no team now"
                if members
                else "it had no members"
            )
            return f"The team {team.name} was deleted; {left}."

        return await self.uow.write(delete)
