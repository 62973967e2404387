"""The dashboard's own pages: participation, topics, leaderboards and streaks, the question of
the day's history, the hardest questions and people. Each is one read transaction over the
pre-aggregated tables (`DashboardReader`)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.app.dashboard_model import Cell, Chart, Panel, Reads, Table, Viewer, cells, share
from bot.app.dashboard_ports import DashboardReader, DayRow, PersonRow
from bot.app.dashboard_tally import iso_week

DAYS_SHOWN = 30
WEEKS_SHOWN = 8
INACTIVE_DAYS = 7
PEOPLE_SHOWN = 100
PERSON_HEADERS = ("Person", "Team", "Points", "Answers", "Right", "Streak", "Last active")


def local_today(viewer: Viewer) -> date:
    return viewer.now.astimezone(ZoneInfo(viewer.workspace.timezone)).date()


def person_cells(row: PersonRow) -> tuple[Cell, ...]:
    last = row.last_day.isoformat() if row.last_day else "never"
    return cells(
        row.name,
        row.team_name or "–",
        row.points,
        row.answers,
        share(row.correct, row.answers),
        row.streak,
        last,
    )


def _day_cells(day: date, row: DayRow | None) -> tuple[Cell, ...]:
    if row is None:
        return cells(day.isoformat(), 0, 0, Cell("–"))
    return cells(day.isoformat(), row.active_people, row.answers, share(row.correct, row.answers))


class Participation:
    slug, title = "", "Participation"

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def build(self, viewer: Viewer) -> list[Panel]:
        today = local_today(viewer)
        since = today - timedelta(days=DAYS_SHOWN - 1)
        first_week = iso_week(today - timedelta(weeks=WEEKS_SHOWN - 1))
        workspace = viewer.workspace.id
        limit = PEOPLE_SHOWN if viewer.admin else 0

        def read(reader: DashboardReader) -> tuple[list[DayRow], dict[str, int], tuple[int, list[PersonRow]]]:
            quiet_since = today - timedelta(days=INACTIVE_DAYS - 1)
            return (
                reader.days(workspace, since),
                reader.weeks(workspace, first_week),
                reader.inactive(workspace, quiet_since, limit),
            )

        days, weeks, (inactive_count, inactive) = await self.reads(read)
        by_day = {row.day: row for row in days}
        shown = [since + timedelta(days=n) for n in range(DAYS_SHOWN)]
        rows = [by_day.get(day) for day in shown]
        daily = Panel(
            "People active and answers per day",
            Table(
                ("Day", "People active", "Answers", "Right"),
                [_day_cells(d, r) for d, r in zip(shown, rows, strict=True)],
            ),
            Chart(
                "line",
                [day.strftime("%d %b") for day in shown],
                {
                    "People active": [float(r.active_people) if r else 0.0 for r in rows],
                    "Answers": [float(r.answers) if r else 0.0 for r in rows],
                },
            ),
        )
        week_labels = [iso_week(today - timedelta(weeks=n)) for n in reversed(range(WEEKS_SHOWN))]
        weekly = Panel(
            "People active per week",
            Table(("Week", "People active"), [cells(week, weeks.get(week, 0)) for week in week_labels]),
            Chart("bar", week_labels, {"People active": [float(weeks.get(week, 0)) for week in week_labels]}),
        )
        who = "" if viewer.admin else " Admins see who."
        quiet = Panel(
            f"Inactive for {INACTIVE_DAYS} days",
            Table(PERSON_HEADERS, [person_cells(person) for person in inactive]),
            note=f"{inactive_count} people have not answered in the last {INACTIVE_DAYS} days.{who}",
        )
        return [daily, weekly, quiet]
