"""Study reminders through the Slack stand-in: conversations.open, then chat.postMessage to the
direct message channel; a person whose DMs are closed is reported closed (the core pauses them)."""

from __future__ import annotations

from slack_stand_in import StandInSlack
from test_slack_daily_poster import poster

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
