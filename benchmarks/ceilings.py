"""The two ceilings of the Slack benchmark, each its own process
(`python -m benchmarks.ceilings bare|bolt PORT API_URL`):

- bare: an aiohttp handler that only verifies the signature (slack_sdk's verifier) and answers 200;
- bolt: a Bolt AsyncApp, served the way Studybot serves its own, whose listeners only ack;
- bolt-direct: the same with `process_before_response=True`, so Bolt awaits the listener instead
  of polling every 10 ms until ack() was called: the difference is what the polling costs.
"""

from __future__ import annotations

import re
import sys

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
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


def bolt(api_url: str, direct: bool) -> web.Application:
    client = AsyncWebClient(token="xoxb-T1", base_url=api_url)
    bolt_app = AsyncApp(client=client, signing_secret=SIGNING_SECRET, process_before_response=direct)

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    bolt_app.command("/quiz")(only_ack)
    bolt_app.action(re.compile(r"^answer:"))(only_ack)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt_app.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post(PATH, events)
    return app


def main() -> None:
    kind, port, api_url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = bare() if kind == "bare" else bolt(api_url, direct=kind == "bolt-direct")
    app.router.add_get("/healthz", healthz)
    # The event loop `studybot serve` runs on, so that the ceilings differ from it only in work.
    loop = event_loop.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, loop=loop)


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


if __name__ == "__main__":
    main()
