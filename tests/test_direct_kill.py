"""An acknowledgement is a promise for what members write to Studybot in a direct message
(issue 13, point 1), on a real `studybot serve`: SIGKILL once a burst of direct messages was
acknowledged, with Slack taking no answer so that none was finished, then a restart on the same
database. Every acknowledged message is answered once."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import aiohttp

from tests.served import Served, served, signed
from tests.slack.slack_stand_in import StandInSlack

DEADLINE = 60.0
MESSAGES = 30


def direct_message(n: int) -> str:
    event = {"type": "message", "channel_type": "im", "channel": f"D{n}", "user": f"U{n}", "text": "topics"}
    event["ts"] = f"1700000000.{n:06d}"
    body = {"team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": f"Ev{n:04d}"}
    return json.dumps({**body, "event_time": 1700000000, "event": event})


async def acknowledged(bot: Served, http: aiohttp.ClientSession, body: str) -> bool:
    headers = {**signed(body), "Content-Type": "application/json"}
    async with http.post(bot.base + "/slack/events", data=body, headers=headers) as response:
        return response.status == 200


async def test_every_direct_message_acknowledged_before_a_sigkill_is_answered_once_after_the_restart(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    before_the_kill = True
    slack_api.hold_api(lambda method, _body: before_the_kill and method == "chat.postMessage")
    settings = {"STUDYBOT_REQUEST_LEASE_SECONDS": "1", "STUDYBOT_OUTBOX_CHECK_SECONDS": "0.2"}
    async with asyncio.timeout(DEADLINE), aiohttp.ClientSession() as http:
        async with served(tmp_path, slack_api.api_url, **settings) as bot:
            acks = await asyncio.gather(
                *(acknowledged(bot, http, direct_message(n)) for n in range(MESSAGES))
            )
            assert all(acks)
            bot.process.send_signal(signal.SIGKILL)
            await bot.exited()
        before_the_kill = False
        assert not slack_api.ok("chat.postMessage")

        async with served(tmp_path, slack_api.api_url, **settings) as bot:
            wanted = {f"D{n}" for n in range(MESSAGES)}

            def answered() -> set[str]:
                return wanted & {call.body.get("channel", "") for call in slack_api.ok("chat.postMessage")}

            await slack_api.wait_for(lambda: answered() == wanted, DEADLINE / 2)
            # A graceful stop writes the marks of what was answered.
            assert await bot.stop() == 0
        answers = [call for call in slack_api.ok("chat.postMessage") if call.body.get("channel") in wanted]
        assert len(answers) == MESSAGES, "each acknowledged message answered once"
