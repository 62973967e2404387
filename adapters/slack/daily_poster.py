"""The question of the day through Slack: the scheduler's `DailyPoster` for Slack channels.

Each post uses the bot token of the target's workspace (the one token in single-workspace mode,
the installation's in OAuth mode, looked up many workspaces at a time). Posts to one workspace
wait for its turn (`WorkspaceLimiter`), posts to one channel are spaced out (`ChannelPacer`).
Rate limits (after their Retry-After), server errors and dropped connections are tried again by
the poster itself, each attempt waiting for the workspace's turn (a refused attempt gives its
turn back); what still fails is a transient error, except Slack's answers that will not change
by trying again, which pause the subscription with a reason naming Slack's error code.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, daily_blocks
from adapters.slack.kit import Message
from adapters.slack.listeners import message_ref
from adapters.slack.mrkdwn import escape
from adapters.slack.pacing import MINUTE_SECONDS, OPENS_PER_MINUTE, ChannelPacer, Sleep, WorkspaceLimiter
from adapters.slack.token_lookups import BotTokens, TokenLookups
from bot.app.commands import DashboardLink
from bot.app.digest import AdminLink
from bot.app.digest_report import Digest
from bot.daily.models import PermanentDeliveryError, Reveal, TransientDeliveryError
from bot.models import Place, QuestionView

NO_INSTALLATION = "no_installation"
ATTEMPTS = 5
# How long a workspace's bot token is reused without asking the installation store again. A
# fan-out posts to many channels of one workspace within seconds; a token that stopped working
# in the meantime (a reinstall) is fetched afresh once before the post is given up.
TOKEN_SECONDS = 60.0
AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive"})
# Slack answers 5xx without a Retry-After; dropped connections neither: the waits double from
# this one (a quarter, a half, one, two seconds).
SERVER_ERROR_WAIT_SECONDS = 0.25
# Slack's errors that trying again will not fix, and what they mean for the channel's admins.
PERMANENT_ERRORS = {
    "channel_not_found": "the channel was deleted, or Studybot cannot see it",
    "is_archived": "the channel is archived",
    "not_in_channel": "Studybot is not a member of the channel (invite it with /invite @Studybot)",
    "restricted_action": "the workspace does not let Studybot post in this channel",
    "account_inactive": "Studybot was removed from the workspace",
    "token_revoked": "Studybot was removed from the workspace",
    "invalid_auth": "Studybot's token for the workspace is not valid",
    "missing_scope": "Studybot lacks a permission it needs",
    "team_not_found": "Studybot is not installed in the workspace",
    NO_INSTALLATION: "Studybot is not installed in the workspace",
}
# A person Studybot cannot send direct messages to (study reminders), and why.
CLOSED_DM_ERRORS = {
    "cannot_dm_bot": "Slack does not let Studybot message you directly",
    "user_disabled": "your Slack account is deactivated",
    "user_not_found": "Slack does not know your account",
    "user_not_visible": "the workspace does not let Studybot see you",
}
PERMANENT_ERRORS.update(CLOSED_DM_ERRORS)


class _StaleToken(Exception):
    """A remembered token was refused: ask the installation store again."""


def permanent(code: str) -> PermanentDeliveryError:
    return PermanentDeliveryError(f"Slack refused the post: {PERMANENT_ERRORS[code]} ({code})")


def _code(error: SlackApiError) -> str | None:
    data = error.response.data
    return data.get("error") if isinstance(data, dict) else None


def delivery_error(error: SlackApiError) -> Exception:
    code = _code(error)
    if code in PERMANENT_ERRORS:
        return permanent(code)
    return TransientDeliveryError(f"Slack did not take the post: {code or error.response.status_code}")


def backoff(attempt: int) -> float:
    """The wait after the `attempt`th try failed for want of an answer (server error, no
    connection)."""
    return float(SERVER_ERROR_WAIT_SECONDS * 2 ** (attempt - 1))


def refused(error: SlackApiError) -> bool:
    """Slack turned the post away (rate limited, server error): nothing was posted, and trying
    again may work."""
    status: int = error.response.status_code
    return status == 429 or status >= 500


def retry_wait(error: SlackApiError, attempt: int) -> float | None:
    """How long to wait before trying a refused post again; None when trying again is no use."""
    if not refused(error):
        return None
    if error.response.status_code == 429:
        headers = {str(k).lower(): v for k, v in dict(error.response.headers).items()}
        return float(headers.get("retry-after") or 1)
    return backoff(attempt)


class SlackDailyPoster:
    def __init__(
        self,
        client: AsyncWebClient,
        installations: BotTokens | None,
        pacer: ChannelPacer,
        limiter: WorkspaceLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        opens: WorkspaceLimiter | None = None,
    ) -> None:
        # A copy without the client's retry handlers: they would send again behind the
        # workspace limiter's back (and wait up to a second more than Retry-After asks).
        self.client = copy.copy(client)
        self.client.retry_handlers = []
        self._lookups = TokenLookups(installations) if installations is not None else None
        self.pacer = pacer
        self.limiter = limiter or WorkspaceLimiter()
        self.opens = opens or WorkspaceLimiter(OPENS_PER_MINUTE, clock, sleep, MINUTE_SECONDS)
        self.sleep = sleep
        self.clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}
        self._direct_channels: dict[tuple[str, str], str] = {}

    async def _token(self, workspace: str, fresh: bool) -> tuple[dict[str, Any], bool]:
        """The token argument for this workspace (none, the client's own, without OAuth), and
        whether it was remembered rather than just looked up."""
        if self._lookups is None:
            return {}, False
        remembered = self._tokens.get(workspace)
        if remembered is not None and not fresh and self.clock() - remembered[1] < TOKEN_SECONDS:
            return {"token": remembered[0]}, True
        token = await self._lookups.token(workspace, fresh)
        if token is None:
            self._tokens.pop(workspace, None)
            raise permanent(NO_INSTALLATION)
        self._tokens[workspace] = (token, self.clock())
        return {"token": token}, False

    async def _post(self, target: Place, message: Message) -> str:
        async with self.pacer.turn(f"{target.workspace}/{target.channel}"):
            token, remembered = await self._token(target.workspace, fresh=False)
            try:
                posted = await self._attempts(target, message, token, remembered)
            except _StaleToken:
                token, _ = await self._token(target.workspace, fresh=True)
                posted = await self._attempts(target, message, token, remembered=False)
        return message_ref(posted["channel"], posted["ts"])

    async def _attempts(
        self, target: Place, message: Message, token: dict[str, Any], remembered: bool
    ) -> Any:
        attempt = 1
        while True:
            try:
                return await self._send(target, message, token)
            except SlackApiError as error:
                if remembered and _code(error) in AUTH_ERRORS:
                    raise _StaleToken() from error
                wait = retry_wait(error, attempt)
                if wait is None or attempt == ATTEMPTS:
                    raise delivery_error(error) from error
            except (aiohttp.ClientError, TimeoutError) as error:
                if attempt == ATTEMPTS:
                    raise TransientDeliveryError(f"Slack could not be reached: {error!r}") from error
                wait = backoff(attempt)
            attempt += 1
            await self.sleep(wait)

    async def _send(self, target: Place, message: Message, token: dict[str, Any]) -> Any:
        """One attempt, in the workspace's turn; a post Slack refused gives the turn back."""
        async with self.limiter.turn(target.workspace) as turn:
            try:
                return await self.client.chat_postMessage(channel=target.channel, **message, **token)
            except SlackApiError as error:
                if refused(error):
                    turn.refused()
                raise

    async def send_direct(self, workspace: str, user: str, message: Message) -> None:
        """A direct message (a study reminder): open the person's conversation with Studybot
        (`conversations.open`, scope im:write; its own rate limit, not chat.postMessage's, so
        it takes turns of its own, `opens`; the channel id is remembered), then post there as to
        a channel."""
        channel = self._direct_channels.get((workspace, user))
        if channel is None:
            token, _ = await self._token(workspace, fresh=False)
            async with self.opens.turn(workspace) as turn:
                try:
                    opened = await self.client.conversations_open(users=user, **token)
                except SlackApiError as error:
                    if refused(error):
                        turn.refused()
                    raise delivery_error(error) from error
            channel = self._direct_channels[(workspace, user)] = str(opened["channel"]["id"])
        await self._post(Place("slack", workspace, channel), message)

    async def post_question(self, target: Place, question: QuestionView) -> str:
        return await self._post(target, blocks.question(question))

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        await self._post(target, daily_blocks.reveal(reveal))

    async def post_digest(self, target: Place, digest: Digest, chart_png: bytes) -> None:
        """The weekly digest: its chart uploaded with the external-upload flow
        (files.getUploadURLExternal, the upload, files.completeUploadExternal: slack_sdk's
        `files_upload_v2`) and shared in the channel with the summary as its comment."""
        comment = f"*Weekly digest · {escape(digest.workspace)}*\n" + "\n".join(
            escape(line) for line in digest.lines()
        )
        async with self.pacer.turn(f"{target.workspace}/{target.channel}"):
            token, _ = await self._token(target.workspace, fresh=False)
            try:
                async with self.limiter.turn(target.workspace):
                    await self.client.files_upload_v2(
                        channel=target.channel,
                        content=chart_png,
                        filename=f"studybot-digest-{digest.week_start.isoformat()}.png",
                        title=f"Answers per day, week of {digest.week_start:%d %b}",
                        initial_comment=comment,
                        **token,
                    )
            except SlackApiError as error:
                raise delivery_error(error) from error
            except (aiohttp.ClientError, TimeoutError) as error:
                raise TransientDeliveryError(f"Slack could not be reached: {error!r}") from error

    async def send_admin_link(self, target: Place, user: str, link: AdminLink) -> None:
        """The subscribing admin's dashboard link: an ephemeral message in the digest's
        channel, which only they see (chat.postEphemeral, no scope beyond chat:write)."""
        message = blocks.reply(DashboardLink(link.url, link.hours, admin=True))
        async with self.pacer.turn(f"{target.workspace}/{target.channel}"):
            token, _ = await self._token(target.workspace, fresh=False)
            try:
                async with self.limiter.turn(target.workspace):
                    await self.client.chat_postEphemeral(
                        channel=target.channel, user=user, **message, **token
                    )
            except SlackApiError as error:
                raise delivery_error(error) from error
            except (aiohttp.ClientError, TimeoutError) as error:
                raise TransientDeliveryError(f"Slack could not be reached: {error!r}") from error
