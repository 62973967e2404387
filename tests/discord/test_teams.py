"""Teams on Discord: the close match offered in Discord's own spelling, managers rename and delete."""

from __future__ import annotations

from typing import Any

from adapters.discord.component import DiscordComponent
from tests.discord.payloads import ADMIN, ALICE, BOB, group, option, slash, subcommand
from tests.discord.stand_in import DiscordStandIn


async def reply(stand_in: DiscordStandIn, interaction: dict[str, Any]) -> str:
    _callback, followup = await stand_in.interact(interaction, followups=1)
    return str(followup.body["content"])


def team(person: Any, action: str, name: str) -> dict[str, Any]:
    return slash(person, "quiz-team", subcommand(action, option("name", name)))


def manage(person: Any, action: str, *options: dict[str, Any]) -> dict[str, Any]:
    return slash(person, "quiz-admin", group("team", subcommand(action, *options)))


async def test_a_near_miss_is_offered_the_team_and_the_create_command(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    assert (
        await reply(stand_in, team(ALICE, "join", "Cloud Ninjas"))
        == "Created and joined the team Cloud Ninjas."
    )
    assert await reply(stand_in, team(BOB, "join", "Cloud Ninja")) == (
        "There is no team 'Cloud Ninja', but there is 'Cloud Ninjas': join it by its name, "
        "or start a new team called 'Cloud Ninja' with /quiz-team create."
    )
    assert (
        await reply(stand_in, team(BOB, "create", "Cloud Ninja"))
        == "Created and joined the team Cloud Ninja."
    )


async def test_server_managers_rename_and_delete_teams(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    await reply(stand_in, team(ALICE, "join", "Night Owls"))
    renamed = await reply(
        stand_in, manage(ADMIN, "rename", option("name", "night owls"), option("new_name", "Owls"))
    )
    assert renamed == "The team Night Owls is now called Owls."
    (refused,) = await stand_in.interact(manage(BOB, "delete", option("name", "Owls")))
    assert refused.body["data"]["content"] == "Only members with the Manage Server permission can do that."
    deleted = await reply(stand_in, manage(ADMIN, "delete", option("name", "Owls")))
    assert deleted == "The team Owls was deleted; its 1 member is in no team now."
