"""Question reports and the per-question counters, on SQLAlchemy Core.

`add_counts` runs inside the transaction of a batch of answers: three statements at most (who
is new to each question, the counters, the wrong picks), each built once per dialect and sent
as one executemany, so a batch costs the same whatever the history.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, bindparam, insert, select

from bot.app.feedback_ports import AnswerCounts, NewReport
from bot.db.statements import dialect_insert, execute_plain
from bot.db.tables import users, workspaces
from bot.db.tables_feedback import question_counts, question_people, question_reports, question_wrong_picks
from bot.reports import QuestionCounts, QuestionReport, Reason

_REPORTS = (
    select(
        question_reports.c.id,
        question_reports.c.question_id,
        question_reports.c.instance_id,
        question_reports.c.reason,
        question_reports.c.text,
        workspaces.c.platform,
        workspaces.c.external_id.label("workspace"),
        users.c.external_id.label("reporter"),
        users.c.display_name.label("reporter_name"),
        question_reports.c.reported_at,
    )
    .select_from(
        question_reports.join(workspaces, workspaces.c.id == question_reports.c.workspace_id).join(
            users, users.c.id == question_reports.c.user_id
        )
    )
    .order_by(question_reports.c.id.desc())
)


class SqlFeedback:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_report(self, report: NewReport) -> int:
        values = {
            "question_id": report.question_id,
            "instance_id": report.instance_id,
            "workspace_id": report.workspace_id,
            "user_id": report.user_id,
            "reason": report.reason,
            "text": report.text,
            "reported_at": report.reported_at,
        }
        row = self.connection.execute(insert(question_reports).returning(question_reports.c.id), values)
        return int(row.scalar_one())

    def reports(self, workspace_id: int | None, limit: int | None) -> list[QuestionReport]:
        query = _REPORTS
        if workspace_id is not None:
            query = query.where(question_reports.c.workspace_id == workspace_id)
        if limit is not None:
            query = query.limit(limit)
        return [
            QuestionReport(**{**row._mapping, "reason": Reason(row.reason)})
            for row in self.connection.execute(query)
        ]

    def add_counts(self, counts: AnswerCounts) -> None:
        dialect = self.connection.dialect.name
        pairs = sorted(counts.first_tries)
        sql, order = _insert_people(self.connection.dialect, len(pairs))
        values: dict[str, object] = {}
        for i, (question_id, user_id) in enumerate(pairs):
            values[f"q_{i}"], values[f"u_{i}"] = question_id, user_id
        new = self.connection.exec_driver_sql(sql, tuple(values[name] for name in order)).all()
        people: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for question_id, user_id in new:
            people[question_id][0] += 1
            people[question_id][1] += int(counts.first_tries[(question_id, user_id)])
        rows = [
            {
                "question_id": question_id,
                "answers": answers,
                "correct": correct,
                "people": people[question_id][0],
                "people_right_first": people[question_id][1],
            }
            for question_id, (answers, correct) in sorted(counts.totals.items())
        ]
        execute_plain(self.connection, _add_counts(dialect), rows)
        if counts.wrong_picks:
            picks = [
                {"question_id": question_id, "choice": choice, "picks": times}
                for (question_id, choice), times in sorted(counts.wrong_picks.items())
            ]
            execute_plain(self.connection, _add_wrong_picks(dialect), picks)

    def question_counts(self) -> list[QuestionCounts]:
        picks: dict[str, dict[str, int]] = defaultdict(dict)
        for question_id, choice, times in self.connection.execute(select(question_wrong_picks)):
            picks[question_id][choice] = times
        rows = self.connection.execute(select(question_counts).order_by(question_counts.c.question_id))
        return [QuestionCounts(**row._mapping, wrong_picks=picks.get(row.question_id, {})) for row in rows]


@lru_cache(maxsize=64)
def _insert_people(dialect: Dialect, rows: int) -> tuple[str, tuple[str, ...]]:
    """One INSERT of `rows` (question, user) pairs that returns the pairs new to the table, as
    SQL for the driver and the order of its parameters: compiled once per batch size, since
    SQLAlchemy would build and compile a many-row INSERT ... RETURNING again on every call."""
    statement = (
        dialect_insert(dialect.name, question_people)
        .values([{"question_id": bindparam(f"q_{i}"), "user_id": bindparam(f"u_{i}")} for i in range(rows)])
        .on_conflict_do_nothing(index_elements=["question_id", "user_id"])
        .returning(question_people.c.question_id, question_people.c.user_id)
    )
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ())


@cache
def _add_counts(dialect: str) -> Any:
    statement = dialect_insert(dialect, question_counts)
    table = question_counts
    return statement.on_conflict_do_update(
        index_elements=["question_id"],
        set_={
            name: table.c[name] + statement.excluded[name]
            for name in ("answers", "correct", "people", "people_right_first")
        },
    )


@cache
def _add_wrong_picks(dialect: str) -> Any:
    statement = dialect_insert(dialect, question_wrong_picks)
    return statement.on_conflict_do_update(
        index_elements=["question_id", "choice"],
        set_={"picks": question_wrong_picks.c.picks + statement.excluded.picks},
    )
