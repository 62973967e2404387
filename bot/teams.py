"""Teams beyond joining and leaving: the close match offered for a name typed a little wrong,
empty teams removed, and renaming and deleting a team (workspace admins only).

Kept apart from `QuizService` so that it reads as one job; it goes through the same database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import store
from bot.db.tables import team_members, teams
from bot.errors import Command, QuizError
from bot.models import Actor

if TYPE_CHECKING:
    from bot.service import QuizService

# "Cloud Ninja" against "Cloud Ninjas" scores 96; "Night Owls" against "Knights" 47.
CLOSE_NAME_SCORE = 85


async def close_name(connection: AsyncConnection, workspace_id: int, name: str) -> str | None:
    """The workspace's team whose name is closest to `name`, if it is close (but not equal)."""
    rows = await connection.execute(select(teams.c.name).where(teams.c.workspace_id == workspace_id))
    names = [row.name for row in rows if row.name.casefold() != name.casefold()]
    found = process.extractOne(
        name, names, scorer=fuzz.ratio, processor=str.casefold, score_cutoff=CLOSE_NAME_SCORE
    )
    return None if found is None else str(found[0])


def near_miss(name: str, near: str) -> QuizError:
    return QuizError(
        f"There is no team '{name}', but there is '{near}': join it by its name, "
        f"or start a new team called '{name}' with ",
        Command.TEAM_CREATE,
        ".",
    )


async def remove_if_empty(connection: AsyncConnection, team_id: int) -> None:
    """Delete a team nobody is in any more (its points go with it; answers keep theirs)."""
    anyone = exists().where(team_members.c.team_id == team_id)
    await connection.execute(teams.delete().where(teams.c.id == team_id, ~anyone))


async def _team(connection: AsyncConnection, actor: Actor, name: str) -> Any:
    workspace = await store.find_workspace(connection, actor.platform, actor.workspace)
    team = workspace and await store.find_team(connection, workspace.id, name.casefold())
    if not team:
        raise QuizError(f"There is no team '{name}'. See the teams with ", Command.TEAM_LIST, ".")
    return team


def _admin_only(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise QuizError(f"Only workspace admins can {what} a team.")


async def rename_team(quiz: QuizService, actor: Actor, old: str, new: str) -> str:
    """Rename a team (admins); its members and points stay. The confirmation to show."""
    _admin_only(actor, "rename")
    async with quiz.database.write() as connection:
        team = await _team(connection, actor, old)
        taken = await store.find_team(connection, team.workspace_id, new.casefold())
        if taken is not None and taken.id != team.id:
            raise QuizError(f"There is a team called '{taken.name}' already.")
        await connection.execute(
            teams.update().where(teams.c.id == team.id).values(name=new, name_key=new.casefold())
        )
    return f"The team {team.name} is now called {new}."


async def delete_team(quiz: QuizService, actor: Actor, name: str) -> str:
    """Delete a team (admins): its members are in no team after it. The confirmation to show."""
    _admin_only(actor, "delete")
    async with quiz.database.write() as connection:
        team = await _team(connection, actor, name)
        count = select(func.count()).where(team_members.c.team_id == team.id)
        members = int((await connection.execute(count)).scalar_one())
        await connection.execute(teams.delete().where(teams.c.id == team.id))
    left = (
        f"its {members} member{'s are' if members != 1 else ' is'} in no team now"
        if members
        else "it had no members"
    )
    return f"The team {team.name} was deleted; {left}."
