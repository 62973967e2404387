"""The door of `/slack/events`: a request is let through to Bolt only once its signature has been
checked on the raw bytes and its body has been read into the shapes the listeners rely on.

Everything is cheap for a hostile client: the body is read with a deadline and a size cap, the
signature is checked before anything is parsed, and a request turned away costs a 400 or 401
and, at most a few times a minute, one log line without its body (a body may hold a
`response_url`, which is a credential for a minute).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import hdrs, web
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.rejections import RejectionLog

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Slack rejects, and so do we, a signature whose timestamp is more than five minutes off.
MAX_CLOCK_SKEW = 5 * 60
SIGNATURE_VERSION = b"v0"
IDENTITY = ("", "identity")


class Rejected(Exception):
    """The request is turned away with this status; `reason` is logged, never shown the sender."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify(secret: bytes, raw: bytes, timestamp: str | None, signature: str | None, now: float) -> None:
    """Slack's v0 signature over the bytes received: HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    if not timestamp or not signature:
        raise Rejected(401, "unsigned")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Rejected(401, "malformed timestamp")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        raise Rejected(401, "stale timestamp")
    base = SIGNATURE_VERSION + b":" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Rejected(401, "bad signature")


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise Rejected(400, f"{what} is not JSON") from error
    if not isinstance(value, dict):
        raise Rejected(400, f"{what} is not a JSON object")
    return value


def parse(text: str, content_type: str) -> dict[str, Any]:
    """The body as Bolt would read it, or Rejected: Slack sends form fields (with a JSON
    `payload` field for interactions) or, for the Events API, a JSON object."""
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text, "body")
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
    except ValueError as error:
        raise Rejected(400, "form body is malformed") from error
    if "payload" in fields:
        return _json_object(fields["payload"], "payload")
    return fields


def _needs(condition: bool, reason: str) -> None:
    if not condition:
        raise Rejected(400, reason)


# Top-level fields Bolt and the listeners read as strings when they are there.
STRING_FIELDS = (
    "type",
    "command",
    "text",
    "token",
    "team_id",
    "user_id",
    "channel_id",
    "api_app_id",
    "event_id",
    "trigger_id",
    "response_url",
    "enterprise_id",
)


# Slack's ids are a dozen characters; the database keeps up to 64 (workspaces, users, channels).
ID_MAX = 64


def _ids(body: dict[str, Any]) -> list[tuple[str, object]]:
    """The workspace, user and channel ids a request carries, where the listeners read them."""
    found: list[tuple[str, object]] = [(key, body.get(key)) for key in ("team_id", "user_id", "channel_id")]
    for key in ("team", "user", "channel"):
        value = body.get(key)
        if isinstance(value, dict):
            found += [(f"{key}.id", value.get("id")), (f"{key}.team_id", value.get("team_id"))]
    container = body.get("container")
    if isinstance(container, dict):
        found.append(("container.channel_id", container.get("channel_id")))
    event = body.get("event")
    if isinstance(event, dict):
        found += [("event.user", event.get("user")), ("event.channel", event.get("channel"))]
    return found


def check_shape(body: dict[str, Any]) -> None:
    """The fields Bolt's matchers and our listeners index into are there and of their type."""
    for key in ("team", "user", "channel", "enterprise"):
        value = body.get(key)
        _needs(value is None or isinstance(value, str | dict), f"{key} is neither an object nor a string")
    for key in ("container", "event", "view", "message", "previous_message", "assistant_thread"):
        value = body.get(key)
        _needs(value is None or isinstance(value, dict), f"{key} is not an object")
    authorizations = body.get("authorizations")
    _needs(
        authorizations is None
        or (isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)),
        "malformed authorizations",
    )
    for key in STRING_FIELDS:
        value = body.get(key)
        _needs(value is None or isinstance(value, str), f"{key} is not a string")
    for what, value in _ids(body):
        _needs(not isinstance(value, str) or len(value) <= ID_MAX, f"{what} is too long for an id")
    if body.get("command") is not None:
        for key in ("team_id", "user_id", "channel_id"):
            _needs(bool(body.get(key)), f"a command without {key}")
    kind = body.get("type")
    if kind == "block_actions":
        _check_click(body)
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        _needs(
            isinstance(view, dict) and all(isinstance(view.get(key), str) for key in ("type", "callback_id")),
            "a form without its view",
        )
        assert isinstance(view, dict)
        _needs(_numbers_fit(view.get("private_metadata")), "a number too large for an id")
    if kind == "event_callback":
        event = body.get("event")
        _needs(isinstance(event, dict) and isinstance(event.get("type"), str), "an event without a type")


