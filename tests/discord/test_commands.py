"""Slash commands: what is synced, autocomplete, and the replies to each command."""

from __future__ import annotations

import pytest

from adapters.discord.component import DiscordComponent
from bot.bootstrap import Core
from bot.models import Actor, UserStats
from tests.discord.conftest import running, stand_in_settings
from tests.discord.payloads import ADMIN, ALICE, autocomplete, option, slash, subcommand
from tests.discord.stand_in import APP_ID, EPHEMERAL, GUILD_ID, DiscordStandIn


def command(stand_in: DiscordStandIn, name: str) -> dict:
    return next(c for c in stand_in.commands if c["name"] == name)


async def test_quiz_is_synced_globally_with_an_autocompleting_topic(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    assert stand_in.find("PUT", rf"/applications/{APP_ID}/commands")
    quiz = command(stand_in, "quiz")
    topic, private = quiz["options"]
    assert (private["name"], private["type"], private["required"]) == ("private", 5, False)
    assert topic["name"] == "topic"
    assert topic["type"] == 3
    assert topic["autocomplete"] is True
    assert topic["required"] is False
    assert quiz["contexts"] == [0]
    names = {c["name"] for c in stand_in.commands}
    assert names == {
        "quiz",
        "quiz-topics",
        "quiz-help",
        "quiz-leaderboard",
        "quiz-stats",
        "quiz-dashboard",
        "quiz-team",
        "quiz-admin",
        "quiz-daily",
        "quiz-review",
        "quiz-exam-date",
        "quiz-remind",
        "quiz-pause",
        "quiz-exam",
    }
    assert int(command(stand_in, "quiz-admin")["default_member_permissions"]) == 32


async def test_autocomplete_for_ec_offers_the_ec_topics(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    interaction = autocomplete(ALICE, "quiz", option("topic", "ec", focused=True))
    (callback,) = await stand_in.interact(interaction)
    assert callback.body["type"] == 8
    values = [choice["value"] for choice in callback.body["data"]["choices"]]
    assert {"ecs", "ecr", "eks"} <= set(values)
    assert "lambda" not in values


async def test_guild_id_syncs_the_commands_to_that_guild_only(
    stand_in: DiscordStandIn, quiz_core: Core
) -> None:
    async with running(stand_in, stand_in_settings(stand_in, discord_guild_id=GUILD_ID), quiz_core):
        assert stand_in.find("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        assert not stand_in.find("PUT", rf"/applications/{APP_ID}/commands")
        assert "quiz" in {c["name"] for c in stand_in.commands}


async def test_an_unknown_topic_gets_suggestions_only_for_the_user(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    interaction = slash(ALICE, "quiz", option("topic", "ecz"))
    callback, followup = await stand_in.interact(interaction, followups=1)
    assert callback.body["type"] == 5
    assert stand_in.find("DELETE", rf"/webhooks/{APP_ID}/{interaction['token']}/messages/@original", 204)
    assert "No topic 'ecz'. Did you mean ecs" in followup.body["content"]
    assert followup.body["flags"] & EPHEMERAL
    assert followup.body["allowed_mentions"] == {"parse": []}


async def test_a_topic_without_questions_says_so(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    interaction = slash(ALICE, "quiz", option("topic", "lambda"))
    _callback, followup = await stand_in.interact(interaction, followups=1)
    assert followup.body["content"] == "There are no questions on lambda yet."


async def test_help_and_topics_answer_at_once_for_the_user_only(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    (help_,) = await stand_in.interact(slash(ALICE, "quiz-help"))
    (topics,) = await stand_in.interact(slash(ALICE, "quiz-topics"))
    for callback in (help_, topics):
        assert callback.body["type"] == 4
        assert callback.body["data"]["flags"] & EPHEMERAL
    assert "/quiz-leaderboard" in help_.body["data"]["embeds"][0]["description"]
    assert "`ecs` Amazon ECS · 1 question" in topics.body["data"]["embeds"][0]["description"]


async def test_stats_show_the_users_numbers(stand_in: DiscordStandIn, discord_bot: DiscordComponent) -> None:
    _callback, followup = await stand_in.interact(slash(ALICE, "quiz-stats"), followups=1)
    (embed,) = followup.body["embeds"]
    assert embed["title"] == "Stats for Alice"
    assert followup.body["flags"] & EPHEMERAL


async def test_admin_commands_are_refused_to_members_without_manage_server(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    (refused,) = await stand_in.interact(slash(ALICE, "quiz-admin", subcommand("status")))
    assert refused.body["data"]["content"] == "Only members with the Manage Server permission can do that."
    assert refused.body["data"]["flags"] & EPHEMERAL
    (allowed,) = await stand_in.interact(slash(ADMIN, "quiz-admin", subcommand("status")))
    assert allowed.body["data"]["content"].startswith("3 questions in 6 topics")


async def test_the_core_sees_who_asked_where_and_whether_they_manage_the_server(
    stand_in: DiscordStandIn,
    discord_bot: DiscordComponent,
    quiz_core: Core,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Actor] = []
    stats = quiz_core.standings.stats

    async def recording(actor: Actor) -> UserStats:
        seen.append(actor)
        return await stats(actor)

    monkeypatch.setattr(quiz_core.standings, "stats", recording)
    await stand_in.interact(slash(ALICE, "quiz-stats"), followups=1)
    await stand_in.interact(slash(ADMIN, "quiz-stats"), followups=1)
    alice, admin = seen
    assert alice == Actor(
        "discord", str(GUILD_ID), str(ALICE.id), "Alice", "Cloud study group", is_admin=False
    )
    assert (admin.display_name, admin.is_admin) == ("Ada", True)
