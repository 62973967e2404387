"""One interaction's replies: the initial response within Discord's three seconds, then followups.

Handlers defer before any work that touches the database, so the initial response never waits
for it; `guard` turns every failure into an ephemeral message for the user and a log line.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord

from bot.errors import UserFacingError

NO_MENTIONS = discord.AllowedMentions.none()
FRIENDLY_FAILURE = "Something went wrong on our side, sorry. Nothing was saved; please try again."

log = logging.getLogger(__name__)


class Exchange:
    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction
        self._public_placeholder = False

    async def defer(self, *, ephemeral: bool) -> None:
        """Answer at once with a "thinking" placeholder that the next `send` replaces."""
        await self.interaction.response.defer(ephemeral=ephemeral, thinking=True)
        self._public_placeholder = not ephemeral

    async def send(
        self,
        content: str | None = None,
        *,
        ephemeral: bool,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> discord.Message | None:
        """Reply: as the initial response if there was none yet, else as a followup.

        An ephemeral reply right after a public placeholder removes the placeholder first, so only
        the user sees it; once a followup replaced the placeholder, nothing is removed. Returns the
        message when sent as a followup.
        """
        extra: dict[str, Any] = {} if view is None else {"view": view}
        if embed is not None:
            extra["embed"] = embed
        if not self.interaction.response.is_done():
            await self.interaction.response.send_message(
                content, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra
            )
            return None
        if ephemeral and self._public_placeholder:
            await self.interaction.delete_original_response()
        self._public_placeholder = False
        return await self.interaction.followup.send(
            content, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, wait=True, **extra
        )

    @asynccontextmanager
    async def guard(self, action: str) -> AsyncIterator[None]:
        """Refusals reach the user as they are; any other error as a friendly line, and the log."""
        try:
            yield
        except UserFacingError as error:
            await self.send(str(error), ephemeral=True)
        except Exception:
            log.exception("discord %s failed (interaction %s)", action, self.interaction.id)
            await self.send(FRIENDLY_FAILURE, ephemeral=True)
