"""The two ceilings of the Slack benchmark, each its own process
(`python -m benchmarks.ceilings bare|bolt PORT API_URL`):

- bare: an aiohttp handler that only verifies the signature (slack_sdk's verifier) and answers 200;
- bolt: a Bolt AsyncApp, served the way Studybot serves its own, whose listeners only ack;
- bolt-direct: the same with `process_before_response=True`, so Bolt awaits the listener instead
  of polling every 10 ms until ack() was called: the difference is what the polling costs;
- bolt-durable: bolt-direct whose listeners write the request as one row of a SQLite file (WAL,
  synchronous=NORMAL, as Studybot's) in a writer thread, one transaction per request, and ack once
  it has committed: the honest ceiling of an app whose acknowledgement is a promise.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import tempfile
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters import event_loop
from benchmarks.slack_requests import SIGNING_SECRET

PATH = "/slack/events"


def bare() -> web.Application:
    verifier = SignatureVerifier(SIGNING_SECRET)

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid_request(body, dict(request.headers)):
            return web.Response(status=401)
        return web.Response()

    app = web.Application()
    app.router.add_post(PATH, events)
    return app


def bolt(api_url: str, direct: bool, durable: bool = False) -> web.Application:
    client = AsyncWebClient(token="xoxb-T1", base_url=api_url)
    bolt_app = AsyncApp(client=client, signing_secret=SIGNING_SECRET, process_before_response=direct)

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    listener = written_first() if durable else only_ack
    bolt_app.command("/quiz")(listener)
    bolt_app.action(re.compile(r"^answer:"))(listener)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt_app.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post(PATH, events)
    return app


def written_first() -> Callable[[AsyncAck, AsyncBoltRequest], Awaitable[None]]:
    """A listener that writes one row per request to SQLite, then acks."""
    path = Path(tempfile.mkdtemp(prefix="bolt-durable-")) / "requests.db"
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
    connection: list[sqlite3.Connection] = []

    def write(body: str) -> None:
        if not connection:
            opened = sqlite3.connect(path, isolation_level=None)
            opened.execute("PRAGMA journal_mode=WAL")
            opened.execute("PRAGMA synchronous=NORMAL")
            opened.execute("CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, body TEXT)")
            connection.append(opened)
        with connection[0]:
            connection[0].execute("INSERT INTO requests (body) VALUES (?)", (body,))

    async def written(ack: AsyncAck, request: AsyncBoltRequest) -> None:
        await asyncio.get_running_loop().run_in_executor(writer, write, request.raw_body)
        await ack()

    return written


def main() -> None:
    kind, port, api_url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = bare() if kind == "bare" else bolt(api_url, kind != "bolt", durable=kind == "bolt-durable")
    app.router.add_get("/healthz", healthz)
    # The event loop `studybot serve` runs on, so that the ceilings differ from it only in work.
    loop = event_loop.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, loop=loop)


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


if __name__ == "__main__":
    main()
