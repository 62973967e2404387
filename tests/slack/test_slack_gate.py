"""Hostile HTTP is cheap: the signature is checked on the raw bytes before anything is parsed,
every malformed request is a 400 or 401 (never a 500), and rejections are logged without their
bodies and at a bounded rate."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import random
import time
from collections.abc import Sequence
from urllib.parse import urlencode

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_harness import SIGNING_SECRET, SlackBot, SlackUser

from adapters.rejections import RejectionLog
from adapters.slack.gate import Rejected, bolt_request, parse, verify


def signed_headers(body: bytes, content_type: str, stamp: str | None = None) -> dict[str, str]:
    stamp = stamp if stamp is not None else str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


async def post(bot: SlackBot, body: bytes, headers: dict[str, str]) -> int:
    data = io.BytesIO(body) if len(body) > 1024 * 1024 else body
    async with bot.http.post(bot.url + "slack/events", data=data, headers=headers) as response:
        await response.read()
        return response.status


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot-json", FORM),  # a payload field that is not JSON
        (b"payload=%5B1%2C2%5D", FORM),  # a payload that is not an object
        (b'{"type": "event_callback", ', "application/json"),  # truncated JSON
        (b"[1, 2, 3]", "application/json"),  # JSON that is not an object
        (b"team_id=T1&&=&%zz", FORM),  # a form body that does not parse
        (b"\xff\xfe\x00garbage", FORM),  # not UTF-8
        (b"payload=" + json.dumps({"type": "block_actions", "user": 5}).encode(), FORM),
        (b"payload=" + json.dumps({"type": "event_callback", "event": "x"}).encode(), FORM),
        (b"team_id=T1&user_id=U" + b"1" * 64 + b"&command=%2Fquiz", FORM),  # an id the database refuses
        (b"payload=" + json.dumps({"type": "block_actions", "user": {"id": "U" * 65}}).encode(), FORM),
        (b"user_id=U1&channel_id=C1&command=%2Fquiz&text=ecs", FORM),  # a command without its workspace
        (b"payload=" + json.dumps({"type": "view_submission", "view": None}).encode(), FORM),
        (b"payload=" + json.dumps({"type": "view_submission", "view": {"callback_id": "x"}}).encode(), FORM),
        (b"payload=" + json.dumps({"type": "view_closed", "view": None}).encode(), FORM),
        (
            b"payload="
            + json.dumps(
                {
                    "type": "view_submission",
                    "view": {"type": "modal", "callback_id": "report", "private_metadata": "9" * 25},
                }
            ).encode(),
            FORM,
        ),
        (  # a button naming a question id larger than any the database can hold
            b"payload="
            + json.dumps(
                {
                    "type": "block_actions",
                    "user": {"id": "U1"},
                    "actions": [{"action_id": f"answer:{'9' * 23}:0"}],
                }
            ).encode(),
            FORM,
        ),
        (
            b"payload="
            + json.dumps({"type": "block_actions", "actions": [{"action_id": "answer:1:0"}]}).encode(),
            FORM,
        ),
        (  # a click on a message without the response_url it is answered at
            b"payload="
            + json.dumps(
                {
                    "type": "block_actions",
                    "user": {"id": "U1"},
                    "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1"},
                    "response_url": "not a url",
                    "actions": [{"action_id": "answer:1:0"}],
                }
            ).encode(),
            FORM,
        ),
    ],
)
async def test_a_signed_but_malformed_body_gets_400(
    slack_bot: SlackBot, body: bytes, content_type: str
) -> None:
    assert await post(slack_bot, body, signed_headers(body, content_type)) == 400
    assert slack_bot.api.calls == []


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "x-gzip"])
async def test_a_compressed_body_gets_400_unread_and_no_traceback(
    slack_bot: SlackBot, caplog: pytest.LogCaptureFixture, encoding: str
) -> None:
    body = b"garbage" * 100
    for headers in ({"Content-Type": FORM}, signed_headers(body, FORM)):
        assert await post(slack_bot, body, {**headers, "Content-Encoding": encoding}) == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert slack_bot.api.calls == []


async def test_a_signed_click_without_actions_gets_400(slack_bot: SlackBot) -> None:
    payload = slack_bot.click_payload("answer:1:0", "0", "1700000000.000001")
    payload["actions"] = []
    body = urlencode({"payload": json.dumps(payload)}).encode()

    assert await post(slack_bot, body, signed_headers(body, FORM)) == 400
    assert slack_bot.api.calls == []


async def test_app_home_opened_without_a_user_is_acknowledged_and_ignored(slack_bot: SlackBot) -> None:
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev1",
        "event": {"type": "app_home_opened", "tab": "home", "channel": "D1"},
    }
    body = json.dumps(event).encode()

    assert await post(slack_bot, body, signed_headers(body, "application/json")) == 200
    # A proper home opening afterwards is published: the first one published nothing.
    event["event_id"] = "Ev2"
    event["event"]["user"] = SlackUser().id  # type: ignore[index]
    body = json.dumps(event).encode()
    assert await post(slack_bot, body, signed_headers(body, "application/json")) == 200
    [published] = await slack_bot.api.wait_ok("views.publish")
    assert published.body["user_id"] == "U1"


@pytest.mark.parametrize("stamp", ["soon", "1e9", "", " 17", "9" * 40])
async def test_a_malformed_timestamp_gets_401(slack_bot: SlackBot, stamp: str) -> None:
    body = urlencode(slack_bot.slash_fields("ecs")).encode()
    headers = signed_headers(body, FORM, stamp)

    assert await post(slack_bot, body, headers) == 401
    assert slack_bot.api.calls == []


async def test_unsigned_floods_are_rejected_and_logged_briefly_without_bodies(
    slack_bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    secret_url = "https://hooks.slack.com/actions/T1/1/SECRET"
    body = urlencode({"response_url": secret_url, "padding": "x" * 200_000}).encode()
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time()))}

    statuses = [await post(slack_bot, body, headers) for _ in range(40)]

    assert set(statuses) == {401}
    rejections = [r for r in caplog.records if r.name == "adapters.rejections"]
    assert 1 <= len(rejections) <= 10
    assert all("unsigned" in r.getMessage() for r in rejections)
    assert secret_url not in caplog.text and "padding" not in caplog.text
    assert len(caplog.text) < 10_000


async def test_a_body_over_the_size_limit_gets_413_before_its_signature_is_checked(
    slack_bot: SlackBot,
) -> None:
    body = b"x" * (2 * 1024 * 1024)

    assert await post(slack_bot, body, signed_headers(body, FORM)) == 413


def test_the_signature_covers_the_exact_bytes() -> None:
    raw = "text=caf\u00e9".encode()
    signature = "v0=" + hmac.new(b"s", b"v0:100:" + raw, hashlib.sha256).hexdigest()
    verify(b"s", raw, "100", signature, now=100.0)
    with pytest.raises(Rejected):
        verify(b"s", raw + b" ", "100", signature, now=100.0)
    with pytest.raises(Rejected):
        verify(b"s", raw, "100", signature, now=100.0 + 301)


def test_rejections_past_the_burst_are_counted_and_summed_up_once_the_window_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    rejections = RejectionLog(burst=3, window=60.0, monotonic=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="adapters.rejections"):
        for _ in range(10):
            rejections.record(401, "bad signature", "127.0.0.1")
        now[0] = 61.0
        rejections.record(401, "bad signature", "127.0.0.1")

    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("rejected a request with 401: bad signature (from 127.0.0.1)") == 4
    assert "7 more requests rejected in the last 61 s, not logged one by one" in messages


ODD_VALUES: list[object] = [None, 0, -1, 1.5, True, "", "x" * 300, [], [1], {}, {"id": 5}, "\x00", "<!here>"]


def odd(rng: random.Random) -> object:
    return json.loads(json.dumps(rng.choice(ODD_VALUES)))


def mutated(payload: dict[str, object], rng: random.Random) -> dict[str, object]:
    """The payload with one to three fields (at any depth) deleted or given an odd value."""
    result = json.loads(json.dumps(payload))
    for _ in range(rng.randint(1, 3)):
        target: object = result
        while True:
            if isinstance(target, dict) and target:
                key = rng.choice(sorted(target))
                if rng.random() < 0.5 and isinstance(target[key], dict | list) and target[key]:
                    target = target[key]
                    continue
                if rng.random() < 0.3:
                    del target[key]
                else:
                    target[key] = odd(rng)
            elif isinstance(target, list) and target:
                index = rng.randrange(len(target))
                if isinstance(target[index], dict | list) and target[index] and rng.random() < 0.7:
                    target = target[index]
                    continue
                target[index] = odd(rng)
            break
    return result


async def test_no_signed_request_however_malformed_gets_a_500(slack_bot: SlackBot) -> None:
    """Commands, clicks and events with fields deleted or of the wrong type, each signed: every
    answer is a 200 (acknowledged, and the user told if something could not be read) or a 400."""
    rng = random.Random(13)
    click = slack_bot.click_payload("answer:1:0", "0", "1700000000.000001")
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev0",
        "event": {"type": "app_home_opened", "tab": "home", "user": "U1", "channel": "D1"},
    }
    statuses: list[int] = []
    for n in range(150):
        slash = mutated(dict(slack_bot.slash_fields("ecs")), rng)
        form = urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in slash.items()}).encode()
        statuses.append(await post(slack_bot, form, signed_headers(form, FORM)))
        forged_click = mutated(click, rng)
        body = urlencode({"payload": json.dumps(forged_click)}).encode()
        statuses.append(await post(slack_bot, body, signed_headers(body, FORM)))
        forged_event = mutated({**event, "event_id": f"Ev{n}"}, rng)
        raw = json.dumps(forged_event).encode()
        statuses.append(await post(slack_bot, raw, signed_headers(raw, "application/json")))

    assert set(statuses) <= {200, 400, 404}, sorted(set(statuses))
    async with slack_bot.http.get(slack_bot.url + "healthz") as response:
        assert response.status == 200


@pytest.mark.parametrize(
    ("text", "content_type"),
    [
        (
            "payload="
            + json.dumps(
                {
                    "type": "block_actions",
                    "team": {"id": "T9", "enterprise_id": "E1"},
                    "user": {"id": "U9", "team_id": "T9"},
                    "channel": {"id": "C9"},
                    "actions": [{"action_id": "answer:1:0"}],
                }
            ),
            FORM,
        ),
        (urlencode({"team_id": "T9", "user_id": "U9", "channel_id": "C9", "command": "/quiz"}), FORM),
        (
            json.dumps({"type": "event_callback", "team_id": "T9", "event": {"type": "x", "user": "U9"}}),
            "application/json",
        ),
    ],
)
def test_the_request_parsed_once_is_the_one_bolt_would_have_parsed(text: str, content_type: str) -> None:
    headers: dict[str, str | Sequence[str]] = {"Content-Type": content_type}
    own = AsyncBoltRequest(body=text, query="a=1", headers=headers)
    given = bolt_request(text, parse(text, content_type), "a=1", headers)
    assert (given.raw_body, given.body, given.query, given.headers) == (
        own.raw_body,
        own.body,
        own.query,
        own.headers,
    )
    assert dict(given.context) == dict(own.context) and given.context["team_id"] == "T9"
