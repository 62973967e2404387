"""Compose the real parts, once: settings -> bank -> database (migrated) -> unit of work ->
the use cases and the command model."""

from __future__ import annotations

import gc
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import TypedDict, Unpack

from bot.app.cards import card_recorder
from bot.app.commands import Commands
from bot.app.dashboard import Dashboard
from bot.app.dashboard_exams import ExamResults
from bot.app.dashboard_model import Chart, DashboardLinkMinter
from bot.app.dashboard_readiness import ReadinessPage
from bot.app.decks import DeckService
from bot.app.digest import DIGEST_GRACE, DigestHandler, DigestPoster, DigestService
from bot.app.exam import ExamService
from bot.app.exam_deadline import ExamDeadline
from bot.app.feedback import FeedbackService
from bot.app.learning import DEFAULT_NEW_PER_DAY, LearningService
from bot.app.library import Library
from bot.app.outbox import OutboxRunner
from bot.app.ports import UnitOfWork
from bot.app.quiz import QuizService
from bot.app.reminders import Reminders
from bot.app.standings import Standings
from bot.app.teams import TeamService
from bot.bank import QuestionBank, load_bank
from bot.clock import Clock, SystemClock
from bot.daily.reveals import RevealHandler
from bot.daily.service import DEFAULT_GRACE, DailyService
from bot.db.dashboard import reads_on
from bot.db.database import Database
from bot.db.schema import upgrade_if_behind
from bot.db.unit_of_work import SqlUnitOfWork
from bot.errors import StorageUnavailable
from bot.recall import Recall
from bot.settings import Settings

log = logging.getLogger(__name__)

EXAM_DEADLINE_GRACE = timedelta(days=30)
"""An exam whose deadline passed while no process ran is still submitted when one starts: its
answers after the deadline never count, so a late submission scores the same."""


def freeze_long_lived() -> None:
    """Keep what lives as long as the process (the bank, the libraries, the schema) out of the
    garbage collector's full passes: they then take about 2 ms instead of about 50 ms, and a
    full pass in the middle of a batch of answers is what sets their tail latency."""
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class Services:
    """The use cases and the command model, on one unit of work. The daily service's posters
    are added by the platform adapters as they start (`daily.posters`)."""

    uow: UnitOfWork
    library: Library
    """Each workspace's questions: the shipped bank and its own decks, one cache for every service."""
    quiz: QuizService
    standings: Standings
    teams: TeamService
    daily: DailyService
    commands: Commands
    outbox: OutboxRunner
    learning: LearningService
    reminders: Reminders
    exam: ExamService
    feedback: FeedbackService
    decks: DeckService
    """A workspace's own decks (issue 18): import, list, remove, export, the shipped bank on/off."""


@dataclass(frozen=True)
class Core(Services):
    """The services on a real database: what `studybot serve` and `studybot chat` run."""

    database: Database
    dashboard: Dashboard

    async def close(self) -> None:
        await self.database.dispose()


def wire(
    uow: UnitOfWork,
    bank: QuestionBank,
    clock: Clock,
    default_timezone: str = "UTC",
    grace: timedelta = DEFAULT_GRACE,
    rng: random.Random | None = None,
    recall: Recall | None = None,
    new_per_day: int = DEFAULT_NEW_PER_DAY,
) -> Services:
    """The use cases on a unit of work (tests wire an in-memory one)."""
    recall = recall or Recall()
    library = Library(uow, bank)
    quiz = QuizService(uow, library, clock, default_timezone, rng, recall)
    standings = Standings(uow, library, clock, default_timezone)
    teams = TeamService(uow, clock, default_timezone)
    # The delivery table: one handler per kind of delivery, registered here (one line each).
    # Platforms are added as their adapters start (`outbox.deliver_to`).
    outbox = OutboxRunner(uow, clock)
    daily = DailyService(uow, quiz, clock, {}, default_timezone, grace=grace, rng=rng, outbox=outbox)
    learning = LearningService(uow, clock, quiz, recall, default_timezone, new_per_day, rng)
    reminders = Reminders(uow, clock, default_timezone)
    # Each exam answer rates the person's spaced-repetition card in the submit transaction.
    record_card = card_recorder(recall, "exam")
    exam = ExamService(uow, library, clock, default_timezone, rng, record_card)
    feedback = FeedbackService(uow, bank, clock)
    outbox.register(RevealHandler(uow, quiz, clock, daily.posters), grace=grace)
    outbox.register(reminders)
    outbox.register(ExamDeadline(exam), grace=EXAM_DEADLINE_GRACE)
    commands = Commands(quiz, standings, teams, daily, learning, reminders, exam, feedback)
    commands.digest = DigestService(uow, clock, default_timezone)
    decks = DeckService(uow, library, clock, default_timezone)
    commands.decks = decks
    return Services(
        uow,
        library,
        quiz,
        standings,
        teams,
        daily,
        commands,
        outbox,
        learning,
        reminders,
        exam,
        feedback,
        decks,
    )


class Tuning(TypedDict, total=False):
    """`wire`'s optional settings, which `compose` hands on as they are: one place for their
    defaults (`wire`'s)."""

    grace: timedelta
    rng: random.Random | None
    recall: Recall | None
    new_per_day: int


def compose(
    database: Database,
    bank: QuestionBank,
    clock: Clock,
    default_timezone: str = "UTC",
    **tuning: Unpack[Tuning],
) -> Core:
    """The use cases on `database`; tests and benchmarks pass their own clock and random."""
    services = wire(SqlUnitOfWork(database), bank, clock, default_timezone, **tuning)
    core = Core(
        **{field.name: getattr(services, field.name) for field in fields(Services)},
        database=database,
        dashboard=Dashboard(reads_on(database), services.library),
    )
    core.dashboard.add(ExamResults(services.uow, services.library))
    core.dashboard.add(ReadinessPage(services.uow, services.library, services.learning.recall))
    return core


def register_digest(
    core: Core,
    posters: Mapping[str, DigestPoster],
    draw: Callable[[Chart, int, int], bytes],
    links: DashboardLinkMinter | None = None,
) -> None:
    """The weekly digest on the delivery table, posting through the platforms that can; with
    `links` (the dashboard is on) the subscribing admin gets their link privately with each."""
    handler = DigestHandler(
        core.uow,
        reads_on(core.database),
        posters,
        draw,
        core.library.bank_of,
        lambda t: f"/quiz {t}",
        links,
        core.quiz.clock.now,
    )
    core.outbox.register(handler, grace=DIGEST_GRACE)


async def build_core(settings: Settings, clock: Clock | None = None) -> Core:
    """Load the bank (raising BankError when it is broken), open and migrate the database.

    A database that cannot be written now (read-only, locked) does not stop start-up: the
    problem is logged and every request that needs to write says so to its user.
    """
    bank = load_bank(settings.studybot_content_dir)
    database = Database(settings.database_url)
    try:
        await upgrade_if_behind(database)
    except StorageUnavailable as error:
        log.error("database not migrated: %s", error)
    core = compose(
        database,
        bank,
        clock or SystemClock(),
        settings.studybot_default_timezone,
        grace=settings.daily_grace,
        recall=Recall(settings.studybot_desired_retention),
        new_per_day=settings.studybot_new_cards_per_day,
    )
    if settings.studybot_dashboard:
        from bot.dashboard_links import links_from

        core.commands.dashboard_links = links_from(settings)
    return core
