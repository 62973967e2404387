"""The delivery state of questions of the day, in `question_instances`: claims, leases, posts,
reveals. The unique (channel, daily date) constraint decides between racing claimers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from bot.app.daily_ports import DailyClaim, StaleClaim
from bot.db.statements import insert
from bot.db.tables import question_instances

_MARK_POSTED = (
    update(question_instances)
    .where(question_instances.c.id == bindparam("instance"))
    .values(post_state="posted", lease_until=None, message_ref=bindparam("ref"), posted_at=bindparam("now"))
)


class SqlDailyClaims:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def claim(self, claims: Sequence[DailyClaim]) -> dict[int, int]:
        """Rows come sorted by channel so that racing PostgreSQL transactions lock in one order;
        they are sent as parameters, not as VALUES of the statement, so that its compiled form
        is cached (SQLAlchemy's "insertmanyvalues" still sends a few multi-row statements)."""
        rows: list[dict[str, Any]] = [
            {
                "channel_id": claim.channel_id,
                "question_id": claim.question_id,
                "posted_at": claim.posted_at,
                "daily_date": claim.daily_date,
                "lease_until": claim.lease_until,
                "scheduled_for": claim.scheduled_for,
                "topic_id": claim.topic_id,
                "mode": "daily",
                "post_state": "pending",
            }
            for claim in sorted(claims, key=lambda claim: claim.channel_id)
        ]
        statement = (
            insert(self.connection, question_instances)
            .on_conflict_do_nothing(index_elements=["channel_id", "daily_date"])
            .returning(question_instances.c.channel_id, question_instances.c.id)
        )
        won = self.connection.execute(statement, rows)
        return {channel_id: instance_id for channel_id, instance_id in won}

    def finish(self, instance_id: int, state: str) -> None:
        self.connection.execute(
            update(question_instances)
            .where(question_instances.c.id == instance_id)
            .values(post_state=state, lease_until=None)
        )

    def mark_posted(self, posted: Sequence[tuple[int, str]], now: datetime) -> None:
        if posted:
            rows = [{"instance": i, "ref": ref, "now": now} for i, ref in posted]
            self.connection.execute(_MARK_POSTED, rows)

    def stale(self, now: datetime) -> list[StaleClaim]:
        query = select(
            question_instances.c.id, question_instances.c.channel_id, question_instances.c.scheduled_for
        ).where(question_instances.c.post_state == "pending", question_instances.c.lease_until < now)
        return [StaleClaim(*row) for row in self.connection.execute(query)]

    def take_leases(self, instance_ids: Sequence[int], now: datetime, lease_until: datetime) -> list[int]:
        result = self.connection.execute(
            update(question_instances)
            .where(
                question_instances.c.id.in_(instance_ids),
                question_instances.c.post_state == "pending",
                question_instances.c.lease_until < now,
            )
            .values(lease_until=lease_until)
            .returning(question_instances.c.id)
        )
        return sorted(result.scalars())

    def extend_leases(self, instance_ids: Sequence[int], lease_until: datetime) -> None:
        self.connection.execute(
            update(question_instances)
            .where(question_instances.c.id.in_(instance_ids), question_instances.c.post_state == "pending")
            .values(lease_until=lease_until)
        )

    def take_reveals(
        self, channel_ids: Sequence[int], before: datetime, now: datetime
    ) -> dict[int, list[int]]:
        """Each instance goes to one caller; instance ids oldest first per channel."""
        result = self.connection.execute(
            update(question_instances)
            .where(
                question_instances.c.channel_id.in_(channel_ids),
                question_instances.c.mode == "daily",
                question_instances.c.post_state == "posted",
                question_instances.c.revealed_at.is_(None),
                question_instances.c.scheduled_for < before,
            )
            .values(revealed_at=now)
            .returning(
                question_instances.c.channel_id, question_instances.c.id, question_instances.c.daily_date
            )
        )
        taken: dict[int, list[tuple[date, int]]] = {}
        for channel_id, instance_id, daily_date in result:
            taken.setdefault(channel_id, []).append((daily_date, instance_id))
        return {channel: [i for _, i in sorted(rows)] for channel, rows in taken.items()}
