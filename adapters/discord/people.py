"""Who and where an interaction comes from, in the core's terms."""

from __future__ import annotations

import discord

from bot.models import Actor, Place

PLATFORM = "discord"


def actor(interaction: discord.Interaction) -> Actor:
    guild = interaction.guild
    return Actor(
        platform=PLATFORM,
        workspace=str(interaction.guild_id),
        user=str(interaction.user.id),
        display_name=interaction.user.display_name,
        workspace_name=guild.name if guild is not None and guild.name else "",
        is_admin=interaction.permissions.manage_guild,
    )


def place(interaction: discord.Interaction) -> Place:
    return Place(PLATFORM, str(interaction.guild_id), str(interaction.channel_id))
