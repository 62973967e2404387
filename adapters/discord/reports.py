"""Reporting a question on Discord: a "Report a problem" menu of reasons under every answer's
feedback; picking a reason opens a modal for optional details; its submission is stored and
thanked ephemerally. `/quiz-admin reports` lists the server's reports for its managers.

Report text is the reporter's own: it is escaped wherever it is shown, and every message is
sent with no mentions allowed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from adapters.discord import render
from adapters.discord.markdown import literal, safe
from bot.reports import REPORT_TEXT_MAX, Reason, ReportList

REPORT = r"quiz:(?P<instance>[0-9]+):report"
REPORT_PLACEHOLDER = "Report a problem with this question…"
MODAL_SECONDS = 15 * 60
EMBED_TEXT_MAX = 4000

OnReport = Callable[[discord.Interaction, int, Reason, str], Awaitable[None]]


def report_options() -> list[discord.SelectOption]:
    return [discord.SelectOption(label=reason.label, value=reason.value) for reason in Reason]


def report_custom_id(instance_id: int) -> str:
    return f"quiz:{instance_id}:report"


class ReportModal(discord.ui.Modal):
    """Optional details for a report whose reason was picked in the menu. Its custom_id is
    unique to the interaction that opened it, so two people reporting at once never share one."""

    def __init__(self, instance_id: int, reason: Reason, opened_by: int, send: OnReport) -> None:
        super().__init__(
            title=f"Report a problem: {reason.label.lower()}",
            custom_id=f"quiz:{instance_id}:report:{reason.value}:{opened_by}",
            timeout=MODAL_SECONDS,
        )
        self.instance_id = instance_id
        self.reason = reason
        self.send = send
        self.details: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
            label="Details (optional)",
            style=discord.TextStyle.paragraph,
            custom_id="details",
            required=False,
            max_length=REPORT_TEXT_MAX,
            placeholder="What should it say? A link to the documentation helps.",
        )
        self.add_item(self.details)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        await self.send(interaction, self.instance_id, self.reason, self.details.value or "")


def reports_embed(result: ReportList) -> discord.Embed:
    """The server's latest reports, every user-given string escaped."""
    embed = discord.Embed(title="Reports of bad questions", colour=render.COLOUR)
    if not result.reports:
        embed.description = "No reports of bad questions on this server."
        return embed
    lines = []
    for report in result.reports:
        said = f"\n> {literal(report.text)}" if report.text else ""
        lines.append(
            f"**{safe(report.question_id)}** · {report.reason.label} · "
            f"{safe(report.reporter_name or report.reporter)} · "
            f"<t:{int(report.reported_at.timestamp())}:f>{said}"
        )
    text = ""
    for line in lines:
        if len(text) + len(line) + 2 > EMBED_TEXT_MAX:
            break
        text += line + "\n\n"
    embed.description = text.strip()
    embed.set_footer(text="Every server's reports: studybot content reports")
    return embed
