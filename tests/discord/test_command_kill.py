"""An acknowledgement is a promise for Discord's slash commands (issue 13, point 1), on a real
`studybot serve`: SIGKILL once a burst of journaled commands (`/quiz`, `/quiz-team join`,
`/quiz-review`, `/quiz-pause`, `/quiz-exam history`, `/quiz-admin deck list|import`) was
deferred, with Discord holding every followup so that none was finished, then a restart on the
same database. Every deferred command is carried out once, its reply sent as the interaction's
followup: a question for the channel, everything else for the person alone (a deck import
downloads its attachment again)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text

from tests.conftest import empty_database_url, read_once
from tests.discord.payloads import ALL_PERMISSIONS, Person, group, option, slash, subcommand
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn
from tests.discord.test_decks import CSV, import_with
from tests.served import served

DEADLINE = 60.0
QUESTIONS = 20
JOINS = 10
# Of each command whose reply only its person sees, by what the reply says.
EACH = 5
PRIVATE = {
    "review": "Only you see this",
    "pause": "Reminders are off",
    "exam history": "Your exams",
    "deck list": "no decks",
    "deck import": "Imported the deck",
}
COMMANDS = QUESTIONS + JOINS + EACH * len(PRIVATE)
# An id well away from the stand-in's people and the click test's.
FIRST_PERSON = 720000000000000000


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return await empty_database_url(request, tmp_path, "served.db")


def journal_states(connection: Connection) -> list[str]:
    rows = connection.execute(text("SELECT state FROM outbox WHERE kind = 'discord_command'"))
    return [str(row[0]) for row in rows]


async def test_every_command_deferred_before_a_sigkill_is_carried_out_once_after_the_restart(
    tmp_path: Path, database_url: str
) -> None:
    stand_in = DiscordStandIn()
    await stand_in.start()
    settings: dict[str, str | None] = {
        "STUDYBOT_DATABASE_URL": database_url,
        "STUDYBOT_REQUEST_LEASE_SECONDS": "1",
        "STUDYBOT_OUTBOX_CHECK_SECONDS": "0.2",
        "DISCORD_TOKEN": stand_in.token,
        "DISCORD_API_URL": stand_in.api_url,
        "DISCORD_GATEWAY_URL": stand_in.gateway_url,
        "SLACK_BOT_TOKEN": None,
        "SLACK_SIGNING_SECRET": None,
    }
    # Discord answers no followup before the kill: every deferred command is still to be
    # finished. (The held requests of the killed process are never answered.)
    before_the_kill = True
    stand_in.hold(lambda method, path, _body: before_the_kill and method == "POST" and "/webhooks/" in path)
    people = [Person(FIRST_PERSON + n, f"q{n}") for n in range(QUESTIONS + JOINS)]
    questions = [slash(person, "quiz", option("topic", "ecs")) for person in people[:QUESTIONS]]
    joins = [
        slash(person, "quiz-team", subcommand("join", option("name", f"Crew {n}")))
        for n, person in enumerate(people[QUESTIONS:])
    ]
    private = {
        name: [private_command(stand_in, name, FIRST_PERSON + 1000 * n + k) for k in range(EACH)]
        for n, name in enumerate(PRIVATE, 1)
    }
    commands = questions + joins + [c for each in private.values() for c in each]
    try:
        async with asyncio.timeout(DEADLINE):
            async with served(tmp_path, "", **settings) as bot:
                await stand_in.wait_for(lambda: stand_in.identifies, DEADLINE)
                for interaction in commands:
                    await stand_in.dispatch("INTERACTION_CREATE", interaction)
                await stand_in.wait_for(lambda: all(stand_in.callbacks(c) for c in commands), DEADLINE)
                bot.process.send_signal(signal.SIGKILL)
                await bot.exited()
            before_the_kill = False
            assert bot.process.returncode == -signal.SIGKILL
            assert not any(stand_in.followups(c) for c in commands)

            async with served(tmp_path, "", **settings) as bot:

                def finished() -> bool:
                    return all(stand_in.followups(c) for c in commands)

                await stand_in.wait_for(finished, DEADLINE / 2)
                # A graceful stop writes the marks of what was delivered.
                assert await bot.stop() == 0
            followups: list[Any] = [f for c in commands for f in stand_in.followups(c)]
            asked = [f.body for c in questions for f in stand_in.followups(c)]
            joined = [f.body for c in joins for f in stand_in.followups(c)]
            told = {
                name: [f.body for c in each for f in stand_in.followups(c)] for name, each in private.items()
            }
    finally:
        await stand_in.stop()

    states = await read_once(database_url, journal_states)
    # Every row marked done: no process will carry a command out again.
    assert states == ["sent"] * COMMANDS
    assert len(followups) == COMMANDS, "each deferred command carried out once"
    assert all(body["embeds"] and not body.get("flags", 0) for body in asked), "a public question each"
    assert len(joined) == JOINS
    for n, body in enumerate(joined):
        assert f"Crew {n}" in body["content"] and body["flags"] & EPHEMERAL, "a team joined, told privately"
    for name, said in PRIVATE.items():
        assert len(told[name]) == EACH and all(body["flags"] & EPHEMERAL for body in told[name]), name
        assert all(said in str(body) for body in told[name]), name


def private_command(stand_in: DiscordStandIn, name: str, person: int) -> dict[str, Any]:
    """One of the commands whose reply only its person sees (a server manager's, for decks)."""
    manager = Person(person, "m", ALL_PERMISSIONS)
    match name:
        case "review":
            return slash(Person(person, "r"), "quiz-review")
        case "pause":
            return slash(Person(person, "p"), "quiz-pause", option("days", 3, kind=4))
        case "exam history":
            return slash(Person(person, "h"), "quiz-exam", subcommand("history"))
        case "deck list":
            return slash(manager, "quiz-admin", group("deck", subcommand("list")))
        case _:
            return import_with(stand_in, manager, "team.csv", CSV, option("name", f"Deck {person}"))
