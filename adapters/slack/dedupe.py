"""Slack delivers a request again when it did not see our answer in time (`X-Slack-Retry-Num`
over HTTP, `retry_attempt` in Socket Mode). A redelivery carries the same `event_id` (events) or
`trigger_id` (commands, clicks) as the first delivery; this middleware acknowledges it and stops
it there, so a retried `/quiz` posts no second question. Double clicks are separate requests with
their own trigger ids: the core answers those with the first result.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

CAPACITY = 10_000


class RecentDeliveries:
    """The last `capacity` delivery keys seen by this process."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True


def delivery_key(body: dict[str, Any]) -> str | None:
    for field in ("event_id", "trigger_id"):
        value = body.get(field)
        if isinstance(value, str) and value:
            return f"{field}:{value}"
    return None


Middleware = Callable[..., Awaitable[BoltResponse | None]]


def skip_redeliveries(recent: RecentDeliveries) -> Middleware:
    """Bolt middleware: runs after signature verification, so forged requests cannot poison it."""

    async def skip_redelivered(
        body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = delivery_key(body)
        if key is not None and not recent.first_time(key):
            return BoltResponse(status=200, body="")
        # Bolt types `next` as returning None; it returns the listener's response.
        return await next()  # type: ignore[func-returns-value]

    return skip_redelivered
