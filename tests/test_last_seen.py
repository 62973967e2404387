"""What picking the next question reads (`SqlPosts.last_seen`), on each backend: the latest
moment each question of the pool was posted in the channel or answered by the user, as aware
datetimes; questions outside the pool are left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from bot.app.ports import NewAnswer
from bot.db.database import Database
from bot.db.unit_of_work import SqlRepositories

START = datetime(2026, 3, 1, 8, 30, 15, 250_000, tzinfo=UTC)


async def test_last_seen_is_the_latest_post_or_answer_of_each_pooled_question(database: Database) -> None:
    def seen(connection: Connection) -> dict[str, datetime]:
        repositories = SqlRepositories(connection)
        workspace = repositories.people.workspace("slack", "T1", "bench", "UTC", START)
        key = (workspace.id, "U1")
        user = repositories.people.ensure_users({key: "one"}, START)[key]
        here = repositories.people.channel(workspace.id, "C1")
        elsewhere = repositories.people.channel(workspace.id, "C2")
        for minutes, question in ((0, "q1"), (5, "q2"), (9, "q1"), (11, "q3")):
            repositories.posts.add(here, question, "practice", START + timedelta(minutes=minutes), None)
        answered = repositories.posts.add(elsewhere, "q2", "practice", START, None)
        at = START + timedelta(minutes=30)
        assert repositories.answers.insert([NewAnswer(answered, user, None, "a", True, 10, False, at)]) == 1
        return repositories.posts.last_seen(here, user, ["q1", "q2", "q4"])

    assert await database.write(seen) == {
        "q1": START + timedelta(minutes=9),
        "q2": START + timedelta(minutes=30),
    }
