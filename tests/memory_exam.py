"""Mock exams in memory (`bot.app.exam_ports.Exams`), for `tests/memory.py`'s unit of work."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise

from bot.app.exam_ports import OPEN, SUBMITTED, ExamItem, ExamPeriod, ExamRecord, ExamResult, NewExam


@dataclass
class ExamState:
    exams: dict[int, ExamRecord] = field(default_factory=dict)
    items: dict[int, list[ExamItem]] = field(default_factory=dict)
    next_id: int = 1


class MemoryExams:
    def __init__(
        self,
        state: ExamState,
        answered: Callable[[int], list[str]],
        person: Callable[[int], tuple[str, str]],
    ) -> None:
        self.s = state
        self.answered = answered
        self.person = person  # (platform id, name) by user id

    def create(self, exam: NewExam) -> ExamRecord | None:
        if self.open_of(exam.user_id) is not None:
            return None
        record = ExamRecord(
            self.s.next_id,
            exam.user_id,
            exam.workspace_id,
            exam.topic_id,
            len(exam.question_ids),
            exam.minutes,
            exam.timezone,
            exam.started_at,
            exam.deadline,
            OPEN,
            0,
            None,
            None,
            None,
        )
        self.s.next_id += 1
        self.s.exams[record.id] = record
        self.s.items[record.id] = [
            ExamItem(position, question_id, None, None, False, None)
            for position, question_id in enumerate(exam.question_ids)
        ]
        return record

    def open_of(self, user_id: int) -> ExamRecord | None:
        return next((e for e in self.s.exams.values() if e.user_id == user_id and e.state == OPEN), None)

    def get(self, exam_id: int) -> ExamRecord | None:
        return self.s.exams.get(exam_id)

    def items(self, exam_id: int) -> list[ExamItem]:
        return list(self.s.items.get(exam_id, []))

    def _set(self, exam_id: int, position: int, **changes: object) -> None:
        items = self.s.items[exam_id]
        items[position] = replace(items[position], **changes)  # type: ignore[arg-type]  # fields by name

    def answer(self, exam_id: int, position: int, choice: str, correct: bool, now: datetime) -> None:
        self._set(exam_id, position, choice=choice, correct=correct, answered_at=now)

    def flag(self, exam_id: int, position: int, flagged: bool) -> None:
        self._set(exam_id, position, flagged=flagged)

    def move(self, exam_id: int, position: int) -> None:
        self.s.exams[exam_id] = replace(self.s.exams[exam_id], position=position)

    def finish(
        self, exam_id: int, state: str, finished_at: datetime, correct: int | None, score: int | None
    ) -> bool:
        exam = self.s.exams.get(exam_id)
        if exam is None or exam.state != OPEN:
            return False
        self.s.exams[exam_id] = replace(
            exam, state=state, finished_at=finished_at, correct=correct, score=score
        )
        return True

    def history(self, user_id: int, limit: int) -> list[ExamRecord]:
        mine = [e for e in self.s.exams.values() if e.user_id == user_id and e.state == SUBMITTED]
        return sorted(mine, key=lambda e: -e.id)[:limit]

    def seen(self, user_id: int) -> dict[str, int]:
        met = Counter(self.answered(user_id))
        for exam in self.s.exams.values():
            if exam.user_id == user_id:
                met.update(item.question_id for item in self.s.items[exam.id])
        return dict(met)

    def _submitted(self, workspace_id: int) -> list[ExamRecord]:
        return [e for e in self.s.exams.values() if e.workspace_id == workspace_id and e.state == SUBMITTED]

    def latest_results(
        self, workspace_id: int, per_person: int, user_id: int | None, limit: int
    ) -> list[ExamResult]:
        shown: list[ExamResult] = []
        taken: Counter[int] = Counter()
        for exam in sorted(self._submitted(workspace_id), key=lambda e: -e.id):
            if (user_id is not None and exam.user_id != user_id) or taken[exam.user_id] >= per_person:
                continue
            taken[exam.user_id] += 1
            external_id, name = self.person(exam.user_id)
            assert exam.finished_at is not None
            shown.append(
                ExamResult(
                    exam.user_id,
                    external_id,
                    name,
                    exam.started_at,
                    exam.finished_at,
                    exam.minutes,
                    exam.question_count,
                    exam.correct or 0,
                    exam.score or 0,
                )
            )
        return shown[:limit]

    def periods(self, workspace_id: int, bounds: Sequence[datetime], pass_score: int) -> list[ExamPeriod]:
        found: dict[int, list[int]] = {}
        for exam in self._submitted(workspace_id):
            for index, (start, end) in enumerate(pairwise(bounds)):
                if exam.finished_at is not None and start <= exam.finished_at < end:
                    found.setdefault(index, []).append(exam.score or 0)
        return [
            ExamPeriod(index, len(scores), sum(scores), sum(1 for s in scores if s >= pass_score))
            for index, scores in sorted(found.items())
        ]

    def question_results(self, workspace_id: int, since: datetime) -> dict[str, tuple[int, int]]:
        asked: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for exam in self._submitted(workspace_id):
            if exam.finished_at is not None and exam.finished_at >= since:
                for item in self.s.items[exam.id]:
                    asked[item.question_id] += 1
                    right[item.question_id] += bool(item.correct)
        return {question: (n, right[question]) for question, n in asked.items()}
