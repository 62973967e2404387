"""The mock exam's records and repository (`repositories.exams`): an exam in progress lives in
the database whole (questions drawn, their order, answers, flags, the deadline), so a restart,
a second process or a reconnect continues it. `bot.db.exams` implements it with SQLAlchemy,
`tests/memory_exam.py` in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

OPEN, SUBMITTED, ABANDONED = "open", "submitted", "abandoned"


@dataclass(frozen=True)
class ExamRecord:
    id: int
    user_id: int
    workspace_id: int
    topic_id: str | None
    question_count: int
    minutes: int
    timezone: str
    started_at: datetime
    deadline: datetime
    state: str
    position: int
    finished_at: datetime | None
    correct: int | None
    score: int | None


@dataclass(frozen=True)
class ExamItem:
    """One question of an exam; `choice` is the recorded pick (None: not answered)."""

    position: int
    question_id: str
    choice: str | None
    correct: bool | None
    flagged: bool
    answered_at: datetime | None


@dataclass(frozen=True)
class NewExam:
    user_id: int
    workspace_id: int
    topic_id: str | None
    question_ids: Sequence[str]
    minutes: int
    timezone: str
    started_at: datetime
    deadline: datetime


class Exams(Protocol):
    def create(self, exam: NewExam) -> ExamRecord | None:
        """Start an exam; None when the person already has one open (one at a time, held by a
        unique index, so two processes cannot both start one)."""
        ...

    def open_of(self, user_id: int) -> ExamRecord | None: ...

    def get(self, exam_id: int) -> ExamRecord | None: ...

    def items(self, exam_id: int) -> list[ExamItem]:
        """The exam's questions in the order asked."""
        ...

    def answer(self, exam_id: int, position: int, choice: str, correct: bool, now: datetime) -> None: ...

    def flag(self, exam_id: int, position: int, flagged: bool) -> None: ...

    def move(self, exam_id: int, position: int) -> None:
        """The question the person is on."""
        ...

    def finish(
        self, exam_id: int, state: str, finished_at: datetime, correct: int | None, score: int | None
    ) -> bool:
        """Close an open exam; False when it was closed already (by another process)."""
        ...

    def history(self, user_id: int, limit: int) -> list[ExamRecord]:
        """The person's submitted exams, newest first."""
        ...

    def seen(self, user_id: int) -> dict[str, int]:
        """How many times the person met each question: answered anywhere, or in an exam."""
        ...
