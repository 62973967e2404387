"""Embeds and components of the mock exam on Discord: one ephemeral message per exam, edited
in place as the person answers, moves, flags, reviews and submits.

A custom_id carries the exam, what to do and the question's position, so a click reaches the
core with nothing else: `exam:ID:VERB:POSITION[:CHOICE]`; a multiple-response question has a
select menu `exam:ID:picks:POSITION` taking exactly as many options as it has right answers.
"""

from __future__ import annotations

import discord

from adapters.discord.render import COLOUR, RIGHT, WRONG, choice_label, pick_placeholder
from bot.exam_models import ExamHistory, ExamQuestion, ExamReport, ExamReview, clock_text, share_text
from bot.questions import Kind

BUTTON = (
    r"exam:(?P<exam>[0-9]+):(?P<verb>answer|next|back|flag|go|review|submit)"
    r":(?P<position>[0-9]+)(:(?P<choice>[0-9]))?"
)
MENU = r"exam:(?P<exam>[0-9]+):picks:(?P<position>[0-9]+)"
GO_BUTTONS = 15
MISSED_SHOWN = 10
FIELD_MAX = 1024
EMBED_BUDGET = 5800
"""Discord refuses an embed over 6,000 characters in all; the missed questions stop short of it."""


def custom_id(exam_id: int, verb: str, position: int, choice: int | None = None) -> str:
    return f"exam:{exam_id}:{verb}:{position}" + ("" if choice is None else f":{choice}")


def question_embed(screen: ExamQuestion) -> discord.Embed:
    view = screen.question
    flag = " 🚩" if screen.flagged else ""
    embed = discord.Embed(
        title=f"Question {screen.position + 1} of {screen.total}{flag}",
        description=view.prompt,
        colour=COLOUR,
    )
    embed.add_field(
        name="Time left",
        value=f"{clock_text(screen.seconds_left)} (ends {discord.utils.format_dt(screen.deadline, 'R')})",
    )
    embed.add_field(name="Answered", value=f"{screen.answered} of {screen.total}")
    embed.add_field(name="Flagged", value=str(screen.flagged_count))
    picked = ", ".join(choice_label(i, view.choices[i]) for i in screen.picked) or "none yet"
    embed.add_field(name="Your answer", value=picked[:FIELD_MAX], inline=False)
    if screen.notice:
        embed.set_author(name=screen.notice[:256])
    embed.set_footer(text=f"{view.topic_name} · you can change answers until you submit")
    return embed


def review_embed(screen: ExamReview) -> discord.Embed:
    lines = [
        f"{line.position + 1}. {'answered' if line.answered else '**not answered**'}"
        + (" · 🚩 flagged" if line.flagged else "")
        for line in screen.lines
    ]
    embed = discord.Embed(title="Review", description="\n".join(lines)[:4000], colour=COLOUR)
    embed.add_field(name="Time left", value=clock_text(screen.seconds_left))
    embed.add_field(name="Unanswered", value=str(screen.unanswered))
    return embed


