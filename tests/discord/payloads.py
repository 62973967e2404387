"""INTERACTION_CREATE payloads as Discord sends them: slash commands, autocomplete, clicks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from tests.discord.stand_in import APP_ID, CHANNEL_ID, GUILD_ID

ALL_PERMISSIONS = str((1 << 50) - 1)
MEMBER_PERMISSIONS = str(1024 | 2048 | 65536)
_ids = itertools.count(800_000_000_000_000_000)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    permissions: str = MEMBER_PERMISSIONS

    def member(self) -> dict[str, Any]:
        user = {"id": str(self.id), "username": self.name.lower(), "discriminator": "0", "avatar": None}
        return {
            "user": {**user, "global_name": self.name},
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": self.permissions,
        }


ALICE = Person(700000000000000001, "Alice")
BOB = Person(700000000000000002, "Bob")
ADMIN = Person(700000000000000003, "Ada", ALL_PERMISSIONS)


def _interaction(
    kind: int, person: Person, data: dict[str, Any], channel: int = CHANNEL_ID, **extra: Any
) -> dict[str, Any]:
    interaction_id = next(_ids)
    return {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
        "channel_id": str(channel),
        "channel": {
            "id": str(channel),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": "study",
            "position": 0,
        },
        "member": person.member(),
        "app_permissions": ALL_PERMISSIONS,
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 10_485_760,
        "data": data,
        **extra,
    }


def option(name: str, value: Any, kind: int = 3, focused: bool = False) -> dict[str, Any]:
    return {"name": name, "type": kind, "value": value, **({"focused": True} if focused else {})}


def subcommand(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "type": 1, "options": list(options)}


def group(name: str, *subcommands: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "type": 2, "options": list(subcommands)}


def slash(person: Person, name: str, *options: dict[str, Any], channel: int = CHANNEL_ID) -> dict[str, Any]:
    data = {"id": str(next(_ids)), "name": name, "type": 1, "options": list(options)}
    return _interaction(2, person, data, channel)


def autocomplete(person: Person, name: str, *options: dict[str, Any]) -> dict[str, Any]:
    data = {"id": str(next(_ids)), "name": name, "type": 1, "options": list(options)}
    return _interaction(4, person, data)


def click(person: Person, message: dict[str, Any], custom_id: str) -> dict[str, Any]:
    return _interaction(3, person, {"custom_id": custom_id, "component_type": 2}, message=message)


def pick(person: Person, message: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """Options picked in the message's select menu, as Discord sends them when the menu closes."""
    [menu] = [c for row in message["components"] for c in row["components"] if c["type"] == 3]
    data = {"custom_id": menu["custom_id"], "component_type": 3, "values": values}
    return _interaction(3, person, data, message=message)


def option_values(message: dict[str, Any], *texts: str) -> list[str]:
    """The values of the select menu's options showing these choices (they are shown shuffled)."""
    [menu] = [c for row in message["components"] for c in row["components"] if c["type"] == 3]
    return [o["value"] for text in texts for o in menu["options"] if o["label"].split(". ", 1)[-1] == text]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [button["custom_id"] for row in message["components"] for button in row["components"]]


def choice_id(message: dict[str, Any], text: str) -> str:
    """The custom_id of the button showing the choice `text` (choices are shown shuffled)."""
    [found] = [
        button["custom_id"]
        for row in message["components"]
        for button in row["components"]
        if button.get("label", "").split(". ", 1)[-1] == text
    ]
    return str(found)


def labels(message: dict[str, Any]) -> list[str]:
    return [button["label"] for row in message["components"] for button in row["components"]]
