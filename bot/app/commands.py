"""The command model: a parsed `Command` in, a `Reply` out, through one `execute`.

Adapters render the reply by its type, each in its platform's own spelling.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.app.dashboard_model import DashboardLinkMinter, workspace_key
from bot.app.deck_commands import DECKS_ADMINS_ONLY, DECKS_OFF, DeckReply, run_deck_command
from bot.app.deck_ports import DeckAdmin
from bot.app.digest import DigestService, DigestStatusReport
from bot.app.exam import ExamService
from bot.app.feedback import FeedbackService
from bot.app.learning import LearningService
from bot.app.quiz import QuizService
from bot.app.reminders import Reminders
from bot.app.standings import Standings
from bot.app.teams import TeamService
from bot.daily.models import DailyStatusReport
from bot.daily.service import DailyService
from bot.errors import QuizError, UserFacingError
from bot.exam_grammar import ReviewExam, ShowExamHistory, StartExam, StopExam, SubmitExam
from bot.exam_models import ExamHistory, ExamQuestion, ExamReport, ExamReview, ExamStopped
from bot.grammar import (
    Ask,
    Command,
    DailyOff,
    DailyOn,
    DailyStatus,
    DeleteTeam,
    Invalid,
    JoinTeam,
    LeaveTeam,
    ListTeams,
    RenameTeam,
    ShowDashboard,
    ShowHelp,
    ShowLeaderboard,
    ShowStats,
    ShowTopics,
)
from bot.grammar_decks import (
    DECK_COMMANDS,
    ExportDeck,
    ImportDeck,
    ListDecks,
    OpenDeckImport,
    RemoveDeck,
    SetBuiltin,
)
from bot.grammar_digest import DigestOff, DigestOn, DigestStatus
from bot.grammar_learning import (
    PauseReminders,
    RemindOff,
    RemindOn,
    RemindStatus,
    SetExamDate,
    StartReview,
)
from bot.help_lines import HELP_LINES
from bot.learning_models import ExamDateSet, PrivateQuestion, ReminderStatus, ReviewDone
from bot.models import (
    Actor,
    AskResult,
    Leaderboard,
    Place,
    TeamChange,
    TeamSummary,
    TopicInfo,
    UserStats,
)
from bot.reports import ReportList, ReportQuestion, ReportReceived, ShowReports


@dataclass(frozen=True)
class TopicList:
    topics: tuple[TopicInfo, ...]


@dataclass(frozen=True)
class Help:
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TeamList:
    teams: tuple[TeamSummary, ...]


@dataclass(frozen=True)
class DailyStopped:
    """`daily off` worked: the channel gets no more questions of the day."""

    text: str = "The question of the day is off in this channel."


@dataclass(frozen=True)
class TeamManaged:
    """An admin renamed or deleted a team: the confirmation to show."""

    text: str


@dataclass(frozen=True)
class DashboardLink:
    """`/quiz dashboard`: a signed link for this person, shown only to them."""

    url: str
    hours: int
    admin: bool


DASHBOARD_OFF = "The dashboard is not switched on for this Studybot; ask whoever runs it to turn it on."


@dataclass(frozen=True)
class Notice:
    """A one-line message for the user: invalid input, or a request the quiz refused."""

    text: str
    refusal: QuizError | None = None
    """The quiz's refusal the text reports, for an adapter that spells commands its own way."""


Reply = (
    AskResult
    | TopicList
    | Help
    | Leaderboard
    | TeamChange
    | TeamList
    | UserStats
    | DailyStatusReport
    | DailyStopped
    | TeamManaged
    | PrivateQuestion
    | ReviewDone
    | ExamDateSet
    | ReminderStatus
    | DashboardLink
    | DigestStatusReport
    | ReportReceived
    | ReportList
    | Notice
    | ExamQuestion
    | ExamReview
    | ExamReport
    | ExamHistory
    | ExamStopped
    | DeckReply
)


