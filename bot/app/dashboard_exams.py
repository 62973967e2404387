"""The dashboard's mock-exam page: each person's submitted exams (admins see everyone's,
members their own) and the workspace's aggregates (attempts, mean scaled score and pass rate
per week, share right by exam domain). One read transaction of three bounded queries on
`repositories.exams`: the newest exams per person, and two aggregates computed in the database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app.dashboard_model import Cell, Chart, Panel, Table, Viewer, cells, share
from bot.app.dashboard_pages import local_today
from bot.app.dashboard_tally import iso_week
from bot.app.exam_ports import ExamPeriod, ExamResult
from bot.app.library import Library
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.exam_guide import domain_title
from bot.exam_rules import PASS_SCORE

WEEKS_SHOWN = 8
EXAMS_PER_PERSON = 5
EXAMS_SHOWN = 200
RESULT_HEADERS = ("Person", "Submitted", "Questions", "Right", "Scaled score", "Result", "Time used")

Read = tuple[list[ExamResult], list[ExamPeriod], dict[str, tuple[int, int]]]


def _time_used(result: ExamResult) -> str:
    seconds = int((result.finished_at - result.started_at).total_seconds())
    seconds = max(0, min(seconds, result.minutes * 60))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _result_cells(result: ExamResult, zone: ZoneInfo) -> tuple[Cell, ...]:
    finished = result.finished_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return cells(
        result.name,
        finished,
        result.question_count,
        share(result.correct, result.question_count),
        result.score,
        "pass" if result.score >= PASS_SCORE else "fail",
        _time_used(result),
    )


def _mean(period: ExamPeriod | None) -> str:
    return str(round(period.score_sum / period.attempts)) if period else "–"


class ExamResults:
    """The "Mock exams" page (issue 19, point 1), registered in `bot.bootstrap.compose`."""

    slug, title = "exams", "Mock exams"

    def __init__(self, uow: UnitOfWork, library: Library) -> None:
        self.uow = uow
        self.library = library

    async def build(self, viewer: Viewer) -> list[Panel]:
        zone = ZoneInfo(viewer.workspace.timezone)
        today = local_today(viewer)
        monday = today - timedelta(days=today.weekday())
        starts = [monday - timedelta(weeks=n) for n in reversed(range(WEEKS_SHOWN))]
        bounds = [
            datetime(day.year, day.month, day.day, tzinfo=zone)
            for day in [*starts, monday + timedelta(weeks=1)]
        ]
        workspace = viewer.workspace.id
        person = viewer.person.id if viewer.person else None

        def read(repositories: Repositories) -> Read:
            exams = repositories.exams
            if viewer.admin:
                results = exams.latest_results(workspace, EXAMS_PER_PERSON, None, EXAMS_SHOWN)
            elif person is not None:
                results = exams.latest_results(workspace, EXAMS_SHOWN, person, EXAMS_SHOWN)
            else:
                results = []
            return (
                results,
                exams.periods(workspace, bounds, PASS_SCORE),
                exams.question_results(workspace, bounds[0]),
            )

        results, periods, questions = await self.uow.read(read)
        bank = await self.library.bank_of_id(workspace)
        return [
            self._weekly(starts, periods),
            self._domains(bank, questions),
            self._people(viewer, results, zone),
        ]

    def _weekly(self, starts: list[date], periods: list[ExamPeriod]) -> Panel:
        by_index = {period.index: period for period in periods}
        weeks = [iso_week(start) for start in starts]
        rows = [by_index.get(index) for index in range(len(weeks))]
        table = Table(
            ("Week", "Attempts", "Mean scaled score", "Passed"),
            [
                cells(
                    week,
                    row.attempts if row else 0,
                    _mean(row),
                    share(row.passed, row.attempts) if row else "–",
                )
                for week, row in zip(weeks, rows, strict=True)
            ],
        )
        attempts = sum(row.attempts for row in periods)
        passed = sum(row.passed for row in periods)
        mean = round(sum(row.score_sum for row in periods) / attempts) if attempts else None
        note = (
            f"{attempts} exams in {WEEKS_SHOWN} weeks; mean scaled score {mean}; "
            f"pass rate {round(100 * passed / attempts)}% (pass: {PASS_SCORE})."
            if attempts
            else f"No mock exams submitted in the last {WEEKS_SHOWN} weeks."
        )
        chart = Chart(
            "bar",
            weeks,
            {
                "Attempts": [float(row.attempts) if row else 0.0 for row in rows],
                "Passed": [float(row.passed) if row else 0.0 for row in rows],
            },
        )
        return Panel("Mock exams per week (whole workspace)", table, chart, note)

    @staticmethod
    def _domains(bank: QuestionBank, questions: dict[str, tuple[int, int]]) -> Panel:
        totals: dict[int, list[int]] = {}
        for question_id, (asked, right) in questions.items():
            question = bank.by_id.get(question_id)
            if question is not None:
                counted = totals.setdefault(question.domain, [0, 0])
                counted[0] += asked
                counted[1] += right
        numbers = sorted(totals)
        names = [domain_title(n) for n in numbers]
        table = Table(
            ("Exam domain", "Questions asked", "Right"),
            [
                cells(name, totals[n][0], share(totals[n][1], totals[n][0]))
                for name, n in zip(names, numbers, strict=True)
            ],
        )
        chart = Chart(
            "hbar", names, {"Right": [100 * totals[n][1] / totals[n][0] for n in numbers]}, percent=True
        )
        note = f"Questions of the mock exams submitted in the last {WEEKS_SHOWN} weeks, by exam domain."
        return Panel("Score by exam domain (whole workspace)", table, chart if numbers else None, note)

    def _people(self, viewer: Viewer, results: list[ExamResult], zone: ZoneInfo) -> Panel:
        table = Table(RESULT_HEADERS, [_result_cells(result, zone) for result in results])
        if viewer.admin:
            return Panel(
                "Submitted exams", table, note=f"Each person's latest {EXAMS_PER_PERSON} exams, newest first."
            )
        return Panel("Your submitted exams", table, note="Your exams, newest first. Admins see everyone's.")
