"""Reporting a bad question, and reading the reports and the per-question statistics."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot import names
from bot.app.feedback_ports import NewReport
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.clock import Clock
from bot.errors import QuizError
from bot.models import Actor
from bot.reports import (
    REPORT_TEXT_MAX,
    REPORTS_SHOWN,
    QuestionCounts,
    Reason,
    ReportList,
    ReportReceived,
)

NO_QUESTION = "That question is no longer available, so it cannot be reported."
NOTHING_TO_REPORT = (
    "Report a question with Report a problem under its answer; in a terminal, "
    "/quiz report REASON [what is wrong] reports the last question shown."
)


def report_text(raw: str) -> str:
    """A report's text as stored: one line, no control or format characters, at most
    REPORT_TEXT_MAX characters. Markup and mentions are kept as typed; every adapter escapes
    them when it shows the report."""
    text = names.clean(raw)
    return text if len(text) <= REPORT_TEXT_MAX else text[: REPORT_TEXT_MAX - 1] + "…"


class FeedbackService:
    def __init__(self, uow: UnitOfWork, bank: QuestionBank, clock: Clock) -> None:
        self.uow = uow
        self.bank = bank
        self.clock = clock

    async def report(
        self, actor: Actor, instance_id: int | None, reason: Reason, text: str
    ) -> ReportReceived:
        """Store a report on the posted question `instance_id`, from the actor's workspace only."""
        if instance_id is None:
            raise QuizError(NOTHING_TO_REPORT)
        work = partial(self._report, actor, instance_id, reason, report_text(text), self.clock.now())
        question_id = await self.uow.write(work)
        return ReportReceived(question_id, reason)

    def _report(
        self,
        actor: Actor,
        instance_id: int,
        reason: Reason,
        text: str,
        now: datetime,
        repositories: Repositories,
    ) -> str:
        posted = repositories.posts.get(instance_id)
        where = None if posted is None else (posted.platform, posted.workspace_external_id)
        if posted is None or where != (actor.platform, actor.workspace):
            raise QuizError(NO_QUESTION)
        key = (posted.workspace_id, actor.user)
        user_id = repositories.people.ensure_users({key: actor.display_name}, now)[key]
        repositories.feedback.add_report(
            NewReport(posted.question_id, instance_id, posted.workspace_id, user_id, reason.value, text, now)
        )
        return posted.question_id

    async def reports_of(self, actor: Actor) -> ReportList:
        """The latest reports of the actor's workspace (for its admins in chat)."""

        def read(repositories: Repositories) -> ReportList:
            workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
            if workspace is None:
                return ReportList(())
            return ReportList(tuple(repositories.feedback.reports(workspace.id, REPORTS_SHOWN)))

        return await self.uow.read(read)

    async def all_reports(self) -> ReportList:
        """Every report of every workspace, newest first (`studybot content reports`)."""
        return ReportList(tuple(await self.uow.read(lambda r: r.feedback.reports(None, None))))

    async def counts(self) -> list[QuestionCounts]:
        """The counters of every question of the bank, answered or not, in the bank's order."""
        stored = {c.question_id: c for c in await self.uow.read(lambda r: r.feedback.question_counts())}
        return [stored.get(q.id, QuestionCounts(q.id)) for q in self.bank.questions]
