"""Questions posted in channels, practice and daily, and what picking the next one reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update

from bot.app.ports import PostedQuestion
from bot.db.statements import execute_plain
from bot.db.tables import answers, channels, question_instances, workspaces

# How far back `last_seen` looks, in a channel's posts and in a user's answers.
RECENT_POSTS = 500
# The most question ids `last_seen` binds in one IN list (PostgreSQL takes 65,535 parameters).
IN_LIST_MAX = 10_000

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
        in the window twice), and asking costs the same after years of history."""
        window = max(RECENT_POSTS, 2 * len(question_ids))
        posted = (
            select(question_instances.c.question_id, question_instances.c.posted_at.label("seen_at"))
            .where(question_instances.c.channel_id == channel_id)
            .order_by(question_instances.c.id.desc())
            .limit(window)
        )
        answered = (
            select(question_instances.c.question_id, answers.c.answered_at.label("seen_at"))
            .join(answers, answers.c.instance_id == question_instances.c.id)
            .where(answers.c.user_id == user_id)
            .order_by(answers.c.id.desc())
            .limit(window)
        )
        seen: dict[str, datetime] = {}
        # A pool larger than a statement's parameters allow (a workspace's decks) is matched here.
        listed = len(question_ids) <= IN_LIST_MAX
        wanted = None if listed else set(question_ids)
        for recent in (posted, answered) if user_id is not None else (posted,):
            latest = recent.subquery()
            query = select(latest.c.question_id, func.max(latest.c.seen_at)).group_by(latest.c.question_id)
            if listed:
                query = query.where(latest.c.question_id.in_(question_ids))
            for question_id, when in self.connection.execute(query):
                if wanted is None or question_id in wanted:
                    seen[question_id] = max(seen.get(question_id, when), when)
        return seen

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
