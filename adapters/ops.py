"""Operations endpoints of the shared HTTP server: /healthz, /readyz, /metrics, request timing."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.errors import StorageUnavailable
from bot.metrics import HTTP_LATENCY

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ReadyCheck = Callable[[], bool]


@web.middleware
async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    started = time.perf_counter()
    try:
        return await handler(request)
    finally:
        HTTP_LATENCY.labels(route=route).observe(time.perf_counter() - started)


async def healthz(_request: web.Request) -> web.Response:
    """Alive: the process answers HTTP."""
    return web.json_response({"status": "ok"})


async def metrics(_request: web.Request) -> web.Response:
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response


def add_routes(
    app: web.Application,
    ping_database: Callable[[], Awaitable[None]],
    platforms: Sequence[tuple[str, ReadyCheck]],
) -> None:
    async def readyz(_request: web.Request) -> web.Response:
        """Ready: a write to the database would succeed now and every platform is connected.
        Whatever the probe raises, the answer is 503 with the database check false, never 500:
        a known fault is logged where it starts (`bot.db.faults`), anything else here."""
        checks: dict[str, bool] = {}
        try:
            await ping_database()
            checks["database"] = True
        except (StorageUnavailable, OSError):
            checks["database"] = False
        except Exception:
            log.exception("the readiness probe of the database failed")
            checks["database"] = False
        checks.update({name: ready() for name, ready in platforms})
        status = 200 if all(checks.values()) else 503
        return web.json_response({"ready": status == 200, "checks": checks}, status=status)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
