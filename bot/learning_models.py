"""What the learning use cases hand the adapters: private questions, reviews, readiness and the
exam plan. Plain dataclasses, like `bot.models`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.models import QuestionView


@dataclass(frozen=True)
class RevealedQuestion:
    """A private question left unanswered when the learner asked for another: its answer."""

    prompt: str
    answer: str
    explanation: str


@dataclass(frozen=True)
class PrivateQuestion:
    """A question asked to one person only (`/quiz TOPIC private` or a review).

    `due_left` and `new_left` (reviews only): the cards still due after this one, and the new
    cards still allowed today after this one when it is new."""

    question: QuestionView
    revealed: tuple[RevealedQuestion, ...] = ()
    review: bool = False
    is_new: bool = False
    due_left: int = 0
    new_left: int = 0


@dataclass(frozen=True)
class ReviewDone:
    """Nothing to review now: when the next card is due (None when there are no cards yet)."""

    next_due: datetime | None
    timezone: str
    new_limit_reached: bool
    revealed: tuple[RevealedQuestion, ...] = ()


@dataclass(frozen=True)
class TopicReadiness:
    """A topic (or the whole bank, `topic_id` ""): its pool, the learner's cards in it, how many
    are due, and readiness, the mean predicted recall over the pool (unseen questions count 0)."""

    topic_id: str
    topic_name: str
    pool: int
    seen: int
    due: int
    readiness: float


@dataclass(frozen=True)
class ExamPlan:
    """Days left to the exam and what to do each day: the reviews due now, and the new questions
    a day that see the whole bank by the day before the exam."""

    exam_date: date
    days_left: int
    due_today: int
    unseen: int
    new_per_day: int

    @property
    def per_day(self) -> int:
        return self.due_today + self.new_per_day


@dataclass(frozen=True)
class Readiness:
    overall: TopicReadiness
    topics: tuple[TopicReadiness, ...]
    study_next: tuple[str, ...]
    """Names of the weakest topics, weakest first."""
    reviews: int
    plan: ExamPlan | None


@dataclass(frozen=True)
class ExamDateSet:
    """`exam-date` worked: the date (None: off) and the plan it gives."""

    exam_date: date | None
    plan: ExamPlan | None


@dataclass(frozen=True)
class ReminderStatus:
    """`remind status` (and the reply to `remind at|off`, `pause`): the reminder as it stands."""

    hour: int | None
    minute: int | None
    timezone: str | None
    weekdays: str | None
    next_at: datetime | None
    paused_until: date | None
    paused_reason: str | None

    @property
    def on(self) -> bool:
        return self.hour is not None


@dataclass(frozen=True)
class ReminderMessage:
    """What a reminder tells the learner: the cards due and their streak."""

    due: int
    streak: int