ADMINS_ONLY = "Only workspace admins can change the question of the day."
DIGEST_ADMINS_ONLY = "Only workspace admins can set up the weekly digest."
ADMINS_ONLY_REPORTS = "Only workspace admins can read the reports of bad questions."
ADMIN_COMMANDS: dict[type, str] = {
    DailyOn: ADMINS_ONLY,
    DailyOff: ADMINS_ONLY,
    RenameTeam: "Only workspace admins can rename a team.",
    DeleteTeam: "Only workspace admins can delete a team.",
    DigestOn: DIGEST_ADMINS_ONLY,
    DigestOff: DIGEST_ADMINS_ONLY,
    DigestStatus: DIGEST_ADMINS_ONLY,
    ShowReports: ADMINS_ONLY_REPORTS,
    **dict.fromkeys(DECK_COMMANDS, DECKS_ADMINS_ONLY),
}

AdminCheck = Callable[[], Awaitable[bool]]
"""Asks the platform whether the person is an admin there; called only for commands that need
an admin, since on Slack it costs an API call."""


def needs_admin(command: Command) -> bool:
    """Whether only admins may run this command: turning the question of the day or the weekly
    digest on or off (or asking its status), renaming or deleting a team, reading the reports of
    bad questions, managing the workspace's decks."""
    return type(command) in ADMIN_COMMANDS


