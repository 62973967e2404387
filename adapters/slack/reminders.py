"""Study reminders through Slack: a direct message with the cards due, the streak and a hint
to start, through the daily poster's workspace turns, token lookups and retries."""

from __future__ import annotations

from adapters import learning_text
from adapters.slack.daily_poster import CLOSED_DM_ERRORS, SlackDailyPoster
from adapters.slack.kit import context, message, section
from bot.app.reminders import DirectResult
from bot.daily.models import PermanentDeliveryError, TransientDeliveryError
from bot.learning_models import ReminderMessage


class SlackReminders:
    """`DirectMessages` for Slack."""

    def __init__(self, poster: SlackDailyPoster) -> None:
        self.poster = poster

    async def send_reminder(self, workspace: str, user: str, reminder: ReminderMessage) -> DirectResult:
        text = learning_text.reminder(reminder)
        sent = message(
            text, [section(text), context("Stop these: /quiz remind off · hold them: /quiz pause N days")]
        )
        try:
            await self.poster.send_direct(workspace, user, sent)
        except PermanentDeliveryError as error:
            closed = any(f"({code})" in str(error) for code in CLOSED_DM_ERRORS)
            return DirectResult.CLOSED if closed else DirectResult.RETRY
        except TransientDeliveryError:
            return DirectResult.RETRY
        return DirectResult.SENT
