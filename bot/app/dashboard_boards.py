"""Dashboard pages about people: leaderboards and streaks, the question of the day's history
per team, and the people table (admins: everyone; members: themselves)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.app.dashboard_model import Cell, Chart, Panel, Reads, Table, Viewer, cells, share
from bot.app.dashboard_pages import PEOPLE_SHOWN, PERSON_HEADERS, person_cells
from bot.app.dashboard_ports import DailyRow, DashboardReader, PersonRow
from bot.app.library import Library
from bot.app.ports import BoardLine
from bot.models import Period, Scope
from bot.periods import period_key

BOARD_SIZE = 10
DAILY_SHOWN = 30
PERIOD_TITLES = {Period.WEEK: "this week", Period.MONTH: "this month", Period.ALL: "all time"}


def _board(title: str, lines: list[BoardLine], chart: bool) -> Panel:
    table = Table(
        ("#", "Name", "Points", "Answers", "Right"),
        [
            cells(n, line.name, line.points, line.answers, share(line.correct, line.answers))
            for n, line in enumerate(lines, 1)
        ],
    )
    drawn = Chart("hbar", [line.name for line in lines], {"Points": [float(line.points) for line in lines]})
    return Panel(title, table, drawn if chart and lines else None)


class Boards:
    slug, title = "boards", "Leaderboards"

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def build(self, viewer: Viewer) -> list[Panel]:
        workspace = viewer.workspace.id
        zone = ZoneInfo(viewer.workspace.timezone)
        keys = {period: period_key(period, viewer.now, zone) for period in Period}

        def read(
            reader: DashboardReader,
        ) -> tuple[dict[tuple[Period, Scope], list[BoardLine]], list[PersonRow]]:
            boards = {
                (period, scope): reader.board(workspace, key, scope, BOARD_SIZE)
                for period, key in keys.items()
                for scope in Scope
            }
            return boards, reader.streaks(workspace, BOARD_SIZE)

        boards, streaks = await self.reads(read)
        panels = [
            _board(
                f"{scope.value.capitalize()} {PERIOD_TITLES[period]}",
                boards[(period, scope)],
                period is Period.WEEK,
            )
            for scope in Scope
            for period in Period
        ]
        panels.append(
            Panel(
                "Longest streaks",
                Table(
                    ("Person", "Team", "Streak", "Best streak", "Daily streak"),
                    [
                        cells(p.name, p.team_name or "–", p.streak, p.best_streak, p.daily_streak)
                        for p in streaks
                    ],
                ),
                Chart("hbar", [p.name for p in streaks], {"Streak": [float(p.streak) for p in streaks]})
                if streaks
                else None,
            )
        )
        return panels


class DailyHistory:
    slug, title = "daily", "Question of the day"

    def __init__(self, reads: Reads, library: Library) -> None:
        self.reads = reads
        self.library = library

    async def build(self, viewer: Viewer) -> list[Panel]:
        workspace = viewer.workspace.id

        def read(reader: DashboardReader) -> tuple[list[DailyRow], dict[int, str]]:
            return reader.daily_history(workspace, DAILY_SHOWN), reader.teams(workspace)

        history, teams = await self.reads(read)
        bank = await self.library.bank_of_id(workspace)
        history.reverse()
        names = {**teams, 0: "No team"}
        team_ids = sorted({team for row in history for team in row.by_team}, key=lambda t: names.get(t, ""))
        rows = []
        right: list[float | None] = []
        for row in history:
            answered = sum(count for count, _ in row.by_team.values())
            correct = sum(c for _, c in row.by_team.values())
            right.append(100 * correct / answered if answered else None)
            per_team = [
                share(row.by_team[t][1], row.by_team[t][0]) if t in row.by_team else Cell("–")
                for t in team_ids
            ]
            question = bank.question(row.question_id)
            rows.append(
                cells(
                    row.day.isoformat(),
                    question.prompt if question else row.question_id,
                    answered,
                    share(correct, answered),
                    *per_team,
                )
            )
        table = Table(("Day", "Question", "Answered", "Right", *(names.get(t, "?") for t in team_ids)), rows)
        chart = Chart("bar", [row.day.strftime("%d %b") for row in history], {"Right": right}, percent=True)
        return [Panel("Question of the day: answered and share right", table, chart if history else None)]


class People:
    slug, title = "people", "People"

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def build(self, viewer: Viewer) -> list[Panel]:
        workspace, person = viewer.workspace.id, viewer.person
        if viewer.admin:
            total, rows = await self.reads(lambda reader: reader.people(workspace, None, 0, PEOPLE_SHOWN))
            note = f"{total} people; the first {PEOPLE_SHOWN} by name here, everyone in the CSV download."
        elif person is not None:
            total, rows = await self.reads(lambda reader: reader.people(workspace, [person.id], 0, 1))
            note = "Your own numbers; the CSV download has them too."
        else:
            rows, note = [], "You have not answered a question here yet."
        return [Panel("People", Table(PERSON_HEADERS, [person_cells(row) for row in rows]), note=note)]
