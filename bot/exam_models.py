"""What a mock exam shows, as plain dataclasses every adapter renders: the question on screen,
the review of flagged and unanswered questions, the score report, the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models import QuestionView


@dataclass(frozen=True)
class ExamQuestion:
    """The exam's current question. `question.instance_id` is the exam item's choice-order seed
    (the choices keep their shuffled order for the whole exam); `picked` are the positions of
    the choices already picked, in the order shown."""

    exam_id: int
    position: int
    total: int
    question: QuestionView
    picked: tuple[int, ...]
    flagged: bool
    answered: int
    flagged_count: int
    deadline: datetime
    seconds_left: int
    notice: str | None = None


@dataclass(frozen=True)
class ReviewLine:
    position: int
    answered: bool
    flagged: bool
    prompt: str


@dataclass(frozen=True)
class ExamReview:
    """Every question with whether it is answered and flagged, before submitting."""

    exam_id: int
    lines: tuple[ReviewLine, ...]
    deadline: datetime
    seconds_left: int

    @property
    def unanswered(self) -> int:
        return sum(not line.answered for line in self.lines)

    @property
    def flagged(self) -> tuple[int, ...]:
        return tuple(line.position for line in self.lines if line.flagged)


@dataclass(frozen=True)
class AreaResult:
    """Right answers in one domain or topic."""

    key: str
    name: str
    correct: int
    total: int


@dataclass(frozen=True)
class MissedQuestion:
    position: int
    prompt: str
    picked: tuple[str, ...]
    right: tuple[str, ...]
    explanation: str
    source: str


@dataclass(frozen=True)
class ExamReport:
    exam_id: int
    score: int
    passed: bool
    correct: int
    total: int
    answered: int
    by_domain: tuple[AreaResult, ...]
    by_topic: tuple[AreaResult, ...]
    seconds_used: int
    minutes: int
    missed: tuple[MissedQuestion, ...]
    timed_out: bool
    notice: str | None = None


@dataclass(frozen=True)
class ExamAttempt:
    finished_at: datetime
    score: int
    passed: bool
    correct: int
    total: int
    topic_name: str


@dataclass(frozen=True)
class ExamHistory:
    """Submitted exams, newest first; `trend` is the newest score less the mean of the ones
    before it (None with fewer than two)."""

    attempts: tuple[ExamAttempt, ...]
    trend: int | None


@dataclass(frozen=True)
class ExamStopped:
    text: str


def clock_text(seconds: int) -> str:
    """Time left or used as H:MM:SS, or MM:SS under an hour."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def share_text(correct: int, total: int) -> str:
    return f"{correct}/{total} ({round(100 * correct / total) if total else 0}%)"
