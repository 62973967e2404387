"""Slack's side of a deck file: reading the one an admin chose in the import form (files.info,
then `url_private_download` with the bot token, scope files:read, never past 10 MB), and sending
an export (files.getUploadURLExternal and files.completeUploadExternal, through
`files_upload_v2`, scope files:write).

An export goes to the admin's direct messages: Slack has no ephemeral files, and a file shared in
a channel stays there for every member, with every answer of the deck in it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters import deck_text
from adapters.slack import blocks
from adapters.slack.background import Outcome, Replies
from adapters.slack.deck_blocks import import_modal
from adapters.slack.dm import open_dm
from adapters.slack.mrkdwn import escape
from bot.app.deck_ports import ExportedDeck
from bot.decks.limits import MAX_FILE_BYTES, too_big
from bot.errors import UserFacingError
from bot.grammar_decks import DeckFile

CHUNK_BYTES = 64 * 1024
TRIGGER_EXPIRED = "The import form took too long to open. Try /quiz deck import again."
TRIGGER_ERRORS = {"expired_trigger_id", "invalid_trigger_id", "trigger_exchanged"}
NO_FILE_ACCESS = (
    "I could not read the file from Slack: it answered {code}. "
    "Ask an admin to reinstall Studybot (it needs the files:read permission), then try again."
)
NOT_HANDED_OVER = "Slack did not hand over the file ({why}). Try the import again in a moment."
CANNOT_SEND = (
    "I could not send you the file: Slack answered {code}. Ask an admin to reinstall Studybot "
    "(it needs the im:write and files:write permissions)."
)

# files.info's answers for a file that is gone: deleted, or never shared with Studybot.
FILE_GONE = {"file_not_found", "file_deleted"}

log = logging.getLogger(__name__)


class NotHandedOver(UserFacingError):
    """Slack did not hand the file over: it is gone, or its download failed."""


def _may_carry_token(url: str, api_url: str) -> bool:
    """The bot token goes only to Slack's own https addresses, or to the host the Web API is
    configured on (a proxy, or the tests' stand-in)."""
    parts, api = urlsplit(url), urlsplit(api_url)
    return parts.scheme == "https" or (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


async def _read_capped(session: aiohttp.ClientSession, url: str, token: str | None, filename: str) -> bytes:
    """The file's bytes, never more than the 10 MB a deck may be (a length header can lie)."""
    async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
        if response.status != 200:
            raise NotHandedOver(NOT_HANDED_OVER.format(why=f"HTTP {response.status}"))
        if response.content_type == "text/html":
            # Slack's sign-in page, which is what a token without files:read gets.
            raise UserFacingError(NO_FILE_ACCESS.format(code="with a web page"))
        data = bytearray()
        async for chunk in response.content.iter_chunked(CHUNK_BYTES):
            data += chunk
            if len(data) > MAX_FILE_BYTES:
                raise UserFacingError(f"'{filename}' {too_big(len(data))}; nothing was imported.")
        return bytes(data)


async def fetch_file(client: AsyncWebClient, file_id: str, filename: str) -> DeckFile:
    """files.info, the size checked, then the download (scope files:read)."""
    try:
        info = (await client.files_info(file=file_id))["file"]
    except SlackApiError as error:
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        if code in FILE_GONE:
            raise NotHandedOver(NOT_HANDED_OVER.format(why=code)) from error
        raise UserFacingError(
            NO_FILE_ACCESS.format(code=code or f"HTTP {error.response.status_code}")
        ) from error
    name = str(info.get("name") or filename)
    size = int(info.get("size") or 0)
    if too_big(size) is not None:
        raise UserFacingError(f"'{name}' {too_big(size)}; it was not downloaded, and nothing was imported.")
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not _may_carry_token(url, client.base_url):
        raise NotHandedOver(NOT_HANDED_OVER.format(why="no download address"))
    try:
        if client.session is not None:
            return DeckFile(name, await _read_capped(client.session, url, client.token, name))
        async with aiohttp.ClientSession() as session:
            return DeckFile(name, await _read_capped(session, url, client.token, name))
    except (aiohttp.ClientError, TimeoutError) as error:
        raise NotHandedOver(NOT_HANDED_OVER.format(why="no connection")) from error


async def open_import_form(
    client: AsyncWebClient, tell: Replies, trigger_id: str, channel: str, response_url: str, name: str | None
) -> Outcome:
    try:
        await client.views_open(trigger_id=trigger_id, view=import_modal(response_url, channel, name))
    except SlackApiError as error:
        if error.response.get("error") not in TRIGGER_ERRORS:
            raise
        await tell(response_url, blocks.reply_text(TRIGGER_EXPIRED))
        return "refused"
    return "ok"


async def upload_export(
    client: AsyncWebClient, channel: str, exported: ExportedDeck, comment: str | None = None
) -> str | None:
    """Share the exported file in `channel` (a direct message); None when it went, else what to
    tell the admin. `comment` goes with it (default: what the file is)."""
    try:
        await client.files_upload_v2(
            channel=channel,
            content=exported.data,
            filename=exported.filename,
            title=exported.filename,
            initial_comment=escape(comment or deck_text.exported_line(exported)),
        )
    except SlackApiError as error:
        code = error.response.get("error")
        log.warning("Slack deck export refused: %s", code)
        return CANNOT_SEND.format(code=code)
    return None


async def send_problems(client: AsyncWebClient, user: str, listed: ExportedDeck) -> None:
    """Every problem of an import whose report shows only the first ones, as a text file in the
    admin's direct messages (`deck_text.problems_file`); a refusal is logged: the report itself
    still goes."""
    comment = "Every problem of your deck import, one a line (file:line: field: message)."
    try:
        refusal = await upload_export(client, await open_dm(client, user), listed, comment)
    except SlackApiError as error:
        refusal = str(error.response.get("error"))
    if refusal is not None:
        log.warning("the list of a deck import's problems was not sent: %s", refusal)


async def send_export(
    client: AsyncWebClient, tell: Replies, user: str, response_url: str, exported: ExportedDeck
) -> Outcome:
    """The exported file in the admin's direct messages with Studybot; where it went, said
    privately where they asked."""
    try:
        refusal = await upload_export(client, await open_dm(client, user), exported)
    except SlackApiError as error:
        log.warning("Slack refused a direct message for a deck export: %s", error.response.get("error"))
        refusal = CANNOT_SEND.format(code=error.response.get("error"))
    if refusal is not None:
        await tell(response_url, blocks.reply_text(refusal))
        return "refused"
    sent = f"Sent {exported.filename} to your direct messages with Studybot."
    await tell(response_url, blocks.reply_text(sent))
    return "ok"
