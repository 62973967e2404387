"""The team dashboard's use case: which pages exist, who is looking, and the per-person CSV.

Pages are `PageSource`s registered in order (`add`); the dashboard's own six come first
(`builtin_pages`), and features whose data exists add theirs in `bot.bootstrap` (exam dates
and mock results, readiness by topic), so a page appears only when its data source does.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from bot.app.dashboard_boards import Boards, DailyHistory, People
from bot.app.dashboard_model import Page, PageSource, Reads, Viewer
from bot.app.dashboard_pages import Participation
from bot.app.dashboard_ports import DashboardReader, PersonRow, TopicCell
from bot.app.dashboard_topics import HardestQuestions, Topics
from bot.app.library import Library

CSV_HEADERS = (
    "person",
    "user_id",
    "team",
    "points",
    "answers",
    "correct",
    "streak",
    "best_streak",
    "daily_streak",
    "last_active",
)


def parse_workspace_key(key: str) -> tuple[str, str] | None:
    """`slack:T0123`, `discord:1234` or `terminal` (the terminal's one workspace), as for decks."""
    if key == "terminal":
        return "terminal", "local"
    platform, _, external = key.partition(":")
    if platform in {"slack", "discord"} and external and external.isalnum():
        return platform, external
    return None


def builtin_pages(reads: Reads, library: Library) -> list[PageSource]:
    return [
        Participation(reads),
        Topics(reads, library),
        Boards(reads),
        DailyHistory(reads, library),
        HardestQuestions(reads, library),
        People(reads),
    ]


class Dashboard:
    def __init__(self, reads: Reads, library: Library) -> None:
        self.reads = reads
        self.sources: dict[str, PageSource] = {}
        for source in builtin_pages(reads, library):
            self.add(source)

    def add(self, source: PageSource) -> None:
        """Register a page (another feature's, e.g. exam countdowns); it joins the navigation."""
        self.sources[source.slug] = source

    async def viewer(self, key: str, user: str, admin: bool, now: datetime) -> Viewer | None:
        """Who is looking, or None when the workspace is unknown here."""
        parsed = parse_workspace_key(key)
        if parsed is None:
            return None

        def read(reader: DashboardReader) -> Viewer | None:
            workspace = reader.workspace(*parsed)
            if workspace is None:
                return None
            return Viewer(key, workspace, reader.person(workspace.id, user), admin, now)

        return await self.reads(read)

    async def page(self, slug: str, viewer: Viewer) -> Page | None:
        source = self.sources.get(slug)
        if source is None:
            return None
        return Page(source.slug, source.title, await source.build(viewer))

    async def people_csv(self, viewer: Viewer) -> str:
        """Per-person data with each topic's answers and share right: everyone for admins,
        the viewer's own row for members."""
        workspace, person = viewer.workspace.id, viewer.person

        def read(reader: DashboardReader) -> tuple[list[PersonRow], list[TopicCell]]:
            if viewer.admin:
                rows = reader.people(workspace, None, 0, 1_000_000)[1]
            else:
                rows = reader.people(workspace, [person.id], 0, 1)[1] if person else []
            return rows, reader.topics(workspace, "u", [row.id for row in rows])

        rows, topic_cells = await self.reads(read)
        topics = sorted({cell.topic for cell in topic_cells})
        grid = {(cell.owner_id, cell.topic): cell for cell in topic_cells}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*CSV_HEADERS, *(f"{t}_{part}" for t in topics for part in ("answers", "correct"))])
        for row in rows:
            topic_values: list[object] = []
            for topic in topics:
                cell = grid.get((row.id, topic))
                topic_values += [cell.answers, cell.correct] if cell else [0, 0]
            writer.writerow(
                [
                    _safe(row.name),
                    row.external_id,
                    _safe(row.team_name or ""),
                    row.points,
                    row.answers,
                    row.correct,
                    row.streak,
                    row.best_streak,
                    row.daily_streak,
                    row.last_day.isoformat() if row.last_day else "",
                    *topic_values,
                ]
            )
        return out.getvalue()


def _safe(text: str) -> str:
    """Keep a spreadsheet from reading a name as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
