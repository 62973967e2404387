"""Issue 17, point 6(c): study reminders to 10,000 people in 100 workspaces, all due at the same
minute, through the delivery table (`OutboxRunner.run_due`, the `reminder` handler) and the
Slack poster's direct messages (conversations.open, then chat.postMessage), against the stand-in
Slack in its own process enforcing 5 posts per second per workspace and answering 2% of posts
with 429 or 500. Floor (workspaces in parallel): each person's post follows their
conversations.open, which Slack takes 50 a minute in a workspace (Tier 3) and the poster spaces
evenly (one every 1.2 s), and posts go 5 a second: 100 opens 1.2 s apart, the last posted at 119 s.
Later reminders to the same people in the same process open nothing (the channel is remembered).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, insert, select

from adapters.slack.daily_poster import SlackDailyPoster
from adapters.slack.installs import DatabaseInstallationStore
from adapters.slack.pacing import MINUTE_SECONDS, OPENS_PER_MINUTE, ChannelPacer, WorkspaceLimiter
from adapters.slack.reminders import SlackReminders
from adapters.slack.web_logging import skip_unwanted_debug_lines
from benchmarks import fanout, servers, world
from benchmarks.report import Figure, at_least, at_most, info
from bot.app.learning_ports import LearnerProfile
from bot.app.ports import Repositories
from bot.app.reminders import Reminders
from bot.bank import QuestionBank
from bot.bootstrap import freeze_long_lived
from bot.db.database import Database
from bot.db.tables import users
from bot.db.tables_learning import cards
from bot.db.tables_outbox import outbox
from bot.reminders import REMINDER_KIND, ReminderTime

FAILURES = 0.02


@dataclass(frozen=True)
class ReminderPlan:
    workspaces: int
    people_per_workspace: int
    rate: int

    @property
    def people(self) -> int:
        return self.workspaces * self.people_per_workspace

    @property
    def floor(self) -> float:
        """When a workspace's last post is answered at the soonest: one post every 1/rate
        seconds, none before its person's conversations.open, which go 50 a minute evenly."""
        interval = 1.0 / self.rate
        last = -interval
        for number in range(self.people_per_workspace):
            opened = number * MINUTE_SECONDS / OPENS_PER_MINUTE
            last = max(last + interval, opened)
        return last + interval


FULL = ReminderPlan(workspaces=100, people_per_workspace=100, rate=5)
QUICK = ReminderPlan(workspaces=4, people_per_workspace=5, rate=10)


def person(number: int) -> str:
    return f"U{number:06d}"


async def _seed_people(database: Database, plan: ReminderPlan, due: datetime) -> None:
    """Every person with one card due (so a reminder has something to say)."""
    async with database.async_transaction(write=True) as connection:
        await connection.execute(
            insert(users),
            [
                {
                    "id": n + 1,
                    "workspace_id": n % plan.workspaces + 1,
                    "external_id": person(n),
                    "display_name": f"person {n}",
                    "created_at": world.EPOCH,
                }
                for n in range(plan.people)
            ],
        )
        await connection.execute(
            insert(cards),
            [
                {
                    "user_id": n + 1,
                    "question_id": "q1",
                    "state": 2,
                    "stability": 3.0,
                    "difficulty": 5.0,
                    "due": due,
                    "last_review": due - timedelta(days=3),
                    "reviews": 2,
                    "introduced_at": due - timedelta(days=5),
                }
                for n in range(plan.people)
            ],
        )


def _turn_on(plan: ReminderPlan, when: ReminderTime, after: datetime, repositories: Repositories) -> None:
    """Each person's `remind at`, as `Reminders.turn_on` writes it: the setting and the next row.
    People turn reminders on in no order of workspace: person n is in workspace n mod 100."""
    for n in range(plan.people):
        repositories.learners.set_reminder(n + 1, when, after)
        profile = LearnerProfile(
            remind_hour=when.hour,
            remind_minute=when.minute,
            remind_timezone="UTC",
            remind_weekdays=when.weekdays,
        )
        workspace = fanout.team(n % plan.workspaces)
        Reminders.schedule_next(repositories, "slack", workspace, person(n), n + 1, profile, after)


async def _states(database: Database) -> dict[str, int]:
    async with database.async_transaction(write=False) as connection:
        query = (
            select(outbox.c.state, func.count())
            .where(outbox.c.kind == REMINDER_KIND)
            .group_by(outbox.c.state)
        )
        return {state: int(count) for state, count in await connection.execute(query)}


async def run(directory: Path, questions: QuestionBank, plan: ReminderPlan) -> list[Figure]:
    database = await world.migrated(directory / "reminders.db")
    options = ("--workspace-rate", str(plan.rate), "--failures", str(FAILURES))
    now = datetime.now(UTC)
    due_minute = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    try:
        await fanout._seed_places(database, fanout.FanoutPlan(plan.workspaces, 1, plan.rate))
        await _seed_people(database, plan, now - timedelta(hours=1))
        core = world.core(database, questions)
        when = ReminderTime(due_minute.hour, due_minute.minute, "UTC", "mon-sun")
        await core.uow.write(lambda r: _turn_on(plan, when, due_minute - timedelta(minutes=1), r))
        async with servers.stand_in(*options) as slack_url, aiohttp.ClientSession() as session:
            skip_unwanted_debug_lines()
            client = AsyncWebClient(base_url=slack_url + "api/", session=session)
            poster = SlackDailyPoster(
                client,
                DatabaseInstallationStore(fanout.CLIENT_ID, database),
                ChannelPacer(),
                WorkspaceLimiter(plan.rate),
            )
            core.reminders.messengers["slack"] = SlackReminders(poster)
            core.outbox.deliver_to("slack")
            freeze_long_lived()
            started = time.perf_counter()
            report = await core.outbox.run_due()
            elapsed = time.perf_counter() - started
            async with session.get(slack_url + "stats") as response:
                stats = await response.json()
        states = await _states(database)
    finally:
        await database.dispose()
    took = stats["posted_channels"] + stats["duplicates"]
    return [
        info(f"elapsed, {plan.people:,} people in {plan.workspaces} workspaces", elapsed, "s"),
        info(f"floor: {plan.people_per_workspace} people, {plan.rate} posts/s, opens", plan.floor, "s"),
        at_most("reminders elapsed / floor", elapsed / plan.floor, "ratio", 1.1),
        at_least("people reminded (missed: the rest)", stats["posted_channels"], "people", plan.people),
        at_most("DMs Slack took (duplicates: over people)", took, "messages", plan.people),
        at_least("rows marked sent", states.get("sent", 0), "rows", plan.people),
        info("rows sent in the run", len(report.sent), "rows"),
    ]
