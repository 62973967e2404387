"""Spaced repetition cards, their review log and learners' settings, on SQLAlchemy Core.

The answer path writes a batch's cards with one upsert and its reviews with one insert, in the
same transaction as the answers (`bot.app.answering`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, select, update

from bot.app.learning_ports import (
    PRIVATE_MODES,
    CardKey,
    Learner,
    LearnerProfile,
    ReminderFacts,
    Review,
    Unrevealed,
)
from bot.db.statements import dialect_insert
from bot.db.tables import answers, question_instances, users
from bot.db.tables_learning import cards, learner_profiles, review_logs
from bot.recall import Memory
from bot.reminders import ReminderTime

_MEMORY = (
    cards.c.state,
    cards.c.step,
    cards.c.stability,
    cards.c.difficulty,
    cards.c.due,
    cards.c.last_review,
)


def _memory(row: Any) -> Memory:
    state, step, stability, difficulty, due, last_review, reviews = row
    return Memory(state, step, stability, difficulty, due, last_review, reviews)


# Built once: on the answer path, building the statement and its cache key for each batch cost
# as much as running it.
_MEMORIES = select(cards.c.user_id, cards.c.question_id, *_MEMORY, cards.c.reviews).where(
    cards.c.user_id.in_(bindparam("users", expanding=True)),
    cards.c.question_id.in_(bindparam("questions", expanding=True)),
)

_NEXT_DUE = (
    select(cards.c.question_id)
    .where(cards.c.user_id == bindparam("user"), cards.c.due <= bindparam("now", type_=cards.c.due.type))
    .order_by(cards.c.due)
    .limit(1)
)


@cache
def _upsert_cards(dialect: str) -> Any:
    statement = dialect_insert(dialect, cards)
    kept = ("state", "step", "stability", "difficulty", "due", "last_review", "reviews")
    return statement.on_conflict_do_update(
        index_elements=["user_id", "question_id"], set_={name: statement.excluded[name] for name in kept}
    )


class SqlCards:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def memories(self, keys: Sequence[CardKey]) -> dict[CardKey, Memory]:
        if not keys:
            return {}
        wanted = set(keys)
        users = sorted({user for user, _ in wanted})
        questions = sorted({question for _, question in wanted})
        found = {}
        for row in self.connection.execute(_MEMORIES, {"users": users, "questions": questions}):
            if (row[0], row[1]) in wanted:
                found[(row[0], row[1])] = _memory(row[2:])
        return found

    def put(self, memories: Mapping[CardKey, Memory], now: datetime) -> None:
        if not memories:
            return
        rows = [
            {
                "user_id": user_id,
                "question_id": question_id,
                "state": m.state,
                "step": m.step,
                "stability": m.stability,
                "difficulty": m.difficulty,
                "due": m.due,
                "last_review": m.last_review,
                "reviews": m.reviews,
                "introduced_at": now,
            }
            for (user_id, question_id), m in sorted(memories.items())
        ]
        self.connection.execute(_upsert_cards(self.connection.dialect.name), rows)

    def log(self, reviews: Sequence[Review]) -> None:
        if not reviews:
            return
        rows = [
            {
                "user_id": r.user_id,
                "question_id": r.question_id,
                "rating": int(r.grade),
                "reviewed_at": r.reviewed_at,
                "mode": r.mode,
            }
            for r in reviews
        ]
        self.connection.execute(review_logs.insert(), rows)

    def next_due(self, user_id: int, now: datetime, question_ids: Sequence[str] | None) -> str | None:
        """One search of the (user, due) index; built once (`_NEXT_DUE`) for the common case."""
        values = {"user": user_id, "now": now}
        if question_ids is None:
            return self.connection.execute(_NEXT_DUE, values).scalar()
        query = _NEXT_DUE.where(cards.c.question_id.in_(question_ids))
        return self.connection.execute(query, values).scalar()

    def of_user(self, user_id: int) -> dict[str, Memory]:
        query = select(cards.c.question_id, *_MEMORY, cards.c.reviews).where(cards.c.user_id == user_id)
        return {row[0]: _memory(row[1:]) for row in self.connection.execute(query)}

    def introduced_since(self, user_id: int, since: datetime) -> int:
        query = select(func.count()).where(cards.c.user_id == user_id, cards.c.introduced_at >= since)
        return int(self.connection.execute(query).scalar_one())

    def review_count(self, user_id: int) -> int:
        query = select(func.count()).where(review_logs.c.user_id == user_id)
        return int(self.connection.execute(query).scalar_one())

    def of_users(self, user_ids: Sequence[int]) -> dict[int, dict[str, Memory]]:
        query = select(cards.c.user_id, cards.c.question_id, *_MEMORY, cards.c.reviews).where(
            cards.c.user_id.in_(sorted(set(user_ids)))
        )
        found: dict[int, dict[str, Memory]] = {}
        for row in self.connection.execute(query):
            found.setdefault(row[0], {})[row[1]] = _memory(row[2:])
        return found


_UNANSWERED_PRIVATE = (
    select(question_instances.c.id, question_instances.c.question_id)
    .select_from(
        question_instances.outerjoin(
            answers,
            and_(answers.c.instance_id == question_instances.c.id, answers.c.user_id == bindparam("user")),
        )
    )
    .where(
        question_instances.c.posted_by == bindparam("user"),
        question_instances.c.mode.in_(PRIVATE_MODES),
        question_instances.c.revealed_at.is_(None),
        answers.c.id.is_(None),
    )
    .order_by(question_instances.c.id)
)


_PROFILE = [c for c in learner_profiles.c if c.name not in ("user_id", "updated_at")]
"""The columns of a `LearnerProfile`, in its fields' order."""

