"""Socket Mode: with SLACK_APP_TOKEN, the app connects out over a WebSocket instead."""

from __future__ import annotations

from pathlib import Path

from slack_harness import buttons, running_bot
from slack_stand_in import StandInSlack

SOCKET_MODE = {"slack_app_token": "xapp-1-test", "slack_signing_secret": None}


async def test_a_command_over_socket_mode_is_acked_and_posts_the_question(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> None:
    async with running_bot(slack_api, tmp_path, **SOCKET_MODE) as bot:
        [opened] = await slack_api.wait_ok("apps.connections.open")
        assert opened.token == "xapp-1-test"
        envelope = {
            "envelope_id": "envelope-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": bot.slash_fields("ecs"),
        }

        await slack_api.send_envelope(envelope)

        [ack] = await slack_api.wait_ok("socket")
        assert ack.body["envelope_id"] == "envelope-1"
        [posted] = await slack_api.wait_ok("chat.postMessage")
        assert posted.token == "xoxb-test-token"
        assert len(buttons(posted.body)) == 4
        async with bot.http.post(bot.url + "slack/events", data="") as response:
            assert response.status == 404
