"""Signed Slack requests, as Slack sends them: slash commands and button clicks, form-encoded,
with `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` in X-Slack-Signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import aiohttp

SIGNING_SECRET = "bench-signing-secret"
TEAM = "T1"
CHANNEL = "C1"


def sign(secret: str, timestamp: int, body: str) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()


def slash(n: int, text: str, respond_base: str) -> str:
    user = f"U{n % 1000:06d}"
    return urlencode(
        {
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": CHANNEL,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/quiz",
            "text": text,
            "api_app_id": "A1",
            "response_url": f"{respond_base}cmd-{n}",
            "trigger_id": f"trigger-{n}",
        }
    )


def click(n: int, user: int, instance_id: int, index: int, respond_base: str) -> str:
    name = f"U{user:06d}"
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "bench"},
        "user": {"id": name, "username": name.lower(), "team_id": TEAM},
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": CHANNEL},
        "trigger_id": f"trigger-{n}",
        "channel": {"id": CHANNEL, "name": "general"},
        "response_url": f"{respond_base}click-{n}",
        "actions": [
            {
                "action_id": f"answer:{instance_id}:{index}",
                "block_id": "choices",
                "value": str(index),
                "type": "button",
                "action_ts": f"1700000001.{n:06d}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def post(http: aiohttp.ClientSession, url: str, body: str) -> int:
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sign(SIGNING_SECRET, stamp, body),
    }
    async with http.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status
