"""Issue 13 point 4 with real processes: the README's split deployment, a Slack-only and a
Discord-only `studybot serve` on one PostgreSQL database. Each leads its own platform's
question of the day, and each platform's question and the reveal of the day before are posted
exactly once, the reveal first; neither process touches the other platform's channels."""

import asyncio
import re
import signal
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.bank import QuestionBank
from bot.bootstrap import compose
from bot.daily.models import Reveal
from bot.daily.reveals import REVEAL
from bot.daily.rules import EVERY_DAY
from bot.daily.service import PostResult
from bot.daily.triggers import cron, latest_due
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.models import Actor, Place, QuestionView
from tests.conftest import FrozenClock, reset_postgres
from tests.discord.stand_in import CHANNEL_ID, GUILD_ID, DiscordStandIn
from tests.slack.slack_stand_in import StandInSlack
from tests.test_daily import daily_on
from tests.test_multiprocess import DEADLINE, Process, _ready, until

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

NAMES = ("Slack-only", "Discord-only")
# A log record's first line: "2026-12-06 13:25:31,904 INFO adapters.serve: stopping".
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")
BAD_RECORD = re.compile(r"^\S+ \S+ (ERROR|CRITICAL) ")

SLACK = Place("slack", "T1", "C2")
DISCORD = Place("discord", str(GUILD_ID), str(CHANNEL_ID))


class Yesterday:
    """Posts the day before's questions from the test, as a process did then."""

    def __init__(self) -> None:
        self.instances: list[int] = []

    async def post_question(self, target: Place, question: QuestionView) -> str:
        self.instances.append(question.instance_id)
        return f"yesterday-{target.platform}"

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        raise AssertionError("nothing to reveal yesterday")


def discord_process(url: str, slack: StandInSlack, discord: DiscordStandIn, log: Path) -> Process:
    process = Process(url, slack, log)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"):
        del process.env[name]
    process.env |= {
        "DISCORD_TOKEN": discord.token,
        "DISCORD_API_URL": discord.api_url,
        "DISCORD_GATEWAY_URL": discord.gateway_url,
    }
    return process


async def leads(process: Process, http: aiohttp.ClientSession, platform: str) -> bool:
    return (
        f'studybot_scheduler_leader{{platform="{platform}"}} 1.0' in (await process.get(http, "/metrics"))[1]
    )


async def test_a_slack_only_and_a_discord_only_process_each_post_and_reveal_their_own_once(
    bank: QuestionBank, tmp_path: Path, postgres_run_url: str
) -> None:
    url = postgres_run_url
    await reset_postgres(url)
    database = Database(url)
    await upgrade(database)
    today = latest_due(cron(*divmod(_minutes_ago(5), 60), EVERY_DAY, "UTC"), datetime.now(UTC))
    assert today is not None
    yesterday = Yesterday()
    core = compose(database, bank, FrozenClock(today - timedelta(days=1)))
    for place in (SLACK, DISCORD):
        admin = Actor(place.platform, place.workspace, "UADMIN", "Ada", is_admin=True)
        report = await core.daily.subscribe(admin, place.channel, daily_on(f"daily on at {today:%H:%M} UTC"))
        assert report.subscription is not None
        core.daily.posters[place.platform] = yesterday
        result = await core.daily.post_due(report.subscription.id, today - timedelta(days=1))
        assert result is PostResult.POSTED
    slack, discord = StandInSlack(), DiscordStandIn()
    await slack.start()
    await discord.start()
    processes = [
        Process(url, slack, tmp_path / "slack.log"),
        discord_process(url, slack, discord, tmp_path / "discord.log"),
    ]
    slack_posts = lambda: [c for c in slack.ok("chat.postMessage") if c.body["channel"] == SLACK.channel]  # noqa: E731
    discord_posts = lambda: discord.find("POST", rf"/channels/{CHANNEL_ID}/messages")  # noqa: E731
    async with aiohttp.ClientSession() as http:
        try:
            for process in processes:
                await process.start()
            for process in processes:
                await until(lambda p=process: _ready(p, http), f"{process.base} to be ready")
            await until(lambda: leads(processes[0], http, "slack"), "the Slack process to lead Slack")
            await until(lambda: leads(processes[1], http, "discord"), "the Discord process to lead Discord")
            await slack.wait_for(lambda: len(slack_posts()) >= 2, DEADLINE)
            await discord.wait_for(lambda: len(discord_posts()) >= 2, DEADLINE)
            await until(lambda: _all_revealed(database, yesterday.instances), "both reveals to be recorded")
            assert not await leads(processes[0], http, "discord")
            assert not await leads(processes[1], http, "slack")
        finally:
            codes = await stop_all(processes)
            await slack.stop()
            await discord.stop()
    try:
        reports = [
            stop_report(name, code, p.log) for name, code, p in zip(NAMES, codes, processes, strict=True)
        ]
        assert not any(reports), "\n\n".join(r for r in reports if r)
        reveal, question = slack_posts()
        assert "answer" in str(reveal.body).lower() and "actions" in str(question.body)
        reveal, question = discord_posts()
        assert "components" not in reveal.body or reveal.body["components"] == []
        assert question.body.get("components")
        assert await core.uow.read(lambda r: r.outbox.pending(REVEAL, "")) == []
        for log in ("slack.log", "discord.log"):
            assert "no adapter for" not in (tmp_path / log).read_text()
    finally:
        await database.dispose()


async def stop_all(processes: Sequence[Process]) -> list[int | None]:
    """SIGTERM to every process still running, at once, as a rollout does; each one's exit
    code, None for one still running after DEADLINE (then killed)."""
    running = [p.process for p in processes if p.process is not None]
    for process in running:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    codes: list[int | None] = []
    for process in running:
        try:
            codes.append(await asyncio.wait_for(process.wait(), DEADLINE))
        except TimeoutError:
            process.kill()
            await process.wait()
            codes.append(None)
    return codes


def stop_report(name: str, code: int | None, log: Path) -> str | None:
    """None if the process stopped cleanly: exit code 0 and nothing logged at ERROR. Else what
    to read first: the exit code, every record logged at ERROR or with a traceback (a
    traceback printed to stderr joins the record before it), and the first line of each record
    from "stopping" on. (Once, under load, a process exited 1 on SIGTERM and the tail of its
    log did not say why.)"""
    records: list[list[str]] = []
    for line in log.read_text().splitlines():
        if RECORD_START.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    problems = [r for r in records if BAD_RECORD.search(r[0]) or any("Traceback" in line for line in r)]
    if code == 0 and not problems:
        return None
    stopping = max((i for i, r in enumerate(records) if r[0].endswith("adapters.serve: stopping")), default=0)
    said = "still running after the deadline (killed)" if code is None else f"exit code {code}"
    return "\n".join(
        [
            f"the {name} process, on SIGTERM: {said}; {len(problems)} records at ERROR or with a traceback:",
            *(line for record in problems[:10] for line in record[:80]),
            f"--- the {name} process's log from 'stopping' on, first lines ({log}):",
            *(record[0] for record in records[stopping:][-60:]),
        ]
    )


async def _all_revealed(database: Database, instances: Sequence[int]) -> bool:
    from sqlalchemy import select

    from bot.db.tables import question_instances as q

    query = select(q.c.revealed_at).where(q.c.id.in_(instances))
    return all(value is not None for value in await database.read(lambda c: list(c.execute(query).scalars())))


def _minutes_ago(minutes: int) -> int:
    moment = datetime.now(UTC) - timedelta(minutes=minutes)
    return moment.hour * 60 + moment.minute
