"""Mock exams on SQLAlchemy (`bot.app.exam_ports.Exams`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, case, func, insert, select, text, union_all, update

from bot.app.exam_ports import OPEN, SUBMITTED, ExamItem, ExamPeriod, ExamRecord, ExamResult, NewExam
from bot.db.statements import execute_plain, read_plain
from bot.db.statements import insert as dialect_insert
from bot.db.tables import answers, question_instances, users
from bot.db.tables_exam import exam_items, exams


def _record(row: Row[Any]) -> ExamRecord:
    return ExamRecord(
        row.id,
        row.user_id,
        row.workspace_id,
        row.topic_id,
        row.question_count,
        row.minutes,
        row.timezone,
        row.started_at,
        row.deadline,
        row.state,
        row.position,
        row.finished_at,
        row.correct,
        row.score,
    )


class SqlExams:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def create(self, exam: NewExam) -> ExamRecord | None:
        values = {
            "user_id": exam.user_id,
            "workspace_id": exam.workspace_id,
            "topic_id": exam.topic_id,
            "question_count": len(exam.question_ids),
            "minutes": exam.minutes,
            "timezone": exam.timezone,
            "started_at": exam.started_at,
            "deadline": exam.deadline,
            "state": OPEN,
            "position": 0,
        }
        statement = (
            dialect_insert(self.connection, exams)
            .values(values)
            # The predicate written out as the partial index has it: PostgreSQL cannot match a
            # bound parameter against the index's predicate.
            .on_conflict_do_nothing(index_elements=["user_id"], index_where=text("state = 'open'"))
            .returning(*exams.c)
        )
        row = self.connection.execute(statement).first()
        if row is None:
            return None
        rows = [
            {"exam": row.id, "position": position, "question": question_id, "flagged": False}
            for position, question_id in enumerate(exam.question_ids)
        ]
        execute_plain(self.connection, _INSERT_ITEMS, rows)
        return _record(row)

    def open_of(self, user_id: int) -> ExamRecord | None:
        row = self.connection.execute(
            select(exams).where(exams.c.user_id == user_id, exams.c.state == OPEN)
        ).first()
        return _record(row) if row else None

    def get(self, exam_id: int) -> ExamRecord | None:
        row = self.connection.execute(select(exams).where(exams.c.id == exam_id)).first()
        return _record(row) if row else None

    def items(self, exam_id: int) -> list[ExamItem]:
        rows = self.connection.execute(
            select(exam_items).where(exam_items.c.exam_id == exam_id).order_by(exam_items.c.position)
        )
        return [
            ExamItem(r.position, r.question_id, r.choice, r.correct, bool(r.flagged), r.answered_at)
            for r in rows
        ]

    def _item(self, exam_id: int, position: int) -> Any:
        return update(exam_items).where(exam_items.c.exam_id == exam_id, exam_items.c.position == position)

    def answer(self, exam_id: int, position: int, choice: str, correct: bool, now: datetime) -> None:
        self.connection.execute(
            self._item(exam_id, position).values(choice=choice, correct=correct, answered_at=now)
        )

    def flag(self, exam_id: int, position: int, flagged: bool) -> None:
        self.connection.execute(self._item(exam_id, position).values(flagged=flagged))

    def move(self, exam_id: int, position: int) -> None:
        self.connection.execute(update(exams).where(exams.c.id == exam_id).values(position=position))

    def finish(
        self, exam_id: int, state: str, finished_at: datetime, correct: int | None, score: int | None
    ) -> bool:
        result = self.connection.execute(
            update(exams)
            .where(exams.c.id == exam_id, exams.c.state == OPEN)
            .values(state=state, finished_at=finished_at, correct=correct, score=score)
        )
        return result.rowcount == 1

    def history(self, user_id: int, limit: int) -> list[ExamRecord]:
        rows = self.connection.execute(
            select(exams)
            .where(exams.c.user_id == user_id, exams.c.state == SUBMITTED)
            .order_by(exams.c.id.desc())
            .limit(limit)
        )
        return [_record(row) for row in rows]

    def seen(self, user_id: int) -> dict[str, int]:
        rows = read_plain(self.connection, _SEEN, {"answered_by": [user_id], "examined_by": [user_id]})
        return dict(rows)

    def latest_results(
        self, workspace_id: int, per_person: int, user_id: int | None, limit: int
    ) -> list[ExamResult]:
        rank = func.row_number().over(partition_by=exams.c.user_id, order_by=exams.c.id.desc())
        ranked = select(exams, rank.label("rank")).where(
            exams.c.workspace_id == workspace_id, exams.c.state == SUBMITTED
        )
        if user_id is not None:
            ranked = ranked.where(exams.c.user_id == user_id)
        latest = ranked.subquery()
        rows = self.connection.execute(
            select(latest, users.c.external_id, users.c.display_name)
            .join(users, users.c.id == latest.c.user_id)
            .where(latest.c.rank <= per_person)
            .order_by(latest.c.id.desc())
            .limit(limit)
        )
        return [
            ExamResult(
                r.user_id,
                r.external_id,
                r.display_name,
                r.started_at,
                r.finished_at,
                r.minutes,
                r.question_count,
                r.correct or 0,
                r.score or 0,
            )
            for r in rows
        ]

    def periods(self, workspace_id: int, bounds: Sequence[datetime], pass_score: int) -> list[ExamPeriod]:
        finished = exams.c.finished_at
        period = case(
            *[
                (and_(finished >= start, finished < end), index)
                for index, (start, end) in enumerate(pairwise(bounds))
            ]
        )
        dated = (
            select(period.label("period"), exams.c.score)
            .where(
                exams.c.workspace_id == workspace_id,
                exams.c.state == SUBMITTED,
                finished >= bounds[0],
                finished < bounds[-1],
            )
            .subquery()
        )
        passed = func.sum(case((dated.c.score >= pass_score, 1), else_=0))
        rows = self.connection.execute(
            select(dated.c.period, func.count(), func.sum(dated.c.score), passed)
            .group_by(dated.c.period)
            .order_by(dated.c.period)
        )
        return [ExamPeriod(int(p), int(n), int(total or 0), int(ok or 0)) for p, n, total, ok in rows]

    def question_results(self, workspace_id: int, since: datetime) -> dict[str, tuple[int, int]]:
        right = func.sum(case((exam_items.c.correct.is_(True), 1), else_=0))
        rows = self.connection.execute(
            select(exam_items.c.question_id, func.count(), right)
            .select_from(exam_items.join(exams, exams.c.id == exam_items.c.exam_id))
            .where(
                exams.c.workspace_id == workspace_id,
                exams.c.state == SUBMITTED,
                exams.c.finished_at >= since,
            )
            .group_by(exam_items.c.question_id)
        )
        return {question: (int(asked), int(ok or 0)) for question, asked, ok in rows}


_INSERT_ITEMS = insert(exam_items).values(
    exam_id=bindparam("exam"),
    position=bindparam("position"),
    question_id=bindparam("question"),
    flagged=bindparam("flagged"),
)


def _seen_statement() -> Any:
    """How often a person met each question: their answers (practice, daily, kept exam answers)
    and their exams' questions, counted together; read through the driver's own SQL."""
    answered = (
        select(question_instances.c.question_id.label("question_id"))
        .select_from(answers.join(question_instances, question_instances.c.id == answers.c.instance_id))
        .where(answers.c.user_id.in_(bindparam("answered_by", expanding=True)))
    )
    examined = (
        select(exam_items.c.question_id.label("question_id"))
        .select_from(exam_items.join(exams, exams.c.id == exam_items.c.exam_id))
        .where(exams.c.user_id.in_(bindparam("examined_by", expanding=True)))
    )
    met = union_all(answered, examined).subquery()
    return select(met.c.question_id, func.count()).group_by(met.c.question_id)


_SEEN = _seen_statement()
