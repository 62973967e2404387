"""Issue 18, point 6: the Discord attachment end to end, with the real decks (as bootstrap wires
them) and the real database: the attached CSV becomes the server's topic, offered by
autocomplete and asked with `/quiz`, answered with a click; a bad file imports nothing."""

from __future__ import annotations

import pytest

from adapters.discord.component import DiscordComponent
from tests.discord.payloads import ADMIN, ALICE, autocomplete, click, custom_ids, option, slash
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn
from tests.discord.test_decks import answer, import_with, shown

pytestmark = pytest.mark.timeout(60)
CSV = (
    b"question,answer\n"
    b"What runs containers without servers?,AWS Fargate\n"
    b"What stores our images?,Amazon ECR\n"
    b"What runs our Kubernetes clusters?,Amazon EKS\n"
)


async def test_an_attached_deck_is_offered_asked_and_answered(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    options = (option("name", "Team ECS"), option("choices", 3, 4))
    report = await answer(stand_in, import_with(stand_in, ADMIN, "team.csv", CSV, *options))
    assert "Imported the deck 'Team ECS': 3 questions (csv), now in /quiz-topics." in shown(report)

    (completed,) = await stand_in.interact(autocomplete(ALICE, "quiz", option("topic", "team", focused=True)))
    assert "team-ecs" in [choice["value"] for choice in completed.body["data"]["choices"]]

    _, followup = await stand_in.interact(slash(ALICE, "quiz", option("topic", "team-ecs")), followups=1)
    message = next(m for m in stand_in.messages.values() if m["embeds"] == followup.body["embeds"])
    (embed,) = message["embeds"]
    assert embed["title"] == "Team ECS"
    assert embed["description"] in {line.split(",")[0] for line in CSV.decode().splitlines()[1:]}
    buttons = custom_ids(message)
    assert len(buttons) == 3
    _, result = await stand_in.interact(click(ALICE, message, buttons[0]), followups=1)
    assert result.body["flags"] & EPHEMERAL


async def test_a_bad_attachment_imports_nothing(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    bad = CSV + b"A question with no answer,\n"
    report = await answer(stand_in, import_with(stand_in, ADMIN, "team.csv", bad, option("name", "Team ECS")))
    assert "Nothing was imported: 1 problem in 'Team ECS'" in shown(report)
    assert "team.csv:5: answer: is missing" in shown(report)
    _, followup = await stand_in.interact(slash(ALICE, "quiz", option("topic", "team-ecs")), followups=1)
    assert "No topic 'team-ecs'" in followup.body["content"]
