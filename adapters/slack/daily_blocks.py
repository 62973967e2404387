"""Block Kit for the question of the day: a channel's subscription status and the reveal.

Names of people and teams are plain text or escaped inside a code block, capped in length and
never written as mentions, so a reveal pings nobody and a name formats nothing.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from adapters.slack.kit import Message, cell, context, header, message, plain_section, section
from adapters.slack.mrkdwn import code_block, escape
from adapters.terminal_render import percent, table
from bot import names
from bot.daily.models import DailyStatusReport, Reveal, Subscription

NOT_SUBSCRIBED = (
    "No question of the day in this channel. An admin can start one: `/quiz daily on all at 09:00`"
)


def _clock(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _schedule(subscription: Subscription) -> str:
    topic = f"`{escape(subscription.topic_id)}`" if subscription.topic_id else "all topics"
    when = _clock(subscription.hour, subscription.minute)
    reveal = _clock(*subscription.reveal) if subscription.reveal else "the next post"
    return (
        f"*Question of the day* in this channel: {topic} at {when} {escape(subscription.timezone)}"
        f" ({escape(subscription.weekdays)}); the answer is revealed at {reveal}."
    )


def status(report: DailyStatusReport) -> Message:
    """The channel's subscription: topic, time, zone, weekdays, reveal, and the next post or why
    it is paused. The next post is shown in the subscription's own time zone."""
    subscription = report.subscription
    if subscription is None:
        return message(NOT_SUBSCRIBED, [section(NOT_SUBSCRIBED)])
    blocks = [section(_schedule(subscription))]
    if subscription.paused_reason:
        blocks.append(
            section(
                f":double_vertical_bar: Paused: {escape(subscription.paused_reason)}. "
                "Fix that, then turn it on again with `/quiz daily on`."
            )
        )
    elif report.next_post is not None:
        local = report.next_post.astimezone(ZoneInfo(subscription.timezone))
        blocks.append(context(f"Next post: {local:%A %d %B %Y, %H:%M} {escape(local.tzname() or '')}"))
    return message("Question of the day", blocks)


def announcement(report: DailyStatusReport | None) -> Message:
    """Told to the whole channel when an admin turns the question of the day on (a report) or
    off (None), so that members learn of it from Studybot, not only the admin."""
    if report is None or report.subscription is None:
        text = "The question of the day is off in this channel."
        return message(text, [section(text)])
    blocks = [
        section(_schedule(report.subscription)),
        context("An admin turned it on. `/quiz daily status` shows it; answer each one right here."),
    ]
    return message("The question of the day is on in this channel", blocks)


def reveal(result: Reveal) -> Message:
    """The answer of a daily question and how the channel and its teams did."""
    title = f"Answer to the question of the day · {result.daily_date:%A %d %B}"
    blocks = [
        header(title),
        section(f"*{escape(result.prompt)}*\nAnswer: *{escape(result.answer)}*"),
        section(escape(result.explanation)),
    ]
    blocks.append(section(f"{result.answered} answered, {percent(result.share_correct)} correct."))
    if result.first_correct:
        # Plain text: a name's *stars* or _underscores_ are shown as typed, never formatting.
        first = ", ".join(names.shown(name) for name in result.first_correct)
        blocks.append(plain_section(f"First correct: {first}"))
    if result.teams:
        rows = [(cell(t.name), t.answered, t.correct) for t in result.teams]
        blocks.append(section(code_block(table(("Team", "Answered", "Correct"), rows))))
    blocks.append(context(f"Source: {escape(result.source)}"))
    return message(f"{title}: {result.answer}", blocks)
