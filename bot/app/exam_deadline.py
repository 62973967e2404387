"""The delivery table's handler for exam deadlines (kind "exam_deadline", platform "any")."""

from __future__ import annotations

from bot.app.exam import DEADLINE_KIND, ExamService
from bot.app.outbox import Due, Outcome


class ExamDeadline:
    """The delivery table's handler for exam deadlines: submits the exam; needs no platform."""

    kind = DEADLINE_KIND

    def __init__(self, exams: ExamService) -> None:
        self.exams = exams

    async def deliver(self, due: Due) -> Outcome:
        exam_id = due.item.payload.get("exam")
        if not isinstance(exam_id, int):
            return Outcome.DROPPED
        await self.exams.expire(exam_id)
        return Outcome.SENT
