"""The unit of work on SQLAlchemy: a transaction of `Database`, with the repositories bound to
its connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from bot.app.ports import Repositories
from bot.db.answers import SqlAnswers
from bot.db.cards import SqlCards, SqlLearners
from bot.db.claims import SqlDailyClaims
from bot.db.dashboard import SqlDashboard
from bot.db.database import Database
from bot.db.decks import SqlDecks
from bot.db.exams import SqlExams
from bot.db.feedback import SqlFeedback
from bot.db.outbox import SqlOutbox
from bot.db.people import SqlPeople
from bot.db.posts import SqlPosts
from bot.db.subscriptions import SqlSubscriptions
from bot.db.teams import SqlTeams

T = TypeVar("T")


class SqlRepositories:
    """Every repository, on one connection (one transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.people = SqlPeople(connection)
        self.teams = SqlTeams(connection)
        self.posts = SqlPosts(connection)
        self.claims = SqlDailyClaims(connection)
        self.answers = SqlAnswers(connection)
        self.subscriptions = SqlSubscriptions(connection)
        self.cards = SqlCards(connection)
        self.learners = SqlLearners(connection)
        self.dashboard = SqlDashboard(connection)
        self.outbox = SqlOutbox(connection)
        self.exams = SqlExams(connection)
        self.feedback = SqlFeedback(connection)
        self.decks = SqlDecks(connection)


class SqlUnitOfWork:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def read(self, work: Callable[[Repositories], T]) -> T:
        return await self.database.read(lambda connection: work(SqlRepositories(connection)))

    async def write(self, work: Callable[[Repositories], T]) -> T:
        return await self.database.write(lambda connection: work(SqlRepositories(connection)))