_CARDS_DUE = (
    select(func.count())
    .where(cards.c.user_id == users.c.id, cards.c.due <= bindparam("now", type_=cards.c.due.type))
    .scalar_subquery()
)
# Settings, cards due (a count over the (user, due) index) and streak of some people at once.
_REMINDER_FACTS = select(users.c.id, _CARDS_DUE, users.c.streak, *_PROFILE).select_from(
    users.outerjoin(learner_profiles, learner_profiles.c.user_id == users.c.id)
)


class SqlLearners:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def profile(self, user_id: int) -> LearnerProfile:
        row = self.connection.execute(select(*_PROFILE).where(learner_profiles.c.user_id == user_id)).first()
        return LearnerProfile() if row is None else LearnerProfile(*row)

    def reminder_facts(self, user_ids: Sequence[int], now: datetime) -> dict[int, ReminderFacts]:
        query = _REMINDER_FACTS.where(users.c.id.in_(sorted(set(user_ids))))
        return {
            user_id: ReminderFacts(LearnerProfile(*profile), cards_due, streak)
            for user_id, cards_due, streak, *profile in self.connection.execute(query, {"now": now})
        }

    def set_exam_date(self, user_id: int, exam_date: date | None, now: datetime) -> None:
        self._set(user_id, now, exam_date=exam_date)

    def _set(self, user_id: int, now: datetime, **values: Any) -> None:
        statement = dialect_insert(self.connection.dialect.name, learner_profiles).values(
            user_id=user_id, updated_at=now, **values
        )
        self.connection.execute(
            statement.on_conflict_do_update(index_elements=["user_id"], set_={"updated_at": now, **values})
        )

    def set_reminder(self, user_id: int, when: ReminderTime | None, now: datetime) -> None:
        if when is None:
            self._set(user_id, now, remind_hour=None, remind_minute=None)
            return
        self._set(
            user_id,
            now,
            remind_hour=when.hour,
            remind_minute=when.minute,
            remind_timezone=when.timezone,
            remind_weekdays=when.weekdays,
            paused_reason=None,
        )

    def set_pause(self, user_id: int, until: date | None, reason: str | None, now: datetime) -> None:
        self._set(user_id, now, paused_until=until, paused_reason=reason)

    def paused_until(self, user_ids: Sequence[int]) -> dict[int, date]:
        query = select(learner_profiles.c.user_id, learner_profiles.c.paused_until).where(
            learner_profiles.c.user_id.in_(user_ids), learner_profiles.c.paused_until.is_not(None)
        )
        return {user_id: until for user_id, until in self.connection.execute(query)}

    def roster(
        self, workspace_id: int, user_ids: Sequence[int] | None, today: date, limit: int
    ) -> tuple[int, list[Learner]]:
        where = [users.c.workspace_id == workspace_id]
        if user_ids is not None:
            where.append(users.c.id.in_(sorted(set(user_ids))))
        total = self.connection.execute(select(func.count()).select_from(users).where(*where)).scalar_one()
        exam_date = learner_profiles.c.exam_date
        upcoming = case((exam_date >= today, exam_date))
        query = (
            select(users.c.id, users.c.display_name, exam_date)
            .select_from(users.outerjoin(learner_profiles, learner_profiles.c.user_id == users.c.id))
            .where(*where)
            .order_by(upcoming.is_(None), upcoming, users.c.display_name, users.c.id)
            .limit(limit)
        )
        return total, [Learner(*row) for row in self.connection.execute(query)]

    def exam_days(self, workspace_id: int, first: date, last: date) -> dict[date, int]:
        exam_date = learner_profiles.c.exam_date
        query = (
            select(exam_date, func.count())
            .select_from(learner_profiles.join(users, users.c.id == learner_profiles.c.user_id))
            .where(users.c.workspace_id == workspace_id, exam_date >= first, exam_date <= last)
            .group_by(exam_date)
        )
        return {day: int(people) for day, people in self.connection.execute(query)}

    def reveal_private(self, user_id: int, now: datetime) -> list[Unrevealed]:
        found = [Unrevealed(i, q) for i, q in self.connection.execute(_UNANSWERED_PRIVATE, {"user": user_id})]
        if found:
            ids = [u.instance_id for u in found]
            self.connection.execute(
                update(question_instances).where(question_instances.c.id.in_(ids)).values(revealed_at=now)
            )
        return found
