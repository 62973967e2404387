"""Private practice and reviews on Discord: every reply ephemeral, the buttons answer, nothing
public (checked on what the stand-in Discord API received)."""

from __future__ import annotations

from typing import Any

from adapters.discord.component import DiscordComponent
from tests.discord.conftest import ECS_CHOICES, RIGHT
from tests.discord.payloads import BOB, choice_id, click, option, slash
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn


def public_writes(stand_in: DiscordStandIn) -> list[Any]:
    """Channel posts and edits, and followups or callbacks that were not ephemeral."""
    found = [r for r in stand_in.requests if r.method in ("POST", "PATCH") and "/channels/" in r.path]
    for request in stand_in.requests:
        body = request.body if isinstance(request.body, dict) else {}
        flags = body.get("flags", body.get("data", {}).get("flags", 0)) if body else 0
        if ("/webhooks/" in request.path or "/callback" in request.path) and not flags & EPHEMERAL:
            found.append(request)
    return found


async def test_private_practice_and_reviews_are_ephemeral_and_answerable(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    asked = slash(BOB, "quiz", option("topic", "ecs"), option("private", True, kind=5))
    callback, followup = await stand_in.interact(asked, followups=1)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.body["flags"] & EPHEMERAL
    assert followup.body["embeds"][0]["title"].startswith("Private practice")
    message = stand_in.messages[max(stand_in.messages)]

    _callback, verdict = await stand_in.interact(
        click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT])), followups=1
    )
    assert verdict.body["flags"] & EPHEMERAL
    assert verdict.body["embeds"][0]["title"].startswith("Correct!")

    _callback, review = await stand_in.interact(slash(BOB, "quiz-review"), followups=1)
    assert review.body["flags"] & EPHEMERAL
    assert review.body["embeds"][0]["title"].startswith("Review")

    _callback, stats = await stand_in.interact(slash(BOB, "quiz-stats"), followups=1)
    fields = {f["name"]: f["value"] for f in stats.body["embeds"][0]["fields"]}
    assert "Readiness" in fields and "Study next" in fields["Readiness"]
    assert public_writes(stand_in) == []