class Commands:
    """The one way in for parsed commands: every adapter builds a `Command` (Slack and the
    terminal parse the text grammar, Discord builds it from its typed options) and hands it to
    `execute`, which decides who may run it and carries it out."""

    def __init__(
        self,
        quiz: QuizService,
        standings: Standings,
        teams: TeamService,
        daily: DailyService | None = None,
        learning: LearningService | None = None,
        reminders: Reminders | None = None,
        exam: ExamService | None = None,
        feedback: FeedbackService | None = None,
    ) -> None:
        self.exam = exam
        self.quiz = quiz
        self.standings = standings
        self.teams = teams
        self.daily = daily
        self.learning = learning
        self.reminders = reminders
        self.dashboard_links: DashboardLinkMinter | None = None
        self.digest: DigestService | None = None
        self.decks: DeckAdmin | None = None
        """A workspace's own decks (issue 18); None: `/quiz deck ...` says they are not set up."""
        self.now: Callable[[], datetime] = quiz.clock.now
        self.feedback = feedback

    async def execute(
        self, actor: Actor, channel: str, command: Command, is_admin: AdminCheck | None = None
    ) -> Reply:
        """Carry out one command. Refusals come back as a Notice; other errors propagate.

        Whether the actor is an admin comes from `is_admin` when given, else `actor.is_admin`."""
        place = Place(actor.platform, actor.workspace, channel)
        try:
            if needs_admin(command) and not (await is_admin() if is_admin is not None else actor.is_admin):
                raise QuizError(ADMIN_COMMANDS[type(command)])
            if isinstance(command, ShowDashboard):
                admin = await is_admin() if is_admin is not None else actor.is_admin
                return self._dashboard_link(replace(actor, is_admin=admin))
            return await self._carry_out(actor, place, command)
        except QuizError as error:
            return Notice(str(error), error)
        except UserFacingError as error:
            return Notice(str(error))

    async def _carry_out(self, actor: Actor, place: Place, command: Command) -> Reply:
        match command:
            case Ask(topic, private=True) | StartReview(topic) if self.learning is not None:
                if isinstance(command, StartReview):
                    return await self.learning.review(actor, place.channel, topic)
                return await self.learning.ask_private(actor, place.channel, topic)
            case SetExamDate(exam_date) if self.learning is not None:
                return await self.learning.set_exam_date(actor, exam_date)
            case RemindOn() | RemindOff() | RemindStatus() | PauseReminders():
                return await self._remind(actor, command)
            case Ask(topic):
                return await self.quiz.ask(actor, place.channel, topic)
            case ShowTopics():
                return TopicList(await self.quiz.topics(actor))
            case ShowHelp():
                return Help(HELP_LINES)
            case ShowLeaderboard(period, scope):
                return await self.standings.leaderboard(place, period, scope)
            case JoinTeam(name, create):
                return await self.teams.join_team(actor, name, create)
            case RenameTeam(old, new):
                return TeamManaged(await self.teams.rename_team(actor, old, new))
            case DeleteTeam(name):
                return TeamManaged(await self.teams.delete_team(actor, name))
            case LeaveTeam():
                return await self.teams.leave_team(actor)
            case ListTeams():
                return TeamList(await self.teams.teams(place))
            case ShowStats():
                stats = await self.standings.stats(actor)
                if self.learning is None:
                    return stats
                return replace(stats, readiness=await self.learning.readiness(actor))
            case DailyOn() | DailyOff() | DailyStatus():
                return await self._daily(actor, place, command)
            case DigestOn() | DigestOff() | DigestStatus():
                return await self._digest(actor, place, command)
            case StartExam() | StopExam() | ReviewExam() | SubmitExam() | ShowExamHistory():
                return await self._exam(actor, command)
            case ReportQuestion() | ShowReports():
                return await self._feedback(actor, command)
            case OpenDeckImport() | ImportDeck() | ListDecks() | RemoveDeck() | ExportDeck() | SetBuiltin():
                if self.decks is None:
                    return Notice(DECKS_OFF)
                workspace = workspace_key(actor.platform, actor.workspace)
                return await run_deck_command(self.decks, workspace, command)
            case Invalid(message):
                return Notice(message)
        raise AssertionError(f"unhandled command {command!r}")

    async def _remind(
        self, actor: Actor, command: RemindOn | RemindOff | RemindStatus | PauseReminders
    ) -> Reply:
        if self.reminders is None:
            return Notice("Reminders are not available here.")
        match command:
            case RemindOn(hour, minute, timezone, weekdays):
                return await self.reminders.turn_on(actor, hour, minute, timezone, weekdays)
            case RemindOff():
                return await self.reminders.turn_off(actor)
            case PauseReminders(days):
                return await self.reminders.pause(actor, days)
        return await self.reminders.status(actor)

    async def _digest(
        self, actor: Actor, place: Place, command: DigestOn | DigestOff | DigestStatus
    ) -> Reply:
        if self.digest is None:
            return Notice("The weekly digest is not available here.")
        match command:
            case DigestOn():
                return await self.digest.subscribe(actor, place.channel, command)
            case DigestOff():
                return await self.digest.unsubscribe(actor, place.channel)
        return await self.digest.status(place)

    def _dashboard_link(self, actor: Actor) -> Reply:
        if self.dashboard_links is None:
            return Notice(DASHBOARD_OFF)
        key = workspace_key(actor.platform, actor.workspace)
        url, hours = self.dashboard_links.url_for(key, actor.user, actor.is_admin, self.now())
        return DashboardLink(url, hours, actor.is_admin)

    async def _daily(self, actor: Actor, place: Place, command: DailyOn | DailyOff | DailyStatus) -> Reply:
        if self.daily is None:
            return Notice("The question of the day is not available here.")
        match command:
            case DailyOn():
                return await self.daily.subscribe(actor, place.channel, command)
            case DailyOff():
                await self.daily.unsubscribe(actor, place.channel)
                return DailyStopped()
        return await self.daily.status(place)

    async def _exam(
        self, actor: Actor, command: StartExam | StopExam | ReviewExam | SubmitExam | ShowExamHistory
    ) -> Reply:
        if self.exam is None:
            return Notice("Mock exams are not available here.")
        match command:
            case StartExam(topic, questions, minutes):
                return await self.exam.start(actor, topic, questions, minutes)
            case StopExam():
                return await self.exam.stop(actor)
            case ReviewExam():
                return await self.exam.review(actor, None)
            case SubmitExam():
                return await self.exam.submit(actor, None)
        return await self.exam.history(actor)

    async def _feedback(self, actor: Actor, command: ReportQuestion | ShowReports) -> Reply:
        if self.feedback is None:
            return Notice("Reports are not available here.")
        if isinstance(command, ShowReports):
            return await self.feedback.reports_of(actor)
        return await self.feedback.report(actor, command.instance_id, command.reason, command.text)
