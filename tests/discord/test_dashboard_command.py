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


async def test_the_weekly_digest_is_an_embed_with_its_chart_attached(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    from adapters.serve import draw_png
    from bot.app.digest import DigestPoster
    from bot.models import Place
    from tests.discord.stand_in import CHANNEL_ID
    from tests.slack.test_slack_digest import DIGEST

    poster = discord_bot.poster
    assert isinstance(poster, DigestPoster)
    chart = draw_png(DIGEST.chart, 800, 400)
    await poster.post_digest(Place("discord", str(GUILD_ID), str(CHANNEL_ID)), DIGEST, chart)
    (message,) = [m for m in stand_in.messages.values() if m["embeds"]]
    (embed,) = message["embeds"]
    assert embed["title"] == "Weekly digest · Team <T1>"
    assert embed["image"]["url"] == "attachment://digest.png"
    assert "People active: 3 (+50% on the week before)" in embed["description"]
    assert stand_in.files["digest.png"] == chart


async def test_server_managers_turn_the_digest_on_under_quiz_admin(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    from tests.discord.payloads import group, option, subcommand

    on = group(
        "digest",
        subcommand("on", option("weekday", "fri"), option("time", "16:30"), option("timezone", "UTC")),
    )
    _callback, followup = await stand_in.interact(slash(ADMIN, "quiz-admin", on), followups=1)
    assert followup.body["content"].startswith("Weekly digest: Fridays at 16:30 UTC. Next: Fri ")
    assert followup.body["flags"] & EPHEMERAL
    (refused,) = await stand_in.interact(slash(ALICE, "quiz-admin", group("digest", subcommand("status"))))
    assert refused.body["data"]["content"] == "Only members with the Manage Server permission can do that."


async def test_the_subscribing_admin_gets_their_dashboard_link_in_a_direct_message(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent
) -> None:
    from bot.app.digest import AdminLink, DigestPoster
    from bot.models import Place
    from tests.discord.stand_in import CHANNEL_ID

    poster = discord_bot.poster
    assert isinstance(poster, DigestPoster)
    link = AdminLink("https://study.example.com/dashboard?t=signed", 24)
    await poster.send_admin_link(Place("discord", str(GUILD_ID), str(CHANNEL_ID)), str(ADMIN.id), link)
    ((direct, user),) = stand_in.direct_channels.items()
    assert user == str(ADMIN.id)
    (message,) = stand_in.messages.values()
    assert message["channel_id"] == str(direct)
    assert "<https://study.example.com/dashboard?t=signed>" in message["content"]
    assert f"<#{CHANNEL_ID}>" in message["content"] and "you are an admin" in message["content"]
