"""`/quiz-dashboard` on Discord: an ephemeral link bound to the server and the person, an admin
link for members with Manage Server (issue 19, point 2)."""

from __future__ import annotations

from adapters.discord.component import DiscordComponent
from bot.bootstrap import Core
from bot.dashboard_links import DashboardLinks, LinkGrant
from tests.conftest import FrozenClock
from tests.discord.payloads import ADMIN, ALICE, slash
from tests.discord.stand_in import EPHEMERAL, GUILD_ID, DiscordStandIn
from tests.test_dashboard_command import SECRET, grant_of


async def test_discord_replies_privately_with_a_link_bound_to_the_server_and_person(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, quiz_core: Core, clock: FrozenClock
) -> None:
    links = DashboardLinks(SECRET, "https://study.example.com")
    quiz_core.commands.dashboard_links = links
    for who, admin in ((ALICE, False), (ADMIN, True)):
        _callback, followup = await stand_in.interact(slash(who, "quiz-dashboard"), followups=1)
        assert followup.body["flags"] & EPHEMERAL
        url = followup.body["content"].split("<", 1)[1].split(">", 1)[0]
        assert grant_of(url, links, clock) == LinkGrant(f"discord:{GUILD_ID}", str(who.id), admin)
