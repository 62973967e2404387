"""Point 4: the question of the day to many channels across many workspaces, through the real
scheduler, `DailyService` and Slack poster (OAuth mode: one installation, one bot token per
workspace, looked up as in production), against the stand-in Slack enforcing one message per
second per channel, a per-workspace rate, and answering 2% of posts with 429 or 500.

The floor: each workspace takes `rate` posts a second and the workspaces are served in parallel,
so the fan-out cannot finish sooner than channels per workspace / rate seconds.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, insert, select

from adapters.slack.daily_poster import SlackDailyPoster
from adapters.slack.installs import DatabaseInstallationStore
from adapters.slack.pacing import ChannelPacer, WorkspaceLimiter
from adapters.slack.web_logging import skip_unwanted_debug_lines
from benchmarks import servers, world
from benchmarks.report import Figure, at_least, at_most, info
from bot.bank import QuestionBank
from bot.bootstrap import freeze_long_lived
from bot.daily.leadership import SoleLeader
from bot.daily.scheduler import DailyScheduler
from bot.db.database import Database
from bot.db.tables import channels, question_instances, subscriptions, workspaces
from bot.metrics import DELIVERY_UNRECORDED

FAILURES = 0.02
CLIENT_ID = "bench.fanout"


@dataclass(frozen=True)
class FanoutPlan:
    workspaces: int
    channels_per_workspace: int
    rate: int
    """Posts per second one workspace takes: the stand-in's limit and Studybot's setting."""

    @property
    def channels(self) -> int:
        return self.workspaces * self.channels_per_workspace

    @property
    def floor(self) -> float:
        return self.channels_per_workspace / self.rate


FULL = FanoutPlan(workspaces=100, channels_per_workspace=100, rate=5)
QUICK = FanoutPlan(workspaces=4, channels_per_workspace=50, rate=10)


def team(number: int) -> str:
    return f"T{number:03d}"


async def _seed_places(database: Database, plan: FanoutPlan) -> None:
    """The workspaces, their channels, and one installation (bot token) per workspace."""
    async with database.async_transaction(write=True) as connection:
        await connection.execute(
            insert(workspaces),
            [
                {
                    "id": w + 1,
                    "platform": world.PLATFORM,
                    "external_id": team(w),
                    "name": f"workspace {w}",
                    "timezone": "UTC",
                    "created_at": world.EPOCH,
                }
                for w in range(plan.workspaces)
            ],
        )
        await connection.execute(
            insert(channels),
            [
                {
                    "id": w * plan.channels_per_workspace + c + 1,
                    "workspace_id": w + 1,
                    "external_id": f"C{w:03d}{c:04d}",
                }
                for w in range(plan.workspaces)
                for c in range(plan.channels_per_workspace)
            ],
        )
    installs = DatabaseInstallationStore(CLIENT_ID, database)
    for w in range(plan.workspaces):
        # The stand-in reads the workspace from the token, as Slack does: xoxb-<workspace>.
        bot = Bot(
            app_id="A1",
            team_id=team(w),
            bot_token=f"xoxb-{team(w)}",
            bot_id=f"B{w}",
            bot_user_id="UBOT",
            installed_at=time.time(),
        )
        await installs.async_save_bot(bot)


async def _subscribe_all(database: Database, plan: FanoutPlan, at: datetime) -> None:
    """Every channel subscribed to the question of the day at the same minute."""
    async with database.async_transaction(write=True) as connection:
        await connection.execute(
            insert(subscriptions),
            [
                {
                    "channel_id": channel_id,
                    "hour": at.hour,
                    "minute": at.minute,
                    "timezone": "UTC",
                    "weekdays": "mon-sun",
                    "updated_at": at,
                }
                for channel_id in range(1, plan.channels + 1)
            ],
        )


async def _posted(database: Database) -> int:
    async with database.async_transaction(write=False) as connection:
        query = select(func.count()).where(question_instances.c.post_state == "posted")
        return int((await connection.execute(query)).scalar_one())


async def _fire(scheduler: DailyScheduler) -> float:
    """Make the post job of the subscriptions' common time due now, as at their minute, and run
    it through APScheduler; the seconds from when it fell due until it finished."""
    finished = asyncio.Event()
    loop = asyncio.get_running_loop()

    (job,) = [job for job in scheduler.jobs() if job.id.startswith("post ")]

    def done(event: JobExecutionEvent) -> None:
        if event.job_id == job.id:  # not the leadership check, which runs every few seconds
            loop.call_soon_threadsafe(finished.set)

    scheduler.scheduler.add_listener(done, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.scheduler.pause()
    job.modify(next_run_time=datetime.now(UTC))
    started = time.perf_counter()
    scheduler.scheduler.resume()
    await finished.wait()
    return time.perf_counter() - started


async def run(directory: Path, questions: QuestionBank, plan: FanoutPlan) -> list[Figure]:
    database = await world.migrated(directory / "studybot.db")
    options = ("--workspace-rate", str(plan.rate), "--failures", str(FAILURES))
    try:
        await _seed_places(database, plan)
        async with servers.stand_in(*options) as slack_url, aiohttp.ClientSession() as session:
            # As the Slack adapter sets up its Web API clients.
            skip_unwanted_debug_lines()
            client = AsyncWebClient(base_url=slack_url + "api/", session=session)
            poster = SlackDailyPoster(
                client,
                DatabaseInstallationStore(CLIENT_ID, database),
                ChannelPacer(),
                WorkspaceLimiter(plan.rate),
            )
            core = world.core(database, questions)
            core.daily.posters["slack"] = poster
            scheduler = DailyScheduler(core.daily, core.uow, SoleLeader())
            await scheduler.start()
            try:
                # Due a minute ago: the trigger's latest run is today's, well within the grace.
                await _subscribe_all(database, plan, datetime.now(UTC) - timedelta(minutes=1))
                await scheduler.sync()
                # APScheduler wakes up once for each job added: let it, before the clock starts.
                await asyncio.sleep(0)
                # As `studybot serve` does once started, with the subscriptions' jobs made.
                freeze_long_lived()
                elapsed = await _fire(scheduler)
            finally:
                await scheduler.stop()
            async with session.get(slack_url + "stats") as response:
                stats = await response.json()
        recorded = await _posted(database)
        one_row = await _one_row_write(database, questions)
    finally:
        await database.dispose()
    took = stats["posted_channels"] + stats["duplicates"]
    window_mean, window_p99 = _unrecorded_window()
    return [
        info(f"elapsed, {plan.channels:,} channels in {plan.workspaces} workspaces", elapsed, "s"),
        info(
            f"floor: {plan.channels_per_workspace} channels / {plan.rate} per s per workspace",
            plan.floor,
            "s",
        ),
        at_most("elapsed / floor", elapsed / plan.floor, "ratio", 1.1),
        at_least("channels posted (missed: the rest)", stats["posted_channels"], "channels", plan.channels),
        at_most("messages Slack took (duplicates: over channels)", took, "messages", plan.channels),
        at_least("posts recorded as posted", recorded, "posts", plan.channels),
        info("duplicate window: platform's answer to the mark's commit, mean", window_mean * 1000, "ms"),
        info("duplicate window, 99th percentile (bucket bound)", window_p99 * 1000, "ms"),
        info("one post's mark alone (one row, one transaction), median", one_row * 1000, "ms"),
    ]


async def _one_row_write(database: Database, questions: QuestionBank) -> float:
    """The median time to record one post in a transaction of its own, on an idle process: the
    duplicate window of a post sent alone."""
    uow = world.core(database, questions).uow
    now = datetime.now(UTC)
    times = []
    for instance_id in range(1, 202):
        started = time.perf_counter()
        await uow.write(lambda r, i=instance_id: r.claims.mark_posted([(i, f"again-{i}")], now))
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def _unrecorded_window() -> tuple[float, float]:
    """The mean of `studybot_delivery_unrecorded_seconds` for daily posts, and the bucket bound
    under which 99% of them fell (the histogram keeps buckets, not samples)."""
    buckets: list[tuple[float, float]] = []
    total = count = 0.0
    for metric in DELIVERY_UNRECORDED.collect():
        for sample in metric.samples:
            if sample.labels.get("kind") != "daily_post":
                continue
            if sample.name.endswith("_bucket"):
                buckets.append((float(sample.labels["le"]), sample.value))
            elif sample.name.endswith("_sum"):
                total = sample.value
            elif sample.name.endswith("_count"):
                count = sample.value
    p99 = next((bound for bound, seen in sorted(buckets) if seen >= 0.99 * count), float("inf"))
    return (total / count if count else 0.0), p99
