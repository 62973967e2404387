"""Private practice, reviews and the exam date on Discord: every reply ephemeral, so nobody but
the learner sees their questions; the answer buttons are the channel questions' own."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters import learning_text
from adapters.discord import render
from adapters.discord.exchange import Exchange
from adapters.discord.slash import QuizCommands
from bot.grammar import Ask, Invalid, exam_date
from bot.grammar_learning import StartReview
from bot.learning_models import ExamDateSet, PrivateQuestion, ReviewDone
from bot.models import NoQuestions, TopicNotFound

DISCORD_STYLE = learning_text.Style(render.safe, lambda text: f"**{text}**")


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
        return learning.base.complete_topic(typed)

    @tree.command(name="quiz-exam-date", description="Your exam date: days left and a plan per day")
    @app_commands.describe(date="The date as YYYY-MM-DD, or off")
    async def exam(interaction: discord.Interaction, date: Range[str, 1, 20]) -> None:
        await learning.exam_date(interaction, date)
