"""Study reminders through the Slack stand-in: conversations.open, then chat.postMessage to the
direct message channel; a person whose DMs are closed is reported closed (the core pauses them)."""

from __future__ import annotations

import asyncio
import bisect

from slack_harness import FakeTime
from slack_stand_in import Call, StandInSlack
from test_slack_daily_poster import client, poster

from adapters.slack.daily_poster import SlackDailyPoster
from adapters.slack.pacing import MINUTE_SECONDS, OPENS_PER_MINUTE, ChannelPacer, WorkspaceLimiter
from adapters.slack.reminders import SlackReminders
from bot.app.reminders import DirectResult
from bot.learning_models import ReminderMessage


async def test_a_reminder_is_a_direct_message_with_the_count_and_the_streak(slack_api: StandInSlack) -> None:
    reminders = SlackReminders(poster(slack_api))
    assert await reminders.send_reminder("T1", "U7", ReminderMessage(due=3, streak=4)) is DirectResult.SENT
    [opened] = slack_api.ok("conversations.open")
    assert opened.body["users"] == "U7"
    [posted] = slack_api.ok("chat.postMessage")
    assert posted.body["channel"] == "DU7"
    assert "3 cards are due for review. Your streak: 4." in posted.body["text"]


async def test_closed_direct_messages_are_reported_closed_and_nothing_is_posted(
    slack_api: StandInSlack,
) -> None:
    slack_api.closed_dms.add("U8")
    reminders = SlackReminders(poster(slack_api))
    assert await reminders.send_reminder("T1", "U8", ReminderMessage(due=1, streak=0)) is DirectResult.CLOSED
    assert slack_api.attempts("chat.postMessage") == []


def busiest(arrivals: list[float], window: float) -> int:
    """The most calls that arrived within any one `window` seconds."""
    times = sorted(arrivals)
    return max(bisect.bisect_left(times, start + window) - index for index, start in enumerate(times))


async def test_a_burst_of_reminders_keeps_each_method_within_its_slack_limit(slack_api: StandInSlack) -> None:
    """70 people due at once in one workspace: conversations.open (Tier 3, 50 a minute) and
    chat.postMessage (the workspace's posts a second) each stay within their own limit, counted by
    the paced clock at the moment each call reached the stand-in."""
    time = FakeTime()
    arrivals: dict[str, list[float]] = {"conversations.open": [], "chat.postMessage": []}
    record = slack_api._record

    async def stamped(call: Call) -> None:
        arrivals.setdefault(call.method, []).append(time.now)
        await record(call)

    slack_api._record = stamped  # type: ignore[method-assign]
    reminders = SlackReminders(
        SlackDailyPoster(
            client(slack_api, "xoxb-test"),
            None,
            ChannelPacer(clock=time.monotonic, sleep=time.sleep),
            WorkspaceLimiter(2, clock=time.monotonic, sleep=time.sleep),
            sleep=time.sleep,
            clock=time.monotonic,
        )
    )
    people = [f"U{n:03d}" for n in range(OPENS_PER_MINUTE + 20)]
    results = await asyncio.gather(
        *(reminders.send_reminder("T1", person, ReminderMessage(due=1, streak=0)) for person in people)
    )
    assert set(results) == {DirectResult.SENT}
    assert len(arrivals["conversations.open"]) == len(arrivals["chat.postMessage"]) == len(people)
    assert busiest(arrivals["conversations.open"], MINUTE_SECONDS) <= OPENS_PER_MINUTE
    assert busiest(arrivals["chat.postMessage"], 1.0) <= 2
