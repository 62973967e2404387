"""Private practice, reviews and the exam date on Discord: every reply ephemeral, so nobody but
the learner sees their questions; the answer buttons are the channel questions' own."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters import learning_text
from adapters.discord import render
from adapters.discord.command_journal import Followups, Options
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
    """Private practice, reviews, reminders and the exam date: each journaled before its defer
    (`command_journal`, options in the row), one body of work for the live reply and for the
    recovery after a crash."""

    def __init__(self, commands: QuizCommands) -> None:
        self.base = commands
        journal = commands.journal
        journal.register("private quiz", self.private_quiz, public=False)
        journal.register("review", self.review, public=False)
        for name in ("remind at", "remind off", "remind status", "pause"):
            journal.register(name, self.remind, public=False)
        journal.register("exam date", self.set_exam_date, public=False)

    async def private(self, interaction: discord.Interaction, action: str, topic: str | None) -> None:
        """`/quiz topic private:True` ("private quiz") or `/quiz-review` ("review")."""
        await self.base.journal.run(interaction, action, {"topic": topic}, self.base.in_flight)

    async def private_quiz(self, replies: Exchange | Followups, options: Options) -> None:
        await self._practise(replies, Ask(_text(options, "topic"), private=True))

    async def review(self, replies: Exchange | Followups, options: Options) -> None:
        await self._practise(replies, StartReview(_text(options, "topic")))

    async def _practise(self, replies: Exchange | Followups, command: Ask | StartReview) -> None:
        result = await replies.execute(self.base.commands, command)
        match result:
            case PrivateQuestion(view):
                embed = private_question(result)
                await replies.send(ephemeral=True, embed=embed, view=self.base.buttons.question(view))
            case ReviewDone():
                done = "\n".join(learning_text.review_done(result, DISCORD_STYLE))
                await replies.send(done, ephemeral=True)
            case TopicNotFound():
                await replies.refuse(render.not_found(result))
            case NoQuestions():
                await replies.refuse(render.no_questions(result))

    async def reminders(self, interaction: discord.Interaction, action: str, options: Options) -> None:
        """`/quiz-remind at|off|status` and `/quiz-pause`: a typed option refused before anything
        is deferred, else journaled and deferred."""
        command = reminder_command(action, options)
        if isinstance(command, Invalid):
            await self.base.refuse_at_once(interaction, action, command.message)
            return
        await self.base.journal.run(interaction, action, options, self.base.in_flight)

    async def remind(self, replies: Exchange | Followups, options: Options) -> None:
        command = reminder_command(str(options["action"]), options)
        if isinstance(command, Invalid):
            await replies.refuse(command.message)
            return
        result = await replies.execute(self.base.commands, command)
        if isinstance(result, ReminderStatus):
            text = learning_text.reminder_status(result, DISCORD_STYLE).replace(
                "/quiz remind at", "/quiz-remind at"
            )
            await replies.send(text, ephemeral=True)

    async def exam_date(self, interaction: discord.Interaction, typed: str) -> None:
        command = exam_date(typed)
        if isinstance(command, Invalid):
            await self.base.refuse_at_once(interaction, "exam date", command.message)
            return
        await self.base.journal.run(interaction, "exam date", {"date": typed}, self.base.in_flight)

    async def set_exam_date(self, replies: Exchange | Followups, options: Options) -> None:
        command = exam_date(str(options["date"]))
        if isinstance(command, Invalid):
            await replies.refuse(command.message)
            return
        result = await replies.execute(self.base.commands, command)
        if isinstance(result, ExamDateSet):
            await replies.send(learning_text.exam_date_set(result, DISCORD_STYLE), ephemeral=True)


def _text(options: Options, name: str) -> str | None:
    value = options.get(name)
    return value if isinstance(value, str) else None


def reminder_command(
    action: str, options: Options
) -> RemindOn | RemindOff | RemindStatus | PauseReminders | Invalid:
    """The reminder command `action` names, from the options recorded in its journal row."""
    match action:
        case "remind at":
            return remind_at(str(options["time"]), _text(options, "timezone"), _text(options, "weekdays"))
        case "remind off":
            return RemindOff()
        case "remind status":
            return RemindStatus()
        case _:
            days = options["days"]
            return PauseReminders(days if isinstance(days, int) else 0)


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
        options = {"action": "remind at", "time": time, "timezone": timezone, "weekdays": weekdays}
        await learning.reminders(interaction, "remind at", options)

    @group.command(name="off", description="No more reminders")
    async def off(interaction: discord.Interaction) -> None:
        await learning.reminders(interaction, "remind off", {"action": "remind off"})

    @group.command(name="status", description="When my next reminder comes, or why it is paused")
    async def status(interaction: discord.Interaction) -> None:
        await learning.reminders(interaction, "remind status", {"action": "remind status"})

    @tree.command(name="quiz-pause", description="Hold my reminders for a vacation (0 days ends a pause)")
    @app_commands.describe(days="How many days, starting today")
    async def pause(interaction: discord.Interaction, days: Range[int, 0, 365]) -> None:
        await learning.reminders(interaction, "pause", {"action": "pause", "days": days})

    tree.add_command(group)


def add_learning(tree: app_commands.CommandTree[discord.Client], learning: LearningCommands) -> None:
    """`/quiz-review [topic]` and `/quiz-exam-date date`; `/quiz topic private:True` comes here too."""

    @tree.command(
        name="quiz-review", description="Your cards due for review, then new ones; only you see them"
    )
    @app_commands.describe(topic="Only this topic's cards (default: all)")
    async def review(interaction: discord.Interaction, topic: Range[str, 1, 100] | None = None) -> None:
        await learning.private(interaction, "review", topic)

    @review.autocomplete("topic")
    async def complete(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return await learning.base.complete_topic(interaction, typed)

    @tree.command(name="quiz-exam-date", description="Your exam date: days left and a plan per day")
    @app_commands.describe(date="The date as YYYY-MM-DD, or off")
    async def exam(interaction: discord.Interaction, date: Range[str, 1, 20]) -> None:
        await learning.exam_date(interaction, date)
