"""Private practice, reviews and the exam date on Discord: every reply ephemeral, so nobody but
the learner sees their questions; the answer buttons are the channel questions' own."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters import learning_text
from adapters.discord import render
from adapters.discord.exchange import Exchange
from adapters.discord.markdown import safe
from adapters.discord.slash import QuizCommands
from bot.grammar import Ask, Invalid, exam_date, remind_at
from bot.grammar_learning import PauseReminders, RemindOff, RemindOn, RemindStatus, StartReview
from bot.learning_models import ExamDateSet, PrivateQuestion, ReminderStatus, ReviewDone
from bot.models import NoQuestions, TopicNotFound

DISCORD_STYLE = learning_text.Style(safe, lambda text: f"**{text}**")


def private_question(result: PrivateQuestion) -> discord.Embed:
    embed = render.question(result.question)
    embed.title = f"{learning_text.private_heading(result)} · {result.question.topic_name}"
    lines = learning_text.revealed(result.revealed, DISCORD_STYLE)
    if lines:
        embed.add_field(name="Left unanswered", value="\n".join(lines)[:1024], inline=False)
    embed.set_footer(text=learning_text.PRIVATE_NOTE)
    return embed


class LearningCommands:
    def __init__(self, commands: QuizCommands) -> None:
        self.base = commands

    async def private(
        self, interaction: discord.Interaction, command: Ask | StartReview, action: str
    ) -> None:
        exchange = Exchange(interaction)
        await exchange.defer(ephemeral=True)
        async with self.base.in_flight.track(), exchange.guard(action):
            result = await exchange.execute(self.base.commands, command)
            match result:
                case PrivateQuestion(view):
                    embed = private_question(result)
                    await exchange.send(ephemeral=True, embed=embed, view=self.base.buttons.question(view))
                case ReviewDone():
                    await exchange.send(
                        "\n".join(learning_text.review_done(result, DISCORD_STYLE)), ephemeral=True
                    )
                case TopicNotFound():
                    await exchange.refuse(render.not_found(result))
                case NoQuestions():
                    await exchange.refuse(render.no_questions(result))

    async def reminders(
        self,
        interaction: discord.Interaction,
        command: RemindOn | RemindOff | RemindStatus | PauseReminders | Invalid,
    ) -> None:
        exchange = Exchange(interaction)
        async with exchange.guard("reminders"):
            if isinstance(command, Invalid):
                await exchange.refuse(command.message)
                return
            await exchange.defer(ephemeral=True)
            result = await exchange.execute(self.base.commands, command)
            if isinstance(result, ReminderStatus):
                text = learning_text.reminder_status(result, DISCORD_STYLE).replace(
                    "/quiz remind at", "/quiz-remind at"
                )
                await exchange.send(text, ephemeral=True)

    async def exam_date(self, interaction: discord.Interaction, typed: str) -> None:
        exchange = Exchange(interaction)
        async with exchange.guard("exam date"):
            command = exam_date(typed)
            if isinstance(command, Invalid):
                await exchange.refuse(command.message)
                return
            await exchange.defer(ephemeral=True)
            result = await exchange.execute(self.base.commands, command)
            if isinstance(result, ExamDateSet):
                await exchange.send(learning_text.exam_date_set(result, DISCORD_STYLE), ephemeral=True)


REMINDER_GROUP_DESCRIPTION = "A direct message when you have cards due for review"


def add_reminders(tree: app_commands.CommandTree[discord.Client], learning: LearningCommands) -> None:
    """`/quiz-remind at|off|status` and `/quiz-pause days`."""
    group = app_commands.Group(name="quiz-remind", description=REMINDER_GROUP_DESCRIPTION)

    @group.command(name="at", description="Remind me at this time when I have cards due")
    @app_commands.describe(
        time="HH:MM on a 24-hour clock, e.g. 08:30",
        timezone="Your time zone, e.g. Europe/Berlin (default: the server's)",
        weekdays="Which days: every day (the default), weekdays, weekends, or e.g. mon,wed,fri",
    )
    async def at(
        interaction: discord.Interaction,
        time: Range[str, 1, 20],
        timezone: Range[str, 1, 100] | None = None,
        weekdays: Range[str, 1, 100] | None = None,
    ) -> None:
        await learning.reminders(interaction, remind_at(time, timezone, weekdays))

    @group.command(name="off", description="No more reminders")
    async def off(interaction: discord.Interaction) -> None:
        await learning.reminders(interaction, RemindOff())

    @group.command(name="status", description="When my next reminder comes, or why it is paused")
    async def status(interaction: discord.Interaction) -> None:
        await learning.reminders(interaction, RemindStatus())

    @tree.command(name="quiz-pause", description="Hold my reminders for a vacation (0 days ends a pause)")
    @app_commands.describe(days="How many days, starting today")
    async def pause(interaction: discord.Interaction, days: Range[int, 0, 365]) -> None:
        await learning.reminders(interaction, PauseReminders(days))

    tree.add_command(group)


def add_learning(tree: app_commands.CommandTree[discord.Client], learning: LearningCommands) -> None:
    """`/quiz-review [topic]` and `/quiz-exam-date date`; `/quiz topic private:True` comes here too."""

    @tree.command(
        name="quiz-review", description="Your cards due for review, then new ones; only you see them"
    )
    @app_commands.describe(topic="Only this topic's cards (default: all)")
    async def review(interaction: discord.Interaction, topic: Range[str, 1, 100] | None = None) -> None:
        await learning.private(interaction, StartReview(topic), "review")

    @review.autocomplete("topic")
    async def complete(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return await learning.base.complete_topic(interaction, typed)

    @tree.command(name="quiz-exam-date", description="Your exam date: days left and a plan per day")
    @app_commands.describe(date="The date as YYYY-MM-DD, or off")
    async def exam(interaction: discord.Interaction, date: Range[str, 1, 20]) -> None:
        await learning.exam_date(interaction, date)
