"""The question of the day posted through Discord: the question with its buttons, then the reveal.

Errors map to the core's delivery errors: Discord refusing for good (missing access or
permission, unknown channel) pauses the subscription; anything else after discord.py's own
retries (it retries 429s and 5xx itself) is tried again later.
"""

from __future__ import annotations

import io

import discord

from adapters.discord import render, render_daily
from adapters.discord.buttons import Buttons
from adapters.discord.exchange import NO_MENTIONS
from adapters.discord.pace import Pace
from bot.app.commands import DashboardLink
from bot.app.digest import AdminLink
from bot.app.digest_report import Digest
from bot.daily.models import PermanentDeliveryError, Reveal, TransientDeliveryError
from bot.models import Place, QuestionView


def reason(error: discord.HTTPException) -> str:
    """'Discord 403, code 50001: Missing Access'."""
    text = error.text or error.response.reason or "no reason given"
    return f"Discord {error.status}, code {error.code}: {text}"


class DiscordPoster:
    def __init__(self, client: discord.Client, buttons: Buttons, pace: Pace | None = None) -> None:
        self.client = client
        self.buttons = buttons
        self.pace = pace or Pace()

    async def post_question(self, target: Place, question: QuestionView) -> str:
        message = await self._send(
            target, embed=render.question(question), view=self.buttons.question(question)
        )
        return str(message.id)

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        await self._send(target, embed=render_daily.reveal(reveal))

    async def post_digest(self, target: Place, digest: Digest, chart_png: bytes) -> None:
        """The weekly digest: an embed whose image is the chart, attached to the message."""
        embed = discord.Embed(
            title=f"Weekly digest · {digest.workspace}"[:256], description="\n".join(digest.lines())
        )
        embed.set_image(url="attachment://digest.png")
        channel = self.client.get_partial_messageable(int(target.channel), guild_id=int(target.workspace))
        await self.pace.turn()
        try:
            await channel.send(
                embed=embed,
                file=discord.File(io.BytesIO(chart_png), "digest.png"),
                allowed_mentions=NO_MENTIONS,
            )
        except (discord.Forbidden, discord.NotFound) as error:
            raise PermanentDeliveryError(reason(error)) from error
        except discord.HTTPException as error:
            raise TransientDeliveryError(reason(error)) from error

    async def send_admin_link(self, target: Place, user: str, link: AdminLink) -> None:
        """The subscribing admin's dashboard link, in a direct message to them alone."""
        text = render.dashboard_link(DashboardLink(link.url, link.hours, admin=True))
        await self.pace.turn()
        try:
            channel = await self.client.create_dm(discord.Object(int(user)))
            await channel.send(
                f"This week's digest is in <#{target.channel}>.\n{text}", allowed_mentions=NO_MENTIONS
            )
        except (discord.Forbidden, discord.NotFound) as error:
            raise PermanentDeliveryError(reason(error)) from error
        except discord.HTTPException as error:
            raise TransientDeliveryError(reason(error)) from error

    async def _send(
        self, target: Place, *, embed: discord.Embed, view: discord.ui.View | None = None
    ) -> discord.Message:
        channel = self.client.get_partial_messageable(int(target.channel), guild_id=int(target.workspace))
        await self.pace.turn()
        try:
            if view is None:
                return await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
            return await channel.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        except (discord.Forbidden, discord.NotFound) as error:
            raise PermanentDeliveryError(reason(error)) from error
        except discord.HTTPException as error:
            raise TransientDeliveryError(reason(error)) from error
