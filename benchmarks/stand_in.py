"""A stand-in for Slack's Web API and response_url endpoints on 127.0.0.1, run as its own process
(`python -m benchmarks.stand_in PORT [--workspace-rate N --failures F]`) so that its work does
not share a core with the process being measured.

Without options it answers every call at once. With `--workspace-rate` it enforces Slack's
limits for chat.postMessage: one message per second per channel, and N messages per second per
workspace (the workspace is read from the token, `xoxb-<workspace>`, as Slack does): a post over
either limit gets 429 with Retry-After. `--failures` answers that share of the other posts with
429 (Retry-After: 1) or 500, alternately. GET /stats reports what it saw.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict, deque

from aiohttp import web

CHANNEL_SPACING = 1.0


class Limits:
    def __init__(self, workspace_rate: float, failures: float, seed: int = 7) -> None:
        self.workspace_rate = workspace_rate
        self.failures = failures
        self.rng = random.Random(seed)
        self.last_post: dict[str, float] = {}
        self.window: dict[str, deque[float]] = defaultdict(deque)
        self.injected = 0

    def verdict(self, workspace: str, channel: str) -> tuple[int, str]:
        """(status, Retry-After) for a post: 200 when it may go through."""
        now = time.monotonic()
        if self.workspace_rate:
            last = self.last_post.get(channel)
            if last is not None and now - last < CHANNEL_SPACING:
                return 429, "1"
            window = self.window[workspace]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.workspace_rate:
                return 429, "1"
        if self.rng.random() < self.failures:
            self.injected += 1
            return (429, "1") if self.injected % 2 else (500, "")
        if self.workspace_rate:
            self.last_post[channel] = now
            self.window[workspace].append(now)
        return 200, ""


class StandIn:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.calls: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.posted: Counter[str] = Counter()
        self.first_post: float | None = None
        self.last_post: float | None = None
        self.ts = 0

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        body = (
            dict(await request.json())
            if request.content_type == "application/json"
            else dict(await request.post())
        )
        # Some methods' arguments come as query parameters (conversations.open).
        body = {**dict(request.query), **body}
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": f"D{body['users']}"}})
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"})
        if method == "chat.postMessage":
            token = request.headers.get("Authorization", "").removeprefix("Bearer xoxb-")
            channel = str(body["channel"])
            status, retry_after = self.limits.verdict(token, channel)
            self.statuses[str(status)] += 1
            if status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": retry_after}
                )
            if status != 200:
                return web.Response(status=status, text="internal error")
            now = time.monotonic()
            self.first_post = self.first_post or now
            self.last_post = now
            self.posted[f"{token}/{channel}"] += 1
        self.ts += 1
        return web.json_response(
            {"ok": True, "channel": body.get("channel", ""), "ts": f"1700000000.{self.ts:06d}"}
        )

    async def respond(self, _request: web.Request) -> web.Response:
        self.calls["respond"] += 1
        return web.Response(text="ok")

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "calls": dict(self.calls),
                "statuses": dict(self.statuses),
                "posted_channels": len(self.posted),
                "duplicates": sum(n - 1 for n in self.posted.values()),
                "post_span": (self.last_post - self.first_post)
                if self.first_post and self.last_post
                else 0.0,
            }
        )


def application(limits: Limits) -> web.Application:
    stand_in = StandIn(limits)
    app = web.Application()
    app.router.add_post("/api/{method}", stand_in.api)
    app.router.add_post("/respond/{name}", stand_in.respond)
    app.router.add_get("/stats", stand_in.stats)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--workspace-rate", type=float, default=0.0)
    parser.add_argument("--failures", type=float, default=0.0)
    options = parser.parse_args()
    limits = Limits(options.workspace_rate, options.failures)
    web.run_app(application(limits), host="127.0.0.1", port=options.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
