"""Bytes that are not HTTP, sent to a real `studybot serve`: each gets 400, and the log gets a
few short lines in all, no traceback and nothing of what was sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.served import served
from tests.slack.slack_stand_in import StandInSlack

DEADLINE = 60.0
NOT_HTTP = [
    b"GARBAGE\r\n\r\n",
    b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Secret-Marker: " + b"a" * 20_000 + b"\r\n\r\n",
]


async def test_malformed_http_gets_400_and_a_bounded_log_without_tracebacks(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    async with asyncio.timeout(DEADLINE), served(tmp_path, slack_api.api_url) as bot:
        for payload in NOT_HTTP * 20:
            reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
            writer.write(payload)
            answer = await reader.read()
            writer.close()
            assert answer.startswith(b"HTTP/1.0 400 Bad Request")

    rejected = [r for r in bot.records() if r["name"] == "adapters.rejections"]
    assert 1 <= len(rejected) <= 10
    assert all(r["message"].startswith("rejected a request with 400: malformed HTTP") for r in rejected)
    log = bot.log.read_text()
    assert "Traceback" not in log and "X-Secret-Marker" not in log and "aaaa" not in log
