"""Teams: a near-miss name is offered the existing team, empty teams go, admins rename and delete."""

from __future__ import annotations

from bot.app.commands import Notice, TeamList, TeamManaged
from bot.bootstrap import Services
from bot.grammar import parse
from bot.models import Actor, Period, Place, Scope, TeamChange, UserStats

ALICE = Actor("slack", "T1", "U1", "alice")
BOB = Actor("slack", "T1", "U2", "bob")
ADMIN = Actor("slack", "T1", "U9", "admin", is_admin=True)


async def say(core: Services, actor: Actor, text: str) -> object:
    return await core.commands.execute(actor, "C1", parse(text))


async def team_of(core: Services, actor: Actor) -> str | None:
    stats = await say(core, actor, "stats")
    assert isinstance(stats, UserStats)
    return stats.team


async def team_names(core: Services) -> list[tuple[str, int]]:
    listed = await say(core, ALICE, "team list")
    assert isinstance(listed, TeamList)
    return [(t.name, t.members) for t in listed.teams]


async def test_a_name_close_to_a_team_is_offered_that_team_instead_of_a_second_one(
    core: Services,
) -> None:
    await say(core, ALICE, "team join Cloud Ninjas")
    offer = await say(core, BOB, "team join cloud ninja")
    assert isinstance(offer, Notice)
    assert offer.text == (
        "There is no team 'cloud ninja', but there is 'Cloud Ninjas': join it by its name, "
        "or start a new team called 'cloud ninja' with /quiz team create NAME."
    )
    assert await team_names(core) == [("Cloud Ninjas", 1)]
    assert await say(core, BOB, "team join CLOUD NINJAS") == TeamChange("Cloud Ninjas", None)
    created = await say(core, BOB, "team create Cloud Ninja")
    assert created == TeamChange("Cloud Ninja", "Cloud Ninjas", created=True)
    assert await say(core, ALICE, "team join Night Owls") == TeamChange(
        "Night Owls", "Cloud Ninjas", created=True
    )


async def test_a_team_left_empty_is_removed(core: Services) -> None:
    await say(core, ALICE, "team join Solo")
    await say(core, BOB, "team join Pair")
    await say(core, ALICE, "team join Pair")
    assert await team_names(core) == [("Pair", 2)]
    await say(core, ALICE, "team leave")
    await say(core, BOB, "team leave")
    assert await team_names(core) == []
    board = await core.standings.leaderboard(Place("slack", "T1"), Period.ALL, Scope.TEAMS)
    assert board.rows == ()


async def test_admins_rename_and_delete_teams_and_no_one_else_can(core: Services) -> None:
    await say(core, ALICE, "team join Night Owls")
    await say(core, BOB, "team join Larks")
    refused = await say(core, ALICE, "team rename Night Owls to Owls")
    assert isinstance(refused, Notice) and refused.text == "Only workspace admins can rename a team."
    refused = await say(core, BOB, "team delete Night Owls")
    assert isinstance(refused, Notice) and refused.text == "Only workspace admins can delete a team."

    renamed = await say(core, ADMIN, "team rename night owls to Owls of Minerva")
    assert isinstance(renamed, TeamManaged)
    assert renamed.text == "The team Night Owls is now called Owls of Minerva."
    assert await team_of(core, ALICE) == "Owls of Minerva"
    taken = await say(core, ADMIN, "team rename Larks to OWLS OF MINERVA")
    assert isinstance(taken, Notice) and taken.text == "There is a team called 'Owls of Minerva' already."
    missing = await say(core, ADMIN, "team delete Sparrows")
    assert isinstance(missing, Notice)
    assert missing.text == "There is no team 'Sparrows'. See the teams with /quiz team list."

    deleted = await say(core, ADMIN, "team delete Owls of Minerva")
    assert isinstance(deleted, TeamManaged)
    assert deleted.text == "The team Owls of Minerva was deleted; its 1 member is in no team now."
    assert await team_of(core, ALICE) is None
    assert await team_names(core) == [("Larks", 1)]
