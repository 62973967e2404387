"""Deferred Discord commands journaled before their defer (issue 13, point 1): the row is written
before the interaction is deferred, marked done when the work ends, and marked abandoned when a
graceful stop cut the work short and told its person. (The kill test, `test_command_kill.py`,
shows a dead process's commands carried out by the next one.)"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import Connection, text

from adapters.discord.command_journal import KIND
from adapters.discord.exchange import UNFINISHED
from bot.app.outbox import Due, Outcome, Scheduled
from bot.bootstrap import Core
from tests.discord.conftest import StallableDatabase, deferred_once_released, running, stand_in_settings
from tests.discord.payloads import ADMIN, ALICE, group, option, slash, subcommand
from tests.discord.stand_in import APP_ID, CHANNEL_ID, EPHEMERAL, GUILD_ID, DiscordStandIn

LONG_BUDGET = 2.8


def journal_rows(connection: Connection) -> list[tuple[str, str]]:
    rows = connection.execute(text("SELECT key, state FROM outbox WHERE kind = 'discord_command'"))
    return [(str(row[0]), str(row[1])) for row in rows]


async def test_a_command_is_journaled_before_it_is_deferred_and_marked_done_after(
    stand_in: DiscordStandIn, quiz_core: Core, quiz_database: StallableDatabase
) -> None:
    settings = stand_in_settings(stand_in, studybot_ack_budget_seconds=LONG_BUDGET)
    async with running(stand_in, settings, quiz_core) as component:
        command = slash(ALICE, "quiz", option("topic", "ecs"))
        callback, released = await deferred_once_released(stand_in, quiz_database, command, LONG_BUDGET)
        await stand_in.wait_for(lambda: stand_in.followups(command))
        assert released < callback.at
        await component.bot.commands.marks.drain(LONG_BUDGET)
    assert await quiz_database.read(journal_rows) == [(command["id"], "sent")]


LEARNING_COMMANDS = {
    "private quiz": lambda: slash(ALICE, "quiz", option("topic", "ecs"), option("private", True, kind=5)),
    "review": lambda: slash(ALICE, "quiz-review"),
    "remind at": lambda: slash(ALICE, "quiz-remind", subcommand("at", option("time", "08:30"))),
    "remind off": lambda: slash(ALICE, "quiz-remind", subcommand("off")),
    "remind status": lambda: slash(ALICE, "quiz-remind", subcommand("status")),
    "pause": lambda: slash(ALICE, "quiz-pause", option("days", 3, kind=4)),
    "exam date": lambda: slash(ALICE, "quiz-exam-date", option("date", "off")),
    "daily status": lambda: slash(ALICE, "quiz-daily"),
    "daily on": lambda: admin("daily", subcommand("on", option("time", "09:00"))),
    "daily off": lambda: admin("daily", subcommand("off")),
    "exam start": lambda: slash(ALICE, "quiz-exam", subcommand("start", option("questions", 5, kind=4))),
    "exam history": lambda: slash(ALICE, "quiz-exam", subcommand("history")),
    "exam stop": lambda: slash(ALICE, "quiz-exam", subcommand("stop")),
    "digest": lambda: admin("digest", subcommand("on", option("weekday", "fri"))),
}
"""By the command name their journal rows carry."""


def admin(name: str, action: dict[str, Any]) -> dict[str, Any]:
    return slash(ADMIN, "quiz-admin", group(name, action))


@pytest.mark.parametrize("name", LEARNING_COMMANDS)
async def test_private_reminder_and_schedule_commands_are_journaled_before_their_defer(
    name: str, stand_in: DiscordStandIn, quiz_core: Core, quiz_database: StallableDatabase
) -> None:
    """Only the person sees these: an ephemeral defer, after the row, and a followup."""
    settings = stand_in_settings(stand_in, studybot_ack_budget_seconds=LONG_BUDGET)
    async with running(stand_in, settings, quiz_core) as component:
        command: dict[str, Any] = LEARNING_COMMANDS[name]()
        callback, released = await deferred_once_released(stand_in, quiz_database, command, LONG_BUDGET)
        (reply, *_) = await stand_in.wait_for(lambda: stand_in.followups(command))
        assert released < callback.at and reply.body["flags"] & EPHEMERAL
        await component.bot.commands.marks.drain(LONG_BUDGET)
    rows = await quiz_database.read(journal_rows)
    assert rows == [(command["id"], "sent")]
    assert await quiz_database.read(lambda c: journal_payload(c)["command"]) == name


def journal_payload(connection: Connection) -> dict[str, Any]:
    row = connection.execute(text("SELECT payload FROM outbox WHERE kind = 'discord_command'")).one()
    payload = row[0]
    return payload if isinstance(payload, dict) else dict(json.loads(payload))


async def test_a_command_cut_short_by_a_graceful_stop_is_told_and_marked_abandoned(
    stand_in: DiscordStandIn, quiz_core: Core, quiz_database: StallableDatabase
) -> None:
    # Discord takes no question: the work is under way when the stop comes.
    stand_in.hold(lambda method, path, body: "/webhooks/" in path and bool(body.get("embeds")))
    async with running(stand_in, stand_in_settings(stand_in), quiz_core) as component:
        command = slash(ALICE, "quiz", option("topic", "ecs"))
        await stand_in.dispatch("INTERACTION_CREATE", command)
        await stand_in.wait_for(lambda: stand_in.held)
        await component.stop(asyncio.get_running_loop().time() + 1.0)

    (told,) = stand_in.followups(command)
    assert told.body["content"] == UNFINISHED and told.body["flags"] & EPHEMERAL
    assert await quiz_database.read(journal_rows) == [(command["id"], "dropped")]


def recovered_row(command: str, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "application_id": str(APP_ID),
        "token": "token-recovered",
        "workspace": str(GUILD_ID),
        "workspace_name": "Study",
        "channel": str(CHANNEL_ID),
        "user": str(ALICE.id),
        "user_name": "Alice",
        "is_admin": False,
        "command": command,
        "options": options,
    }


async def test_a_recovered_command_refused_tells_its_person_alone(
    stand_in: DiscordStandIn, quiz_core: Core
) -> None:
    """Carried out after a crash, `/quiz nosuchtopic` removes the public "thinking" placeholder
    and tells the person privately, as it would have live."""
    row = recovered_row("quiz", {"topic": "nosuchtopic"})
    async with running(stand_in, stand_in_settings(stand_in), quiz_core):
        handler = quiz_core.outbox.handlers[KIND]
        due = Due(1, Scheduled(KIND, "1", "discord", quiz_core.outbox.clock.now(), row), attempts=0)
        assert await handler.deliver(due) is Outcome.SENT

    assert stand_in.find("DELETE", rf"/webhooks/{APP_ID}/token-recovered/messages/@original", 204)
    (told,) = stand_in.find("POST", rf"/webhooks/{APP_ID}/token-recovered")
    assert told.body["content"].startswith("No topic 'nosuchtopic'") and told.body["flags"] & EPHEMERAL


@pytest.mark.parametrize(
    ("command", "options", "said"),
    [
        ("review", {"topic": "nosuchtopic"}, "No topic 'nosuchtopic'"),
        ("pause", {"action": "pause", "days": 3}, "Reminders are off"),
        ("exam history", {"action": "history"}, "Your exams"),
    ],
)
async def test_a_recovered_private_command_replies_to_its_person_alone(
    command: str, options: dict[str, Any], said: str, stand_in: DiscordStandIn, quiz_core: Core
) -> None:
    """Carried out after a crash from its row's options, a command deferred privately answers
    in a private followup (its "thinking" placeholder was private already: nothing to remove)."""
    async with running(stand_in, stand_in_settings(stand_in), quiz_core):
        handler = quiz_core.outbox.handlers[KIND]
        row = recovered_row(command, options)
        due = Due(1, Scheduled(KIND, "1", "discord", quiz_core.outbox.clock.now(), row), attempts=0)
        assert await handler.deliver(due) is Outcome.SENT

    assert not stand_in.find("DELETE", rf"/webhooks/{APP_ID}/token-recovered/messages/@original", 204)
    (told,) = stand_in.find("POST", rf"/webhooks/{APP_ID}/token-recovered")
    assert told.body["flags"] & EPHEMERAL and said in str(told.body)
