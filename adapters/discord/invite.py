"""The link that adds the bot to a server, with the scopes and permissions it needs and no more."""

from __future__ import annotations

from urllib.parse import urlencode

import discord

SCOPES = ("bot", "applications.commands")

# See the channel, post questions (the question of the day), show embeds, and find its own
# earlier messages to update their answer counts.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    read_message_history=True,
)


def invite_url(application_id: int) -> str:
    query = urlencode(
        {"client_id": application_id, "scope": " ".join(SCOPES), "permissions": PERMISSIONS.value}
    )
    return f"https://discord.com/oauth2/authorize?{query}"
