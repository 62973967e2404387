"""Nothing the bot sends can ping anyone, whatever names users give their teams."""

from __future__ import annotations

from adapters.discord.component import DiscordComponent
from tests.discord.payloads import ALICE, BOB, click, custom_ids, option, slash, subcommand
from tests.discord.stand_in import DiscordStandIn
from tests.discord.test_answers import ask, count_edits

TEAM = "@everyone <@123>"
# How Discord is sent it: it shows the name as typed, and neither part is read as a mention.
SHOWN = "@\u200beveryone \\<@123>"


async def test_a_mention_in_a_team_name_is_shown_but_pings_nobody(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    _callback, joined = await stand_in.interact(
        slash(ALICE, "quiz-team", subcommand("join", option("name", TEAM))), followups=1
    )
    assert joined.body["content"] == f"Created and joined the team {SHOWN}."
    message = await ask(stand_in, "ecs")
    await stand_in.interact(click(ALICE, message, custom_ids(message)[0]), followups=1)
    await stand_in.wait_for(lambda: count_edits(stand_in, message))
    _callback, teams = await stand_in.interact(slash(BOB, "quiz-team", subcommand("list")), followups=1)
    assert SHOWN in teams.body["embeds"][0]["description"]
    _callback, board = await stand_in.interact(
        slash(BOB, "quiz-leaderboard", option("scope", "teams")), followups=1
    )
    assert SHOWN in board.body["embeds"][0]["description"]

    sent = [
        r
        for r in stand_in.requests
        if r.method in ("POST", "PATCH") and isinstance(r.body, dict) and "/commands" not in r.path
    ]
    messages = [r.body.get("data", r.body) for r in sent]
    with_text = [m for m in messages if "content" in m or "embeds" in m]
    # joined, question, answer feedback, answer count, team list, leaderboard
    assert len(with_text) == 6
    assert all(m["allowed_mentions"] == {"parse": []} for m in with_text)
