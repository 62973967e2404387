"""The dashboard's readiness page: each person's readiness for the exam (admins see everyone,
members themselves), readiness by topic across people, and how many people sit the exam in the
coming weeks.

Readiness is `/quiz stats`' own (`bot.readiness`: the mean predicted recall over the workspace's
questions, a question never answered counting 0), computed here from each person's cards. That
takes py-fsrs per card, which SQL cannot do, so the page reads the cards of a bounded list of
people (the nearest exams first, at most `PEOPLE_SHOWN`) and aggregates over them; the exam
dates per day are counted in the database for the whole workspace. One read transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.app.dashboard_model import Cell, Chart, Panel, Table, Viewer, cells
from bot.app.dashboard_pages import local_today
from bot.app.dashboard_tally import iso_week
from bot.app.learning_ports import Learner
from bot.app.library import Library
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.learning_models import TopicReadiness
from bot.readiness import Pool, exam_plan, pools_readiness, weakest
from bot.recall import Memory, Recall

PEOPLE_SHOWN = 50
"""The people whose readiness a page computes: about 90 cards each in the benchmark's workspace,
each card's recall a few microseconds of py-fsrs (docs/dashboard.md, "Readiness")."""
EXAM_WEEKS = 8
NEAR_DAYS = 14
READY = 0.7
"""Readiness a person near their exam should have reached: the exam's pass mark (700 of 1000)."""

PERSON_HEADERS = (
    "Person",
    "Readiness",
    "Questions seen",
    "Cards due",
    "Study next",
    "Exam date",
    "Days left",
    "Plan a day",
    "Attention",
)


@dataclass(frozen=True)
class PersonReadiness:
    learner: Learner
    overall: TopicReadiness
    topics: tuple[TopicReadiness, ...]
    study_next: tuple[str, ...]


@dataclass(frozen=True)
class Read:
    total: int
    listed: list[Learner]
    own: Learner | None
    memories: dict[int, dict[str, Memory]]
    exam_days: dict[date, int]


def percent(fraction: float) -> Cell:
    return Cell(f"{round(100 * fraction)}%", fraction)


class Pools:
    """The workspace's questions by topic, as `LearningService` pools them for `/quiz stats`."""

    def __init__(self, bank: QuestionBank, recall: Recall, now: datetime) -> None:
        self.recall = recall
        self.now = now
        everything: Pool = ("", "All topics", [q.id for q in bank.questions])
        self.pools = [everything, *((t.id, t.name, [q.id for q in bank.in_topic(t.id)]) for t in bank.topics)]

    def of(self, learner: Learner, memories: dict[str, Memory]) -> PersonReadiness:
        """A person's readiness; cards of questions outside the pools (a removed deck's) count
        nowhere, as in `/quiz stats`."""
        overall, *topics = pools_readiness(self.pools, memories, self.recall, self.now)
        return PersonReadiness(learner, overall, tuple(t for t in topics if t.pool), weakest(topics))


