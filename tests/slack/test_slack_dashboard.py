"""`/quiz dashboard` on Slack: an ephemeral link that opens the dashboard on the same server as
/slack/events (issue 19, points 1 and 2)."""

from __future__ import annotations

from pathlib import Path

from tests.slack.slack_harness import running_bot, text_of
from tests.slack.slack_stand_in import StandInSlack
from tests.test_dashboard_command import SECRET

PUBLIC = "https://study.example.com"


async def test_slack_replies_privately_and_the_link_opens_on_the_same_server(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> None:
    settings = {"studybot_dashboard": True, "studybot_secret_key": SECRET, "studybot_public_url": PUBLIC}
    async with running_bot(slack_api, tmp_path, **settings) as bot:
        await bot.slash("ecs")  # the workspace exists once someone has used Studybot
        await bot.api.wait_ok("chat.postMessage")
        sent = await bot.slash("dashboard")
        [reply] = await bot.responses(sent)
        assert reply.get("response_type", "ephemeral") == "ephemeral"
        url = text_of(reply).split("<", 1)[1].split("|", 1)[0]
        assert url.startswith(PUBLIC + "/dashboard?t=")
        local = bot.url.rstrip("/") + url.removeprefix(PUBLIC)
        async with bot.http.get(local) as page:
            assert page.status == 200
            assert "Participation" in await page.text()
        async with bot.http.get(local[:-3]) as forged:
            assert forged.status == 403
