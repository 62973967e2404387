"""Questions posted in channels, practice and daily, and what picking the next one reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, String, bindparam, func, select, type_coerce, update

from bot.app.ports import PostedQuestion
from bot.db.statements import execute_plain
from bot.db.tables import answers, channels, question_instances, workspaces

# How far back `last_seen` looks, in a channel's posts and in a user's answers.
RECENT_POSTS = 500

_INSTANCE = (
    select(
        question_instances.c.id,
        question_instances.c.channel_id,
        question_instances.c.question_id,
        question_instances.c.mode,
        channels.c.workspace_id,
        workspaces.c.platform,
        workspaces.c.external_id.label("workspace_external_id"),
        question_instances.c.revealed_at,
        question_instances.c.answer_count,
        question_instances.c.daily_date,
        question_instances.c.topic_id,
    )
    .join(channels, channels.c.id == question_instances.c.channel_id)
    .join(workspaces, workspaces.c.id == channels.c.workspace_id)
    .where(question_instances.c.id == bindparam("instance"))
)

_ADD_ANSWER_COUNTS = (
    update(question_instances)
    .where(question_instances.c.id == bindparam("instance"))
    .values(answer_count=question_instances.c.answer_count + bindparam("added"))
)


def _latest_seen(recent: Select[Any]) -> Select[Any]:
    """Each question's latest moment among `recent` rows (question_id, seen_at). The moment is
    read as the driver returns it (SQLite: text, whose order is the time's; PostgreSQL: a
    datetime), without SQLAlchemy's conversion of every row; `_moment` converts the few kept."""
    rows = recent.subquery()
    return select(rows.c.question_id, type_coerce(func.max(rows.c.seen_at), String)).group_by(
        rows.c.question_id
    )


_CHANNEL_SEEN = _latest_seen(
    select(question_instances.c.question_id, question_instances.c.posted_at.label("seen_at"))
    .where(question_instances.c.channel_id == bindparam("channel"))
    .order_by(question_instances.c.id.desc())
    .limit(bindparam("window"))
)
_USER_SEEN = _latest_seen(
    select(question_instances.c.question_id, answers.c.answered_at.label("seen_at"))
    .join(answers, answers.c.instance_id == question_instances.c.id)
    .where(answers.c.user_id == bindparam("user"))
    .order_by(answers.c.id.desc())
    .limit(bindparam("window"))
)


def _moment(value: object) -> datetime:
    """A stored moment (naive UTC) as `last_seen` read it: SQLite's text or PostgreSQL's datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC)


class SqlPosts:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        channel_id: int,
        question_id: str,
        mode: str,
        now: datetime,
        posted_by: int | None,
        topic_id: str | None = None,
    ) -> int:
        result = self.connection.execute(
            question_instances.insert()
            .values(
                channel_id=channel_id,
                question_id=question_id,
                mode=mode,
                posted_at=now,
                posted_by=posted_by,
                topic_id=topic_id,
            )
            .returning(question_instances.c.id)
        )
        return int(result.scalar_one())

    def get(self, instance_id: int) -> PostedQuestion | None:
        row = self.connection.execute(_INSTANCE, {"instance": instance_id}).first()
        return None if row is None else PostedQuestion(**row._mapping)

    def set_message_ref(self, instance_id: int, ref: str) -> None:
        self.connection.execute(
            update(question_instances).where(question_instances.c.id == instance_id).values(message_ref=ref)
        )

    def message_ref(self, instance_id: int) -> str | None:
        query = select(question_instances.c.message_ref).where(question_instances.c.id == instance_id)
        ref: str | None = self.connection.execute(query).scalar_one_or_none()
        return ref

    def last_seen(
        self, channel_id: int, user_id: int | None, question_ids: Sequence[str]
    ) -> dict[str, datetime]:
        """When each question was last posted in the channel or answered by the user, among the
        channel's latest posts and the user's latest answers, of every topic: `RECENT_POSTS`, or
        twice the questions if that is more. A question of the pool seen only before those
        counts as not seen recently; the pool is still used up before anything repeats (it fits
        in the window twice), and asking costs the same after years of history.

        The statements are built once and take no list of the pool's ids (rendering a hundred
        parameters per ask cost more than SQLite's work); the window's questions outside the
        pool are dropped here, and only the pool's moments are turned into datetimes."""
        window = max(RECENT_POSTS, 2 * len(question_ids))
        wanted = set(question_ids)
        latest: dict[str, object] = {}
        recent = [(_CHANNEL_SEEN, {"channel": channel_id, "window": window})]
        if user_id is not None:
            recent.append((_USER_SEEN, {"user": user_id, "window": window}))
        for statement, parameters in recent:
            for question_id, moment in self.connection.execute(statement, parameters):
                if question_id in wanted and moment is not None:
                    seen = latest.get(question_id)
                    latest[question_id] = moment if seen is None or moment > seen else seen
        return {question_id: _moment(moment) for question_id, moment in latest.items()}

    def posted_history(self, channel_ids: Sequence[int]) -> dict[int, dict[str, datetime]]:
        query = (
            select(
                question_instances.c.channel_id,
                question_instances.c.question_id,
                func.max(question_instances.c.posted_at),
            )
            .where(question_instances.c.channel_id.in_(channel_ids))
            .group_by(question_instances.c.channel_id, question_instances.c.question_id)
        )
        seen: dict[int, dict[str, datetime]] = {}
        for channel_id, question_id, when in self.connection.execute(query):
            seen.setdefault(channel_id, {})[question_id] = when
        return seen

    def add_answer_counts(self, increments: Mapping[int, int]) -> None:
        rows = [{"instance": i, "added": n} for i, n in increments.items()]
        execute_plain(self.connection, _ADD_ANSWER_COUNTS, rows)
