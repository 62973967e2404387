"""Submitted mock exams with known numbers for the dashboard's mock-exam page, written through
the `Exams` repository (so the SQL and the in-memory fake are seeded alike).

Workspace T1: Alice 8 of 10 right (score 800, pass, 20 minutes used) and, before it, 5 of 10
(528, fail); Bob 3 of 10 (357, fail); Carol has an exam still open (not shown). Workspace T2:
Zed 10 of 10, never shown in T1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.app.exam_ports import SUBMITTED, NewExam
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.exam_rules import exam_shaped, scaled_score

NAMES = {"U1": "Alice", "U2": "Bob", "U3": "Carol", "U9": "Zed"}


@dataclass(frozen=True)
class ExamSeed:
    workspace_id: int
    users: dict[str, int]  # user ids by platform id
    question_ids: list[str]  # the ten questions every exam asks


async def seed_exams(uow: UnitOfWork, bank: QuestionBank, now: datetime) -> ExamSeed:
    question_ids = [q.id for q in exam_shaped(bank.questions)[:10]]

    def write(repositories: Repositories) -> ExamSeed:
        people = repositories.people
        t1 = people.workspace("slack", "T1", "Team T1", "Europe/Berlin", now)
        t2 = people.workspace("slack", "T2", "Team T2", "Europe/Berlin", now)
        wanted = {(t2.id if u == "U9" else t1.id, u): name for u, name in NAMES.items()}
        ids = {user: uid for (_, user), uid in people.ensure_users(wanted, now).items()}
        plan = [
            ("U1", 5, now - timedelta(hours=3), now - timedelta(hours=2, minutes=15)),
            ("U2", 3, now - timedelta(hours=2), now - timedelta(hours=1)),
            ("U1", 8, now - timedelta(minutes=30), now - timedelta(minutes=10)),
            ("U9", 10, now - timedelta(minutes=30), now - timedelta(minutes=5)),
        ]
        exams = repositories.exams
        for user, right, started, finished in plan:
            workspace = t2.id if user == "U9" else t1.id
            new = NewExam(
                ids[user],
                workspace,
                None,
                question_ids,
                90,
                "Europe/Berlin",
                started,
                started + timedelta(minutes=90),
            )
            exam = exams.create(new)
            assert exam is not None
            for position in range(10):
                exams.answer(exam.id, position, "x", position < right, finished)
            assert exams.finish(exam.id, SUBMITTED, finished, right, scaled_score(right, 10))
        started = now - timedelta(minutes=5)
        open_exam = NewExam(ids["U3"], t1.id, None, question_ids, 90, "Europe/Berlin", started, started)
        assert exams.create(open_exam) is not None
        return ExamSeed(t1.id, ids, question_ids)

    return await uow.write(write)
