"""The one way Studybot opens a direct message with a member: a mock exam started in a channel
moves to the person's direct messages (an ephemeral message can be replaced only a few times
through its response_url, and an exam updates its message often). Messages members write to
Studybot (adapters/slack/direct.py) are answered where they were written and open nothing."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, exam_blocks
from adapters.slack.background import Outcome, Replies
from bot.app.exam import ExamScreen

EXAM_IN_DM = "Your exam is in your direct messages with Studybot. Good luck!"
CANNOT_DM = (
    "I cannot open a direct message with you, where exams run. Ask an admin to reinstall Studybot "
    "(it needs the im:write permission); your exam is saved: /quiz exam shows it afterwards."
)
CANNOT_DM_ERRORS = {
    "missing_scope",
    "cannot_dm_bot",
    "user_disabled",
    "user_not_found",
    "not_allowed_token_type",
}

log = logging.getLogger(__name__)


async def open_dm(client: AsyncWebClient, user: str) -> str:
    """The id of the person's direct-message conversation with Studybot (scope im:write)."""
    opened = await client.conversations_open(users=user)
    return str(opened["channel"]["id"])


async def post_exam(
    client: AsyncWebClient, tell: Replies, user: str, channel: str, response_url: str, screen: ExamScreen
) -> Outcome:
    """Post the exam's screen in the person's direct messages; say where it went (or why it
    could not go) at the command's response_url."""
    try:
        dm = await open_dm(client, user)
        await client.chat_postMessage(channel=dm, **exam_blocks.screen(screen))
    except SlackApiError as error:
        if error.response.get("error") not in CANNOT_DM_ERRORS:
            raise
        log.warning("Slack exam DM refused: %s", error.response.get("error"))
        await tell(response_url, blocks.reply_text(CANNOT_DM))
        return "refused"
    if dm != channel:
        await tell(response_url, blocks.reply_text(EXAM_IN_DM))
    return "ok"
