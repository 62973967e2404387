"""Bounded work, fair between servers, on Discord: the stand-in holds the followups of a flooding
server (a Discord as slow as the test needs), so that server's share of the work slots stays
taken and its queue fills to the bound (STUDYBOT_WORK_QUEUE_LIMIT)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.component import DiscordComponent
from adapters.discord.exchange import UNFINISHED
from adapters.work_queue import BUSY, WORK_SLOTS, three_quarters
from bot.bootstrap import Core
from tests.discord.conftest import ECS_CHOICES, RIGHT, running, stand_in_settings
from tests.discord.payloads import ALICE, BOB, choice_id, click, slash
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn
from tests.discord.test_answers import ask

DEADLINE = 60.0
QUEUE_LIMIT = 8
SHARE = three_quarters(WORK_SLOTS)
FLOOD_GUILD = 900_000_000_000_000_001
# How long another server's click may wait, from its acknowledgement to its reply.
FAIR_SECONDS = 1.0


@pytest.fixture
async def bot(stand_in: DiscordStandIn, quiz_core: Core) -> AsyncIterator[DiscordComponent]:
    settings = stand_in_settings(stand_in, studybot_work_queue_limit=QUEUE_LIMIT)
    async with asyncio.timeout(DEADLINE), running(stand_in, settings, quiz_core) as component:
        yield component


def in_guild(interaction: dict[str, Any], guild_id: int) -> dict[str, Any]:
    """The interaction as if sent from another server."""
    guild = str(guild_id)
    return {
        **interaction,
        "guild_id": guild,
        "guild": {**interaction["guild"], "id": guild},
        "channel": {**interaction["channel"], "guild_id": guild},
        "authorizing_integration_owners": {"0": guild},
    }


def stats(guild_id: int) -> dict[str, Any]:
    return in_guild(slash(ALICE, "quiz-stats"), guild_id)


def followed_up(stand_in: DiscordStandIn, interaction: dict[str, Any]) -> bool:
    return bool(stand_in.followups(interaction))


def hold_followups_of(stand_in: DiscordStandIn, interactions: list[dict[str, Any]]) -> None:
    """Hold the replies to these interactions, but not a notice that they were cut short."""
    tokens = {interaction["token"] for interaction in interactions}

    def held(method: str, path: str, body: Any) -> bool:
        token = path.rsplit("/", 1)[-1]
        return method == "POST" and token in tokens and (body or {}).get("content") != UNFINISHED

    stand_in.hold(held)


async def flood_until_busy(stand_in: DiscordStandIn, guild_id: int, count: int) -> list[dict[str, Any]]:
    """`/quiz-stats` from one server, `count` of them, each acknowledged (deferred); the last
    one more is answered busy, as its only response, ephemeral."""
    flood = [stats(guild_id) for _ in range(count + 1)]
    hold_followups_of(stand_in, flood)
    for interaction in flood:
        await stand_in.dispatch("INTERACTION_CREATE", interaction)
    await stand_in.wait_for(lambda: all(stand_in.callbacks(i) for i in flood), timeout=DEADLINE)
    *accepted, refused = flood
    for interaction in accepted:
        deferred = [c.body for c in stand_in.callbacks(interaction)]
        assert deferred == [{"type": 5, "data": {"flags": EPHEMERAL}}]
    (busy,) = stand_in.callbacks(refused)
    assert busy.body["type"] == 4 and busy.body["data"]["content"] == BUSY
    assert busy.body["data"]["flags"] & EPHEMERAL
    return accepted


async def test_a_flooding_server_is_told_busy_past_its_share_and_another_server_s_click_is_not_held_up(
    stand_in: DiscordStandIn, bot: DiscordComponent
) -> None:
    message = await ask(stand_in, "ecs")
    queue = bot.bot.in_flight.queue
    await flood_until_busy(stand_in, FLOOD_GUILD, SHARE + three_quarters(QUEUE_LIMIT))
    await stand_in.wait_for(lambda: stand_in.held == SHARE, timeout=DEADLINE)
    assert (queue.running, queue.queued) == (SHARE, three_quarters(QUEUE_LIMIT))

    answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
    await stand_in.dispatch("INTERACTION_CREATE", answer)
    (reply,) = await stand_in.wait_for(lambda: stand_in.followups(answer), timeout=10.0)
    (acknowledged,) = stand_in.callbacks(answer)
    assert reply.body["embeds"][0]["title"].startswith("Correct! +")
    assert reply.at - acknowledged.at < FAIR_SECONDS
    assert stand_in.held == SHARE  # the flood still waits on Discord


async def test_past_the_bound_everyone_is_told_busy_and_readiness_drops_until_the_queue_drains(
    stand_in: DiscordStandIn, bot: DiscordComponent
) -> None:
    flood = await flood_until_busy(stand_in, FLOOD_GUILD, SHARE + three_quarters(QUEUE_LIMIT))
    assert bot.readiness()["discord_queue"] is True
    # The rest of the slots and of the queue, from this server: then the queue is full.
    room = WORK_SLOTS - SHARE + QUEUE_LIMIT - three_quarters(QUEUE_LIMIT)
    rest = [stats(FLOOD_GUILD + 1) for _ in range(room)]
    hold_followups_of(stand_in, flood + rest)
    for interaction in rest:
        await stand_in.dispatch("INTERACTION_CREATE", interaction)
    await stand_in.wait_for(lambda: all(stand_in.callbacks(i) for i in rest), timeout=DEADLINE)
    assert bot.readiness()["discord_queue"] is False

    late = slash(BOB, "quiz-stats")
    (busy,) = await stand_in.interact(late)
    assert busy.body["data"]["content"] == BUSY and busy.body["data"]["flags"] & EPHEMERAL

    stand_in.release()
    everyone = flood + rest
    await stand_in.wait_for(lambda: all(followed_up(stand_in, i) for i in everyone), timeout=DEADLINE)
    await stand_in.wait_for(lambda: bot.readiness()["discord_queue"], timeout=DEADLINE)
    assert stand_in.followups(late) == []


async def test_stopping_counts_the_running_and_queued_interactions_exactly_and_tells_each_user(
    stand_in: DiscordStandIn, quiz_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    settings = stand_in_settings(stand_in, studybot_work_queue_limit=QUEUE_LIMIT)
    async with asyncio.timeout(DEADLINE), running(stand_in, settings, quiz_core) as component:
        flood = await flood_until_busy(stand_in, FLOOD_GUILD, SHARE + three_quarters(QUEUE_LIMIT))
        await stand_in.wait_for(lambda: stand_in.held == SHARE, timeout=DEADLINE)
        with caplog.at_level(logging.INFO, logger="adapters.discord"):
            await component.stop(asyncio.get_running_loop().time() + 8.0)

    for interaction in flood:
        (told,) = stand_in.followups(interaction)
        assert told.body["content"] == UNFINISHED and told.body["flags"] & EPHEMERAL
    queued = three_quarters(QUEUE_LIMIT)
    total = SHARE + queued
    assert [r.getMessage() for r in caplog.records] == [
        f"stopping: {total} acknowledged Discord interactions unfinished ({SHARE} running, {queued} queued); "
        f"{total} of their users told, 0 could not be"
    ]
