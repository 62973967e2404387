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
class ExamResult:
    """A submitted exam with whose it is, for the dashboard's mock-exam page."""

    user_id: int
    external_id: str
    name: str
    started_at: datetime
    finished_at: datetime
    minutes: int
    question_count: int
    correct: int
    score: int


@dataclass(frozen=True)
class ExamPeriod:
    """The workspace's submitted exams finished in one period (`Exams.periods`)."""

    index: int
    attempts: int
    score_sum: int
    passed: int


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

    def latest_results(
        self, workspace_id: int, per_person: int, user_id: int | None, limit: int
    ) -> list[ExamResult]:
        """The workspace's submitted exams, at most `per_person` (the newest) for each person,
        or only `user_id`'s; newest first, at most `limit` in all."""
        ...

    def periods(self, workspace_id: int, bounds: Sequence[datetime], pass_score: int) -> list[ExamPeriod]:
        """Submitted exams counted per period: period i runs from bounds[i] to bounds[i + 1];
        periods without exams are left out. Aggregated in the database."""
        ...

    def question_results(self, workspace_id: int, since: datetime) -> dict[str, tuple[int, int]]:
        """(times asked, times right) per question over the workspace's exams submitted since
        `since`, aggregated in the database."""
        ...