def report_embed(result: ExamReport) -> discord.Embed:
    verdict = "PASS" if result.passed else "FAIL"
    lead = "Time is up: submitted at the deadline. " if result.timed_out else ""
    embed = discord.Embed(
        title=f"Score: {result.score} / 1000 · {verdict}",
        description=(
            f"{result.notice + ' ' if result.notice else ''}{lead}"
            f"{share_text(result.correct, result.total)} right,"
            f" {result.answered} answered, time used {clock_text(result.seconds_used)}"
            f" of {result.minutes} min."
            " Pass mark 700; the scaled score is an estimate (AWS does not publish its mapping)."
        ),
        colour=RIGHT if result.passed else WRONG,
    )
    by_domain = "\n".join(f"{a.name}: {share_text(a.correct, a.total)}" for a in result.by_domain)
    by_topic = "\n".join(f"{a.name}: {share_text(a.correct, a.total)}" for a in result.by_topic)
    embed.add_field(name="By domain", value=by_domain[:FIELD_MAX] or "-", inline=False)
    embed.add_field(name="By topic", value=by_topic[:FIELD_MAX] or "-", inline=False)
    shown = 0
    for missed in result.missed[:MISSED_SHOWN]:
        picked = "; ".join(missed.picked) or "not answered"
        value = f"Your answer: {picked}\nRight answer: **{'; '.join(missed.right)}**\n{missed.explanation}"
        name = f"{missed.position + 1}. {missed.prompt}"[:256]
        if len(embed) + len(name) + min(len(value), FIELD_MAX) > EMBED_BUDGET:
            break
        embed.add_field(name=name, value=value[:FIELD_MAX], inline=False)
        shown += 1
    if len(result.missed) > shown:
        embed.set_footer(text=f"…and {len(result.missed) - shown} more missed questions.")
    return embed


def history_embed(result: ExamHistory) -> discord.Embed:
    if not result.attempts:
        return discord.Embed(
            title="Your exams", description="No exams submitted yet. Start one: /quiz-exam start"
        )
    lines = [
        f"{discord.utils.format_dt(a.finished_at, 'd')} · **{a.score}** ({'pass' if a.passed else 'fail'}) · "
        f"{share_text(a.correct, a.total)} · {a.topic_name}"
        for a in result.attempts
    ]
    if result.trend is not None:
        lines.append(f"Trend: {result.trend:+d} against your earlier average.")
    return discord.Embed(title="Your exams, newest first", description="\n".join(lines), colour=COLOUR)


def question_components(screen: ExamQuestion) -> list[discord.ui.Item[discord.ui.View]]:
    """The answer row (buttons, or a menu for multiple response) and the moves row."""
    view, exam_id, position = screen.question, screen.exam_id, screen.position
    items: list[discord.ui.Item[discord.ui.View]] = []
    if view.kind is Kind.MULTIPLE_RESPONSE:
        options = [
            discord.SelectOption(label=choice_label(i, c)[:100], value=str(i), default=i in screen.picked)
            for i, c in enumerate(view.choices)
        ]
        items.append(
            discord.ui.Select(
                custom_id=f"exam:{exam_id}:picks:{position}",
                placeholder=pick_placeholder(view.pick_count),
                min_values=view.pick_count,
                max_values=view.pick_count,
                options=options,
                row=0,
            )
        )
    else:
        for i, choice in enumerate(view.choices):
            style = discord.ButtonStyle.primary if i in screen.picked else discord.ButtonStyle.secondary
            label = choice_label(i, choice)[:80]
            items.append(
                discord.ui.Button(
                    label=label, custom_id=custom_id(exam_id, "answer", position, i), style=style, row=0
                )
            )
    moves = [
        ("back", "Back", position > 0),
        ("next", "Next", position + 1 < screen.total),
        ("flag", "Unflag" if screen.flagged else "Flag for review", True),
        ("review", "Review and submit", True),
    ]
    for verb, label, shown in moves:
        if shown:
            items.append(discord.ui.Button(label=label, custom_id=custom_id(exam_id, verb, position), row=1))
    return items


def review_components(screen: ExamReview) -> list[discord.ui.Item[discord.ui.View]]:
    worth_a_look = [line for line in screen.lines if line.flagged or not line.answered][:GO_BUTTONS]
    items: list[discord.ui.Item[discord.ui.View]] = [
        discord.ui.Button(
            label=f"Go to {line.position + 1}",
            custom_id=custom_id(screen.exam_id, "go", line.position),
            row=n // 5,
        )
        for n, line in enumerate(worth_a_look)
    ]
    items.append(
        discord.ui.Button(
            label="Submit exam",
            custom_id=custom_id(screen.exam_id, "submit", 0),
            style=discord.ButtonStyle.danger,
            row=3,
        )
    )
    return items
