"""What one group commit of answers carries (`bot/app/answering.py`): the graded submissions,
what the batch's transaction reads and decides about them, and the outcome each caller gets."""

from __future__ import annotations

from collections import OrderedDict, defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from bot.app.dashboard_tally import DashboardTally
from bot.app.learning_ports import CardKey, Review
from bot.app.ports import NewAnswer, PostedQuestion, RecordedAnswer, Repositories, UserState
from bot.app.question_counts import CountsBatch
from bot.choices import answer_feedback
from bot.models import Actor, AnswerOutcome, Mode
from bot.questions import Question
from bot.recall import Grade, Memory, Recall, grade_for

Item = TypeVar("Item")


@dataclass(frozen=True)
class Submission:
    """A graded answer waiting to be recorded."""

    actor: Actor
    instance: PostedQuestion
    question: Question
    chosen: str
    correct: bool
    answered_at: datetime
    grade: Grade | None = None
    """The learner's own grade of a flashcard; None for an answer graded by its correctness."""


@dataclass
class Batch:
    """What one transaction learns and decides about its submissions."""

    users: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)
    counts: dict[int, tuple[bool, int]] = field(default_factory=dict)
    first: dict[tuple[int, int], RecordedAnswer] = field(default_factory=dict)
    state: dict[int, UserState] = field(default_factory=dict)
    new_answers: list[NewAnswer] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    increments: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    user_totals: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    team_totals: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    workspace_of_user: dict[int, int] = field(default_factory=dict)
    workspace_of_team: dict[int, int] = field(default_factory=dict)
    cards: dict[CardKey, Memory] = field(default_factory=dict)
    changed_cards: dict[CardKey, Memory] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)
    dashboard: DashboardTally = field(default_factory=DashboardTally)
    question_counts: CountsBatch = field(default_factory=CountsBatch)
    paused: dict[int, date] | None = None
    """The batch's people's vacations, read the first time a daily answer needs them."""

    def on_vacation(self, repositories: Repositories, user_id: int, daily_date: date) -> bool:
        """Whether a person's vacation (`pause N days`) lasted until at least the day before this
        daily question: a daily question they left unanswered then does not break their streak."""
        if self.paused is None:
            self.paused = repositories.learners.paused_until(sorted(self.state))
        until = self.paused.get(user_id)
        return until is not None and until >= daily_date - timedelta(days=1)

    def remember(self, recall: Recall, user_id: int, submission: Submission) -> None:
        """Rate the person's card of the question (in the batch; written with the answers)."""
        key = (user_id, submission.question.id)
        grade = submission.grade or grade_for(submission.correct)
        self.cards[key] = self.changed_cards[key] = recall.review(
            self.cards.get(key), grade, submission.answered_at
        )
        self.reviews.append(
            Review(user_id, submission.question.id, grade, submission.answered_at, submission.instance.mode)
        )

    def tally_for_dashboard(
        self,
        submission: Submission,
        workspace_id: int,
        timezone: str,
        user_id: int,
        team_id: int | None,
        late: bool,
    ) -> None:
        """Count the new answer in the dashboard's daily aggregates (written with the answers)."""
        self.dashboard.note(
            workspace_id=workspace_id,
            timezone=timezone,
            user_id=user_id,
            team_id=team_id,
            instance=submission.instance,
            question=submission.question,
            chosen=submission.chosen,
            correct=submission.correct,
            late=late,
            answered_at=submission.answered_at,
        )


def add_tally(
    totals: dict[tuple[int, str], list[int]], key: tuple[int, str], points: int, correct: bool
) -> None:
    tally = totals.setdefault(key, [0, 0, 0])
    tally[0] += points
    tally[1] += 1
    tally[2] += int(correct)


def outcome(
    instance: PostedQuestion,
    question: Question,
    *,
    chosen: str,
    correct: bool,
    points: int,
    user: UserState,
    repeat: bool,
    late: bool,
    count: int,
) -> AnswerOutcome:
    correct_answers, picked = answer_feedback(question, instance.id, chosen)
    return AnswerOutcome(
        instance_id=instance.id,
        question_id=question.id,
        kind=question.kind,
        correct=correct,
        chosen=chosen,
        correct_answer=question.answer,
        explanation=question.explanation,
        source=question.source,
        points=points,
        total_points=user.total,
        streak=user.streak,
        daily_streak=user.daily_streak,
        repeat=repeat,
        late=late,
        answer_count=count,
        mode=Mode(instance.mode),
        correct_answers=correct_answers,
        picked=picked,
    )


class InTurn(Generic[Item]):
    """Answers waiting for the next batch, one queue per workspace, taken in turn: a batch takes
    one answer of each waiting workspace before a second of any. Taken first come, first served,
    another workspace's answer waited behind all of a flooding workspace's, a whole batch (500,
    about 0.3 s under a click flood on 2 cores) more whenever more than a batch was waiting. In
    turn, it joins the next batch; one workspace's answers keep their order."""

    def __init__(self) -> None:
        self._queues: OrderedDict[tuple[str, str], deque[Item]] = OrderedDict()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def put(self, workspace: tuple[str, str], item: Item) -> None:
        self._queues.setdefault(workspace, deque()).append(item)
        self._count += 1

    def take(self, most: int) -> list[Item]:
        taken: list[Item] = []
        while self._queues and len(taken) < most:
            workspace, queue = self._queues.popitem(last=False)
            taken.append(queue.popleft())
            if queue:
                self._queues[workspace] = queue  # behind the others: their turn next
        self._count -= len(taken)
        return taken
