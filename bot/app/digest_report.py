"""What the weekly digest says: the reported week against the one before, from the dashboard's
pre-aggregated tables (a few hundred rows, whatever the history)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app.dashboard_model import Chart, Reads
from bot.app.dashboard_ports import DashboardReader, DayRow, Improvement, TopicCell, WorkspaceRef
from bot.app.dashboard_tally import DOMAIN_PREFIX, iso_week
from bot.models import Period, Place, Scope
from bot.periods import period_key

IMPROVED_SHOWN = 3
WEAKEST_MIN_ANSWERS = 3
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Digest:
    workspace: str
    week_start: date
    active: tuple[int, int]  # people active in the reported week, and the week before
    answers: tuple[int, int]
    improved_people: list[Improvement]
    improved_teams: list[Improvement]
    weakest: TopicCell | None
    weakest_name: str
    suggestion: str
    chart: Chart

    def lines(self) -> list[str]:
        """The digest as plain lines (each adapter adds its own markup around them)."""
        lines = [
            f"Week of {self.week_start:%d %b %Y}",
            f"People active: {self.active[0]} ({_change(*self.active)}); answers: {self.answers[0]} "
            f"({_change(*self.answers)}).",
        ]
        for title, rows in (
            ("Most improved people", self.improved_people),
            ("Most improved teams", self.improved_teams),
        ):
            if rows:
                shown = ", ".join(f"{row.name} (+{row.points - row.previous_points} points)" for row in rows)
                lines.append(f"{title}: {shown}.")
        if self.weakest is not None:
            right = round(100 * self.weakest.correct / self.weakest.answers)
            lines.append(f"Weakest topic: {self.weakest_name} ({right}% right). Try {self.suggestion}")
        lines.append("Admins: /quiz dashboard answers with a private link to the whole picture.")
        return lines


def _change(now: int, before: int) -> str:
    if before == 0:
        return "none the week before"
    percent = round(100 * (now - before) / before)
    return "as many as the week before" if percent == 0 else f"{percent:+d}% on the week before"


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def build_digest(
    reads: Reads,
    place: Place,
    due_at: datetime,
    timezone: str,
    topic_name: Callable[[str], str],
    suggest: Callable[[str], str],
) -> Digest | None:
    """The digest of the ISO week holding the day before `due_at` (a Monday digest reports the
    whole week just ended; later days report the week so far), or None when the workspace is
    not known here."""
    zone = ZoneInfo(timezone)
    start = _week_start(due_at.astimezone(zone).date() - timedelta(days=1))
    before = start - timedelta(days=7)
    keys = [period_key(Period.WEEK, datetime.combine(d, time(12), zone), zone) for d in (start, before)]

    def read(
        reader: DashboardReader,
    ) -> (
        tuple[
            WorkspaceRef, list[DayRow], dict[str, int], list[Improvement], list[Improvement], list[TopicCell]
        ]
        | None
    ):
        workspace = reader.workspace(place.platform, place.workspace)
        if workspace is None:
            return None
        return (
            workspace,
            reader.days(workspace.id, before),
            reader.weeks(workspace.id, iso_week(before)),
            reader.improved(workspace.id, Scope.PEOPLE, keys[0], keys[1], IMPROVED_SHOWN),
            reader.improved(workspace.id, Scope.TEAMS, keys[0], keys[1], IMPROVED_SHOWN),
            reader.topics(workspace.id, "w", [0]),
        )

    found = await reads(read)
    if found is None:
        return None
    workspace, days, weeks, people, teams, topics = found
    by_day = {row.day: row.answers for row in days}
    this_week: list[float | None] = [float(by_day.get(start + timedelta(days=n), 0)) for n in range(7)]
    last_week: list[float | None] = [float(by_day.get(before + timedelta(days=n), 0)) for n in range(7)]
    candidates = [
        cell
        for cell in topics
        if cell.answers >= WEAKEST_MIN_ANSWERS and not cell.topic.startswith(DOMAIN_PREFIX)
    ]
    weakest = min(candidates, key=lambda cell: (cell.correct / cell.answers, -cell.answers), default=None)
    return Digest(
        workspace=workspace.name or place.workspace,
        week_start=start,
        active=(weeks.get(iso_week(start), 0), weeks.get(iso_week(before), 0)),
        answers=(
            sum(by_day.get(start + timedelta(days=n), 0) for n in range(7)),
            sum(by_day.get(before + timedelta(days=n), 0) for n in range(7)),
        ),
        improved_people=[row for row in people if row.points > row.previous_points],
        improved_teams=[row for row in teams if row.points > row.previous_points],
        weakest=weakest,
        weakest_name=topic_name(weakest.topic) if weakest else "",
        suggestion=suggest(weakest.topic) if weakest else "",
        chart=Chart("bar", list(DAY_LABELS), {"This week": this_week, "The week before": last_week}),
    )