class ReadinessPage:
    """The "Readiness" page, registered in `bot.bootstrap.compose` (issue 17)."""

    slug, title = "readiness", "Readiness"

    def __init__(self, uow: UnitOfWork, library: Library, recall: Recall) -> None:
        self.uow = uow
        self.library = library
        self.recall = recall

    async def build(self, viewer: Viewer) -> list[Panel]:
        workspace = viewer.workspace.id
        today = local_today(viewer)
        monday = today - timedelta(days=today.weekday())
        last = monday + timedelta(weeks=EXAM_WEEKS, days=-1)
        pools = Pools(await self.library.bank_of_id(workspace), self.recall, viewer.now)
        person = viewer.person.id if viewer.person else None

        def read(repositories: Repositories) -> Read:
            learners = repositories.learners
            total, listed = learners.roster(workspace, None, today, PEOPLE_SHOWN)
            own = [] if viewer.admin or person is None else learners.roster(workspace, [person], today, 1)[1]
            memories = repositories.cards.of_users([learner.user_id for learner in [*listed, *own]])
            exam_days = learners.exam_days(workspace, today, last)
            return Read(total, listed, own[0] if own else None, memories, exam_days)

        found = await self.uow.read(read)
        listed = [pools.of(learner, found.memories.get(learner.user_id, {})) for learner in found.listed]
        own = pools.of(found.own, found.memories.get(found.own.user_id, {})) if found.own else None
        return [
            self._people(viewer, found.total, listed, own, today),
            self._topics(listed),
            self._exam_weeks(monday, found.exam_days),
        ]

    @staticmethod
    def _people(
        viewer: Viewer, total: int, listed: list[PersonReadiness], own: PersonReadiness | None, today: date
    ) -> Panel:
        if viewer.admin:
            rows = [_person_cells(p, today) for p in listed]
            flagged = sum(1 for p in listed if _attention(p, today))
            note = (
                f"{total} people; the {len(rows)} here are those whose exam is nearest, then "
                f"by name. {flagged} need attention: exam within {NEAR_DAYS} days and readiness "
                f"under {round(100 * READY)}%. Readiness is the mean predicted recall over every "
                "question, a question never answered counting 0 (as in /quiz stats)."
            )
            return Panel("Readiness by person", Table(PERSON_HEADERS, rows, heatmap=True), note=note)
        rows = [_person_cells(own, today)] if own else []
        note = "Your own readiness, as /quiz stats shows it. Admins see everyone's."
        return Panel("Your readiness", Table(PERSON_HEADERS, rows, heatmap=True), note=note)

    @staticmethod
    def _topics(listed: Sequence[PersonReadiness]) -> Panel:
        by_topic: dict[str, list[TopicReadiness]] = {}
        for person in listed:
            for topic in person.topics:
                by_topic.setdefault(topic.topic_name, []).append(topic)
        mean_of = {n: sum(t.readiness for t in topics) / len(topics) for n, topics in by_topic.items()}
        names = sorted(mean_of, key=lambda n: mean_of[n])  # the weakest first
        means = [mean_of[n] for n in names]
        table = Table(
            ("Topic", "Questions", "Mean readiness", f"People at {round(100 * READY)}%+"),
            [
                cells(
                    name,
                    by_topic[name][0].pool,
                    percent(mean),
                    sum(t.readiness >= READY for t in by_topic[name]),
                )
                for name, mean in zip(names, means, strict=True)
            ],
            heatmap=True,
        )
        chart = Chart("hbar", names, {"Mean readiness": [100 * mean for mean in means]}, percent=True)
        note = (
            f"Each topic's readiness averaged over {len(listed)} people (the nearest exams first, "
            f"at most {PEOPLE_SHOWN}); the weakest topic first."
        )
        return Panel("Readiness by topic (across people)", table, chart if listed else None, note)

    @staticmethod
    def _exam_weeks(monday: date, exam_days: dict[date, int]) -> Panel:
        starts = [monday + timedelta(weeks=n) for n in range(EXAM_WEEKS)]
        counts = [
            sum(people for day, people in exam_days.items() if start <= day < start + timedelta(weeks=1))
            for start in starts
        ]
        weeks = [iso_week(start) for start in starts]
        table = Table(
            ("Week", "People sitting the exam"),
            [cells(week, count) for week, count in zip(weeks, counts, strict=True)],
        )
        chart = Chart("bar", weeks, {"People sitting the exam": [float(count) for count in counts]})
        note = (
            f"{sum(counts)} people of the whole workspace have set an exam date from today to the "
            f"end of week {weeks[-1]} (/quiz exam-date)."
        )
        return Panel("Exam dates in the coming weeks (whole workspace)", table, chart, note)


def _days_left(learner: Learner, today: date) -> int | None:
    return (learner.exam_date - today).days if learner.exam_date else None


def _attention(person: PersonReadiness, today: date) -> bool:
    days = _days_left(person.learner, today)
    return days is not None and 0 <= days <= NEAR_DAYS and person.overall.readiness < READY


def _person_cells(person: PersonReadiness, today: date) -> tuple[Cell, ...]:
    overall, exam_date = person.overall, person.learner.exam_date
    days = _days_left(person.learner, today)
    plan = exam_plan(exam_date, today, overall.due, overall.pool - overall.seen) if exam_date else None
    if days is None:
        left = "–"
    else:
        left = "past" if days < 0 else "today" if days == 0 else str(days)
    return cells(
        person.learner.name,
        percent(overall.readiness),
        f"{overall.seen} of {overall.pool}",
        overall.due,
        ", ".join(person.study_next) or "–",
        exam_date.isoformat() if exam_date else "–",
        left,
        plan.per_day if plan and plan.days_left > 0 else "–",
        "exam near, readiness low" if _attention(person, today) else "",
    )
