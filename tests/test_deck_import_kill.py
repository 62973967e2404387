"""An acknowledgement is a promise for Slack's deck import form (issue 13, point 1), on a real
`studybot serve`: SIGKILL once a burst of submitted forms was acknowledged (the forms closed),
with Slack taking no report so that none was finished, then a restart on the same database.
Every acknowledged import is carried out once more from its journal row: the file read again
by its id, the report sent privately to the admin who sent it."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from adapters.slack.deck_blocks import CHOICES_BLOCK, DECK_IMPORT_VIEW, DRY_RUN_BLOCK, FILE_BLOCK, NAME_BLOCK
from tests.served import Served, served, signed
from tests.slack.slack_stand_in import StandInSlack

DEADLINE = 60.0
FORMS = 10
CSV = b"question,answer\nWhat runs containers without servers?,AWS Fargate\nWhat stores images?,Amazon ECR\n"


def submission(api: StandInSlack, n: int) -> str:
    """Admin `UA{n}` sends the import form with a CSV chosen, as Slack posts it."""
    file_id = api.share_file(f"deck{n}.csv", CSV)
    values = {
        FILE_BLOCK: {FILE_BLOCK: {"type": "file_input", "files": [{"id": file_id, "name": f"deck{n}.csv"}]}},
        NAME_BLOCK: {NAME_BLOCK: {"type": "plain_text_input", "value": f"Deck {n}"}},
        CHOICES_BLOCK: {CHOICES_BLOCK: {"type": "static_select", "selected_option": None}},
        DRY_RUN_BLOCK: {DRY_RUN_BLOCK: {"type": "checkboxes", "selected_options": []}},
    }
    metadata = {"response_url": api.response_url(f"form-{n}"), "channel": "C1"}
    payload = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": f"UA{n}", "username": f"admin{n}", "name": f"admin{n}", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": f"trigger-form-{n}",
        "view": {
            "id": f"V{n}",
            "type": "modal",
            "callback_id": DECK_IMPORT_VIEW,
            "private_metadata": json.dumps(metadata),
            "state": {"values": values},
        },
    }
    return urlencode({"payload": json.dumps(payload)})


async def acknowledged(bot: Served, http: aiohttp.ClientSession, body: str) -> bool:
    """Whether the form closed: a 200 with no errors for it."""
    async with http.post(bot.base + "/slack/events", data=body, headers=signed(body)) as response:
        return response.status == 200 and await response.text() == ""


async def test_every_deck_import_acknowledged_before_a_sigkill_is_carried_out_after_the_restart(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    slack_api.admins.update(f"UA{n}" for n in range(FORMS))
    before_the_kill = True
    slack_api.hold_responses(lambda name, _body: before_the_kill and name.startswith("form-"))
    settings = {"STUDYBOT_REQUEST_LEASE_SECONDS": "1", "STUDYBOT_OUTBOX_CHECK_SECONDS": "0.2"}
    async with asyncio.timeout(DEADLINE), aiohttp.ClientSession() as http:
        async with served(tmp_path, slack_api.api_url, **settings) as bot:
            forms = [submission(slack_api, n) for n in range(FORMS)]
            acks = await asyncio.gather(*(acknowledged(bot, http, form) for form in forms))
            assert all(acks)
            bot.process.send_signal(signal.SIGKILL)
            await bot.exited()
        before_the_kill = False
        assert not any(call.method.startswith("respond/form-") for call in slack_api.ok_calls())

        async with served(tmp_path, slack_api.api_url, **settings) as bot:
            wanted = {f"respond/form-{n}" for n in range(FORMS)}

            def reported() -> set[str]:
                return wanted & {call.method for call in slack_api.ok_calls()}

            await slack_api.wait_for(lambda: reported() == wanted, DEADLINE / 2)
            # A graceful stop writes the marks of what was reported.
            assert await bot.stop() == 0
        reports = {call.method: call.body for call in slack_api.ok_calls() if call.method in wanted}
        assert len([call for call in slack_api.ok_calls() if call.method in wanted]) == FORMS, "each once"
    for n in range(FORMS):
        report = reports[f"respond/form-{n}"]
        assert report["response_type"] == "ephemeral"
        assert f"Imported the deck 'Deck {n}': 2 questions (csv)" in report["text"]
