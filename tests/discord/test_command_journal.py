"""Deferred Discord commands journaled before their defer (issue 13, point 1): the row is written
before the interaction is deferred, marked done when the work ends, and marked abandoned when a
graceful stop cut the work short and told its person. (The kill test, `test_command_kill.py`,
shows a dead process's commands carried out by the next one.)"""

from __future__ import annotations

import asyncio

from sqlalchemy import Connection, text

from adapters.discord.exchange import UNFINISHED
from bot.bootstrap import Core
from tests.discord.conftest import StallableDatabase, running, stand_in_settings
from tests.discord.payloads import ALICE, option, slash
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn

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
        quiz_database.open.clear()
        await stand_in.dispatch("INTERACTION_CREATE", command)
        await asyncio.wait_for(quiz_database.stalled.wait(), LONG_BUDGET)
        assert stand_in.callbacks(command) == []

        released = stand_in.now()
        quiz_database.open.set()
        (callback,) = await stand_in.wait_for(lambda: stand_in.callbacks(command), LONG_BUDGET)
        await stand_in.wait_for(lambda: stand_in.followups(command))
        assert released < callback.at
        await component.bot.commands.marks.drain(LONG_BUDGET)
    assert await quiz_database.read(journal_rows) == [(command["id"], "sent")]


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
