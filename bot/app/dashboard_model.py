"""What a dashboard page is made of, independent of HTML: panels, each a chart (optional) and
the table of its numbers; and the seam where other features add pages (`PageSource`).

A feature whose data exists registers its page in `bot.bootstrap` (`dashboard.add(...)`); the
navigation lists only registered pages, so nothing shows an empty "not available" section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, TypeVar

from bot.app.dashboard_ports import DashboardReader, PersonRef, WorkspaceRef

T = TypeVar("T")


class Reads(Protocol):
    """Runs `work` on the reader in one read transaction."""

    def __call__(self, work: Callable[[DashboardReader], T], /) -> Awaitable[T]: ...


class DashboardLinkMinter(Protocol):
    """Signs dashboard links (`bot.dashboard_links.DashboardLinks`); set when the dashboard is on."""

    def url_for(self, workspace_key: str, user: str, admin: bool, now: datetime) -> tuple[str, int]:
        """The link's address and how many hours it lasts."""
        ...


def workspace_key(platform: str, workspace: str) -> str:
    """How a link names its workspace: `slack:T…`, `discord:…`, or `terminal`."""
    return "terminal" if platform == "terminal" else f"{platform}:{workspace}"


@dataclass(frozen=True)
class Viewer:
    """Whom a link was minted for: admins see every person; members their own data, their
    team's and the workspace's aggregates."""

    workspace_key: str
    workspace: WorkspaceRef
    person: PersonRef | None
    admin: bool
    now: datetime


@dataclass(frozen=True)
class Cell:
    text: str
    heat: float | None = None  # 0..1: the share right, coloured on a heatmap


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    heatmap: bool = False


@dataclass(frozen=True)
class Chart:
    kind: Literal["line", "bar", "hbar"]
    labels: list[str]
    series: dict[str, list[float | None]]
    percent: bool = False


@dataclass(frozen=True)
class Panel:
    title: str
    table: Table
    chart: Chart | None = None
    note: str = ""


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    panels: list[Panel] = field(default_factory=list)


class PageSource(Protocol):
    """One page of the dashboard. `slug` is its path under /dashboard ('' for the first)."""

    slug: str
    title: str

    async def build(self, viewer: Viewer) -> list[Panel]: ...


def cells(*values: object) -> tuple[Cell, ...]:
    return tuple(value if isinstance(value, Cell) else Cell(str(value)) for value in values)


def share(correct: int, answers: int) -> Cell:
    """A share right as a percentage, coloured when it is a heatmap's cell."""
    if answers == 0:
        return Cell("–")
    fraction = correct / answers
    return Cell(f"{round(100 * fraction)}%", fraction)
