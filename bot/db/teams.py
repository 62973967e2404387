"""Teams and who is in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, exists, func, select

from bot.app.ports import Team
from bot.db.statements import get_or_create
from bot.db.tables import team_members, team_totals, teams
from bot.models import TeamSummary


def _team(row: Row[Any]) -> Team:
    return Team(row.id, row.workspace_id, row.name)


class SqlTeams:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def of_user(self, user_id: int) -> Team | None:
        query = (
            select(teams)
            .join(team_members, team_members.c.team_id == teams.c.id)
            .where(team_members.c.user_id == user_id)
        )
        row = self.connection.execute(query).first()
        return None if row is None else _team(row)

    def find(self, workspace_id: int, name_key: str) -> Team | None:
        query = select(teams).where(teams.c.workspace_id == workspace_id, teams.c.name_key == name_key)
        row = self.connection.execute(query).first()
        return None if row is None else _team(row)

    def create(self, workspace_id: int, name: str, now: datetime) -> Team:
        keys = {"workspace_id": workspace_id, "name_key": name.casefold()}
        return _team(get_or_create(self.connection, teams, keys, {"name": name, "created_at": now}))

    def set_membership(self, user_id: int, team_id: int | None, now: datetime) -> None:
        self.connection.execute(team_members.delete().where(team_members.c.user_id == user_id))
        if team_id is not None:
            self.connection.execute(
                team_members.insert().values(user_id=user_id, team_id=team_id, joined_at=now)
            )

    def summaries(self, workspace_id: int) -> list[TeamSummary]:
        members = (
            select(team_members.c.team_id, func.count().label("members"))
            .group_by(team_members.c.team_id)
            .subquery()
        )
        points = func.coalesce(team_totals.c.points, 0)
        query = (
            select(teams.c.name, func.coalesce(members.c.members, 0), points)
            .select_from(
                teams.outerjoin(members, members.c.team_id == teams.c.id).outerjoin(
                    team_totals, and_(team_totals.c.team_id == teams.c.id, team_totals.c.period_key == "all")
                )
            )
            .where(teams.c.workspace_id == workspace_id)
            .order_by(points.desc(), teams.c.name)
        )
        return [TeamSummary(name, count, total) for name, count, total in self.connection.execute(query)]

    def names(self, workspace_id: int) -> list[str]:
        query = select(teams.c.name).where(teams.c.workspace_id == workspace_id)
        return list(self.connection.execute(query).scalars())

    def remove_if_empty(self, team_id: int) -> None:
        anyone = exists().where(team_members.c.team_id == team_id)
        self.connection.execute(teams.delete().where(teams.c.id == team_id, ~anyone))

    def rename(self, team_id: int, name: str) -> None:
        self.connection.execute(
            teams.update().where(teams.c.id == team_id).values(name=name, name_key=name.casefold())
        )

    def remove(self, team_id: int) -> int:
        count = select(func.count()).where(team_members.c.team_id == team_id)
        members = int(self.connection.execute(count).scalar_one())
        self.connection.execute(teams.delete().where(teams.c.id == team_id))
        return members