# A run of this many digits is a number larger than any id the database holds (a signed 64-bit
# integer has 19 digits at most, and Studybot's ids are nowhere near): a forged button would
# overflow the query instead of finding nothing.
TOO_MANY_DIGITS = re.compile(r"\d{19,}")


def _numbers_fit(text: object) -> bool:
    return not isinstance(text, str) or TOO_MANY_DIGITS.search(text) is None


def _check_click(body: dict[str, Any]) -> None:
    """A click names who clicked (the answer is theirs) and carries well-formed actions."""
    user = body.get("user")
    _needs(isinstance(user, dict) and isinstance(user.get("id"), str), "a click without its user")
    container = body.get("container")
    if isinstance(container, dict) and container.get("type") == "message":
        # A click on a message is answered at its response_url: without one, nobody could be.
        url = body.get("response_url")
        _needs(
            isinstance(url, str) and url.startswith(("https://", "http://")),
            "a click without its response_url",
        )
    actions = body.get("actions")
    _needs(isinstance(actions, list) and len(actions) > 0, "a click without actions")
    assert isinstance(actions, list)
    for action in actions:
        _needs(isinstance(action, dict) and isinstance(action.get("action_id"), str), "malformed action")
        assert isinstance(action, dict)
        _needs(
            _numbers_fit(action["action_id"]) and _numbers_fit(action.get("value")),
            "a number too large for an id",
        )


Shed = Callable[[dict[str, Any]], web.StreamResponse | None]
"""Answers at once, before Bolt, a signed request the work queue would refuse anyway (busy,
restarting), or returns None: under a flood most requests are those, and Bolt's dispatch would
double what each costs."""


def _no_shedding(_body: dict[str, Any]) -> web.StreamResponse | None:
    return None


@dataclass(frozen=True)
class Gate:
    """Reads, checks and turns one request into Bolt's request, or raises Rejected."""

    signing_secret: str | None
    """None in Socket Mode, where the socket is authenticated instead (no HTTP route exists)."""
    body_seconds: float
    now: Callable[[], float] = time.time
    shed: Shed = _no_shedding

    async def admit(self, request: web.Request) -> AsyncBoltRequest | web.StreamResponse:
        # Slack never compresses its bodies, and the signature is over the bytes as sent: a body
        # aiohttp would have to decode first is turned away unread.
        if request.headers.get(hdrs.CONTENT_ENCODING, "identity").strip().lower() not in IDENTITY:
            raise Rejected(400, "compressed body")
        try:
            async with asyncio.timeout(self.body_seconds):
                raw = await request.read()
        except TimeoutError as error:
            raise Rejected(408, "body not received in time") from error
        except web.HTTPRequestEntityTooLarge as error:
            raise Rejected(413, "body too large") from error
        except web.RequestPayloadError as error:
            raise Rejected(400, "body not readable") from error
        if self.signing_secret is not None:
            verify(
                self.signing_secret.encode(),
                raw,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.headers.get("X-Slack-Signature"),
                self.now(),
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Rejected(400, "body is not UTF-8") from error
        body = parse(text, request.content_type)
        check_shape(body)
        if (answer := self.shed(body)) is not None:
            return answer
        try:
            return bolt_request(text, body, request.query_string, {**request.headers})
        except Exception as error:  # whatever Bolt trips on in the body is a 400
            raise Rejected(400, f"body not readable ({type(error).__name__})") from error


def bolt_request(
    text: str, body: dict[str, Any], query: str, headers: dict[str, str | Sequence[str]]
) -> AsyncBoltRequest:
    """Bolt's request for a body the gate has parsed already. Given the text, Bolt would parse it
    a second time (a click's form, then its JSON payload: as much work as Bolt's dispatch), so it
    is given an empty body and then the parsed one, with the context Bolt derives from it."""
    bolt = AsyncBoltRequest(body="", query=query, headers=headers)
    bolt.raw_body = text
    bolt.body = body
    bolt.context = build_async_context(AsyncBoltContext(), body)
    return bolt


Dispatch = Callable[[AsyncBoltRequest], Awaitable[web.StreamResponse]]


def handler(gate: Gate, dispatch: Dispatch, rejections: RejectionLog) -> Handler:
    """The aiohttp handler: admit, then Bolt; a rejection is answered and counted, not raised."""

    async def events(request: web.Request) -> web.StreamResponse:
        try:
            admitted = await gate.admit(request)
        except Rejected as rejected:
            rejections.record(rejected.status, rejected.reason, request.remote)
            response = web.Response(status=rejected.status)
            # A turned-away client does not keep its connection (nor, when its body was not
            # read, could the connection carry another request).
            response.force_close()
            return response
        if isinstance(admitted, web.StreamResponse):
            return admitted
        return await dispatch(admitted)

    return events
