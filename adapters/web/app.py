"""The team dashboard on `studybot serve`'s aiohttp server: /dashboard pages, the per-person CSV
and the stylesheet. Every page and the CSV need a signed link (`bot.dashboard_links`); a bad one
gets 403 and a page that shows nothing.

This module (with pygal and Jinja2) is imported by `adapters.serve` only when the dashboard is
on, never by the chat handlers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from html import escape
from pathlib import Path

import jinja2
from aiohttp import web

from adapters.web.charts import svg
from bot.app.dashboard import Dashboard
from bot.app.dashboard_model import Panel, Table, Viewer
from bot.clock import Clock
from bot.dashboard_links import DashboardLinks

HERE = Path(__file__).resolve().parent
STYLESHEET = (HERE / "static" / "dashboard.css").read_bytes()
HEADERS = {
    "Cache-Control": "no-store",
    # The token is in the address: never send it on to another site.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class DrawnPanel:
    title: str
    note: str
    table_html: str
    svg: str | None


class DashboardRoutes:
    def __init__(self, dashboard: Dashboard, links: DashboardLinks, clock: Clock) -> None:
        self.dashboard = dashboard
        self.links = links
        self.clock = clock
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, auto_reload=False
        )

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/dashboard/static/dashboard.css", self.stylesheet)
        app.router.add_get("/dashboard/people.csv", self.people_csv)
        app.router.add_get("/dashboard", self.page)
        app.router.add_get("/dashboard/{slug:[a-z_]+}", self.page)

    async def stylesheet(self, request: web.Request) -> web.Response:
        return web.Response(
            body=STYLESHEET, content_type="text/css", headers={"Cache-Control": "max-age=3600"}
        )

    async def _viewer(self, request: web.Request) -> Viewer | None:
        now = self.clock.now()
        grant = self.links.grant(request.query.get("t", ""), now)
        if grant is None:
            return None
        return await self.dashboard.viewer(grant.workspace_key, grant.user, grant.admin, now)

    def _denied(self) -> web.Response:
        body = self.templates.get_template("denied.html").render()
        return web.Response(status=403, text=body, content_type="text/html", headers=HEADERS)

    async def page(self, request: web.Request) -> web.Response:
        viewer = await self._viewer(request)
        if viewer is None:
            return self._denied()
        page = await self.dashboard.page(request.match_info.get("slug", ""), viewer)
        if page is None:
            raise web.HTTPNotFound()
        panels = await asyncio.to_thread(_draw, page.panels)
        person = viewer.person
        body = self.templates.get_template("page.html").render(
            page=page,
            panels=panels,
            nav=[(source.slug, source.title) for source in self.dashboard.sources.values()],
            token=request.query["t"],
            workspace_name=viewer.workspace.name or viewer.workspace_key,
            who=person.name if person else "you",
            admin=viewer.admin,
            expires=self._expires(request.query["t"]),
        )
        return web.Response(text=body, content_type="text/html", headers=HEADERS)

    def _expires(self, token: str) -> str:
        minted = self.links.minted_at(token)
        return (minted + self.links.lifetime).strftime("%Y-%m-%d %H:%M") if minted else ""

    async def people_csv(self, request: web.Request) -> web.Response:
        viewer = await self._viewer(request)
        if viewer is None:
            return self._denied()
        text = await self.dashboard.people_csv(viewer)
        name = viewer.workspace_key.replace(":", "-")
        headers = {**HEADERS, "Content-Disposition": f'attachment; filename="studybot-{name}-people.csv"'}
        return web.Response(text=text, content_type="text/csv", charset="utf-8", headers=headers)


def _draw(panels: list[Panel]) -> list[DrawnPanel]:
    """Draw the charts and the tables (off the event loop: a new chart takes pygal a few
    milliseconds, a heatmap of 200 teams some thousands of cells)."""
    return [
        DrawnPanel(p.title, p.note, table_html(p.table), svg(p.chart) if p.chart else None) for p in panels
    ]


def table_html(table: Table) -> str:
    """A table's HTML, every text escaped. Written out here rather than in the template: for a
    heatmap of thousands of cells Jinja's per-cell work was most of the page's time."""
    if not table.rows:
        return ""
    heatmap = table.heatmap
    parts = [
        f'<table class="{"heatmap" if heatmap else "numbers"}"><thead><tr>',
        *(f'<th scope="col">{escape(header)}</th>' for header in table.headers),
        "</tr></thead><tbody>",
    ]
    for row in table.rows:
        parts.append(f'<tr><th scope="row">{escape(row[0].text)}</th>')
        for cell in row[1:]:
            if heatmap and cell.heat is not None:
                parts.append(f'<td class="heat" style="--heat: {cell.heat:.2f}">{escape(cell.text)}</td>')
            else:
                parts.append(f"<td>{escape(cell.text)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
