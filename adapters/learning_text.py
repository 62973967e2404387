"""The learning replies (private questions, reviews, readiness, exam plans) as lines of text,
shared by the terminal, Slack and Discord renderers. Each passes its own `Style`: how it escapes
text from the bank and how it makes a word bold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.learning_models import (
    ExamDateSet,
    ExamPlan,
    PrivateQuestion,
    Readiness,
    ReminderMessage,
    ReminderStatus,
    RevealedQuestion,
    ReviewDone,
)


@dataclass(frozen=True)
class Style:
    escape: Callable[[str], str]
    bold: Callable[[str], str]


PLAIN = Style(lambda text: text, lambda text: text)
PRIVATE_NOTE = "Only you see this. Private answers keep your streak and your cards, and score no points."


def percent(value: float) -> str:
    return f"{round(value * 100)}%"


def revealed(items: tuple[RevealedQuestion, ...], style: Style) -> list[str]:
    return [
        f"Left unanswered: {style.escape(item.prompt)} Answer: {style.bold(style.escape(item.answer))}"
        for item in items
    ]


def private_heading(result: PrivateQuestion) -> str:
    if not result.review:
        return "Private practice"
    if result.is_new:
        return f"Review · a new question ({result.new_left} more new allowed today)"
    return f"Review · due card ({result.due_left} more due)"


def review_done(result: ReviewDone, style: Style) -> list[str]:
    lines = revealed(result.revealed, style)
    if result.next_due is None:
        lines.append("No cards yet: answer a few questions, then review them here with /quiz review.")
    else:
        local = result.next_due.astimezone(ZoneInfo(result.timezone))
        lines.append(f"Nothing due for review. Next card due {style.bold(f'{local:%a %d %b %H:%M %Z}')}.")
    if result.new_limit_reached:
        lines.append("You have met today's new questions; more tomorrow.")
    return lines


def plan(result: ExamPlan, style: Style) -> str:
    if result.days_left <= 0:
        return f"Your exam date {result.exam_date:%d %b %Y} has come: set the next one with /quiz exam-date."
    days = "1 day" if result.days_left == 1 else f"{result.days_left} days"
    return (
        f"Exam {result.exam_date:%a %d %b %Y}: {style.bold(days)} left. Plan per day: "
        f"{result.due_today} reviews due now + {result.new_per_day} new questions "
        f"({result.unseen} not seen yet) = {style.bold(str(result.per_day))} today."
    )


def readiness(result: Readiness, style: Style) -> list[str]:
    overall = result.overall
    lines = [
        f"Readiness {style.bold(percent(overall.readiness))} · seen {overall.seen} of {overall.pool} "
        f"questions · {overall.due} due for review · {result.reviews} answers remembered"
    ]
    if result.study_next:
        lines.append("Study next: " + ", ".join(style.escape(name) for name in result.study_next))
    if result.plan is not None:
        lines.append(plan(result.plan, style))
    return lines


def readiness_rows(result: Readiness) -> list[tuple[str, str, int, str]]:
    """(topic, seen of pool, due, readiness) per topic, for each platform's table."""
    return [(t.topic_name, f"{t.seen}/{t.pool}", t.due, percent(t.readiness)) for t in result.topics]


READINESS_HEADERS = ("Topic", "Seen", "Due", "Ready")


def exam_date_set(result: ExamDateSet, style: Style) -> str:
    if result.exam_date is None or result.plan is None:
        return "Exam date off. Set one any time: /quiz exam-date YYYY-MM-DD"
    return "Exam date set. " + plan(result.plan, style)


def reminder_status(status: ReminderStatus, style: Style) -> str:
    if not status.on or status.timezone is None:
        return "Reminders are off. Turn them on: /quiz remind at HH:MM [TIMEZONE] [WEEKDAYS]"
    line = (
        f"Reminders at {style.bold(f'{status.hour:02d}:{status.minute:02d}')} {status.timezone} "
        f"({status.weekdays}), when you have cards due."
    )
    if status.paused_reason is not None:
        return f"{line}\nPaused: {status.paused_reason}. Turn them on again with /quiz remind at HH:MM."
    if status.paused_until is not None:
        line += f"\nPaused through {status.paused_until:%a %d %b %Y}."
    if status.next_at is not None:
        local = status.next_at.astimezone(ZoneInfo(status.timezone))
        line += f"\nNext reminder: {local:%a %d %b %H:%M %Z}."
    return line


def reminder(message: ReminderMessage) -> str:
    """The direct message itself (plain: both platforms show it as it is)."""
    cards = "1 card is" if message.due == 1 else f"{message.due} cards are"
    return f"{cards} due for review. Your streak: {message.streak}. Start with /quiz review"
