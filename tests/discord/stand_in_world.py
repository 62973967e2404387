"""The Discord stand-in's fixed world: its application, bot user, server and channel."""

from __future__ import annotations

from typing import Any

APP_ID = 900000000000000001
BOT_ID = 900000000000000002
GUILD_ID = 900000000000000003
CHANNEL_ID = 900000000000000004
BOT_USER = {
    "id": str(BOT_ID),
    "username": "studybot",
    "discriminator": "0",
    "global_name": "Studybot",
    "avatar": None,
    "bot": True,
}


def application() -> dict[str, Any]:
    return {
        "id": str(APP_ID),
        "name": "Studybot",
        "icon": None,
        "description": "",
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": BOT_USER,
        "verify_key": "0" * 64,
        "flags": 0,
    }


def guild() -> dict[str, Any]:
    return {
        "id": str(GUILD_ID),
        "name": "Cloud study group",
        "icon": None,
        "owner_id": "1",
        "unavailable": False,
        "member_count": 3,
        "large": False,
        "features": [],
        "roles": [{"id": str(GUILD_ID), "name": "@everyone", "permissions": "0", "position": 0, "color": 0}],
        "channels": [
            {"id": str(CHANNEL_ID), "type": 0, "name": "study", "position": 0, "permission_overwrites": []}
        ],
        "members": [],
        "threads": [],
        "emojis": [],
        "stickers": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "preferred_locale": "en-US",
        "premium_tier": 0,
    }
