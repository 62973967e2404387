"""Teams: a near-miss name is offered the existing team, empty teams go, admins rename and delete."""

from __future__ import annotations

from bot.commands import Notice, TeamList, run
from bot.models import Actor, Period, Place, Scope, TeamChange
from bot.service import QuizService

ALICE = Actor("slack", "T1", "U1", "alice")
BOB = Actor("slack", "T1", "U2", "bob")
ADMIN = Actor("slack", "T1", "U9", "admin", is_admin=True)


async def say(service: QuizService, actor: Actor, text: str) -> object:
    return await run(service, actor, "C1", text)


async def team_names(service: QuizService) -> list[tuple[str, int]]:
    listed = await say(service, ALICE, "team list")
    assert isinstance(listed, TeamList)
    return [(t.name, t.members) for t in listed.teams]


async def test_a_name_close_to_a_team_is_offered_that_team_instead_of_a_second_one(
    service: QuizService,
) -> None:
    await say(service, ALICE, "team join Cloud Ninjas")
    offer = await say(service, BOB, "team join cloud ninja")
    assert isinstance(offer, Notice)
    assert offer.text == (
        "There is no team 'cloud ninja', but there is 'Cloud Ninjas': join it by its name, "
        "or start a new team called 'cloud ninja' with /quiz team create NAME."
    )
    assert await team_names(service) == [("Cloud Ninjas", 1)]
    assert await say(service, BOB, "team join CLOUD NINJAS") == TeamChange("Cloud Ninjas", None)
    created = await say(service, BOB, "team create Cloud Ninja")
    assert created == TeamChange("Cloud Ninja", "Cloud Ninjas", created=True)
    assert await say(service, ALICE, "team join Night Owls") == TeamChange(
        "Night Owls", "Cloud Ninjas", created=True
    )


async def test_a_team_left_empty_is_removed(service: QuizService) -> None:
    await say(service, ALICE, "team join Solo")
    await say(service, BOB, "team join Pair")
    await say(service, ALICE, "team join Pair")
    assert await team_names(service) == [("Pair", 2)]
    await say(service, ALICE, "team leave")
    await say(service, BOB, "team leave")
    assert await team_names(service) == []
    board = await service.leaderboard(Place("slack", "T1"), Period.ALL, Scope.TEAMS)
    assert board.rows == ()


async def test_admins_rename_and_delete_teams_and_no_one_else_can(service: QuizService) -> None:
    await say(service, ALICE, "team join Night Owls")
    await say(service, BOB, "team join Larks")
    refused = await say(service, ALICE, "team rename Night Owls to Owls")
    assert isinstance(refused, Notice) and refused.text == "Only workspace admins can rename a team."
    refused = await say(service, BOB, "team delete Night Owls")
    assert isinstance(refused, Notice) and refused.text == "Only workspace admins can delete a team."

    renamed = await say(service, ADMIN, "team rename night owls to Owls of Minerva")
    assert (
        isinstance(renamed, Notice) and renamed.text == "The team Night Owls is now called Owls of Minerva."
    )
    assert (await service.stats(ALICE)).team == "Owls of Minerva"
    taken = await say(service, ADMIN, "team rename Larks to OWLS OF MINERVA")
    assert isinstance(taken, Notice) and taken.text == "There is a team called 'Owls of Minerva' already."
    missing = await say(service, ADMIN, "team delete Sparrows")
    assert isinstance(missing, Notice)
    assert missing.text == "There is no team 'Sparrows'. See the teams with /quiz team list."

    deleted = await say(service, ADMIN, "team delete Owls of Minerva")
    assert isinstance(deleted, Notice)
    assert deleted.text == "The team Owls of Minerva was deleted; its 1 member is in no team now."
    assert (await service.stats(ALICE)).team is None
    assert await team_names(service) == [("Larks", 1)]
