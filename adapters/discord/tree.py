"""The slash commands as Discord sees them: names, options, choices, permissions.

`/quiz` takes an optional topic, so the rest of the grammar gets commands beside it. Discord
shows them all as soon as a user types `/quiz`.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters.discord.daily import DailyCommands, complete_timezone, complete_weekdays
from adapters.discord.decks import DeckCommands, add_decks
from adapters.discord.digest import DigestCommands, add_digest
from adapters.discord.exam import ExamCommands
from adapters.discord.exchange import FRIENDLY_FAILURE, Exchange, Outcome, count, refused
from adapters.discord.learning import LearningCommands, add_learning, add_reminders
from adapters.discord.slash import QuizCommands
from adapters.discord.turns import DiscordWork
from bot.exam_rules import EXAM_QUESTIONS, MAX_MINUTES, MIN_QUESTIONS
from bot.grammar import TEAM_NAME_MAX
from bot.models import Period, Scope

MANAGE_SERVER = discord.Permissions(manage_guild=True)
PERIODS = [
    Choice(name="this week", value="week"),
    Choice(name="this month", value="month"),
    Choice(name="all time", value="all"),
]
SCOPES = [Choice(name="people", value="people"), Choice(name="teams", value="teams")]

log = logging.getLogger(__name__)


class QuizTree(app_commands.CommandTree[discord.Client]):
    in_flight: DiscordWork | None = None
    """Set by `build_tree`: while it is closed (stopping) commands are answered "restarting",
    while their server's queue is full "busy"."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return self.in_flight is None or not await refused(interaction, self.in_flight)

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        if isinstance(error, app_commands.MissingPermissions):
            outcome, text = Outcome.REFUSED, "Only members with the Manage Server permission can do that."
        else:
            name = interaction.command.qualified_name if interaction.command else "?"
            log.error("discord command /%s failed", name, exc_info=error)
            outcome, text = Outcome.ERROR, FRIENDLY_FAILURE
        count(interaction, outcome)
        await Exchange(interaction).send(text, ephemeral=True)


def offered(interaction: discord.Interaction, choices: list[Choice[str]]) -> list[Choice[str]]:
    """Autocomplete suggestions, counted."""
    count(interaction, Outcome.OK)
    return choices


def build_tree(
    client: discord.Client, commands: QuizCommands, daily: DailyCommands, exam: ExamCommands | None = None
) -> QuizTree:
    tree = QuizTree(client, allowed_contexts=app_commands.AppCommandContext(guild=True))
    tree.in_flight = commands.in_flight
    learning = LearningCommands(commands)
    add_learning(tree, learning)
    add_reminders(tree, learning)

    @tree.command(name="quiz", description="Get a question: from any topic, or the one you pick")
    @app_commands.describe(
        topic="A topic such as ecs; start typing to see them",
        private="Only you see the question (practice for yourself; no points)",
    )
    async def quiz(
        interaction: discord.Interaction, topic: Range[str, 1, 100] | None = None, private: bool = False
    ) -> None:
        if private:
            await learning.private(interaction, "private quiz", topic)
        else:
            await commands.ask(interaction, topic)

    @quiz.autocomplete("topic")
    async def complete(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return offered(interaction, await commands.complete_topic(interaction, typed))

    @tree.command(name="quiz-topics", description="The topics and their short names")
    async def topics(interaction: discord.Interaction) -> None:
        await commands.topics(interaction)

    @tree.command(name="quiz-help", description="What Studybot can do")
    async def help_(interaction: discord.Interaction) -> None:
        await commands.help(interaction)

    @tree.command(name="quiz-leaderboard", description="Who leads this server")
    @app_commands.describe(period="Which points to count (this week by default)", scope="People or teams")
    @app_commands.choices(period=PERIODS, scope=SCOPES)
    async def leaderboard(
        interaction: discord.Interaction, period: str = "week", scope: str = "people"
    ) -> None:
        await commands.leaderboard(interaction, Period(period), Scope(scope))

    @tree.command(name="quiz-stats", description="Your points, accuracy by topic and streaks")
    async def stats(interaction: discord.Interaction) -> None:
        await commands.stats(interaction)

    @tree.command(name="quiz-dashboard", description="A private link to the team dashboard")
    async def dashboard(interaction: discord.Interaction) -> None:
        await commands.dashboard(interaction)

    team = app_commands.Group(name="quiz-team", description="Study together: join, leave or list teams")

    @team.command(name="join", description="Join a team, creating it if it does not exist")
    @app_commands.describe(name="The team's name")
    async def join(interaction: discord.Interaction, name: Range[str, 1, TEAM_NAME_MAX]) -> None:
        await commands.join_team(interaction, name)

    @team.command(name="create", description="Start a new team, even if one has a similar name")
    @app_commands.describe(name="The new team's name")
    async def create(interaction: discord.Interaction, name: Range[str, 1, TEAM_NAME_MAX]) -> None:
        await commands.join_team(interaction, name, create=True)

    @team.command(name="leave", description="Leave your team")
    async def leave(interaction: discord.Interaction) -> None:
        await commands.leave_team(interaction)

    @team.command(name="list", description="The teams of this server")
    async def list_(interaction: discord.Interaction) -> None:
        await commands.list_teams(interaction)

    admin = app_commands.Group(
        name="quiz-admin",
        description="Studybot settings for server managers",
        default_permissions=MANAGE_SERVER,
    )

    @admin.command(name="status", description="What Studybot knows and how it is connected")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def status(interaction: discord.Interaction) -> None:
        await commands.status(interaction)

    @admin.command(name="reports", description="The latest reports of bad questions on this server")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reports(interaction: discord.Interaction) -> None:
        await commands.reports(interaction)

    add_daily(tree, admin, daily)
    add_team_admin(admin, commands)
    add_digest(admin, DigestCommands(commands.commands, commands.in_flight, commands.journal))
    add_decks(admin, DeckCommands(commands, client))
    if exam is not None:
        add_exam(tree, exam)
    tree.add_command(team)
    tree.add_command(admin)
    return tree


def add_team_admin(admin: app_commands.Group, commands: QuizCommands) -> None:
    """`/quiz-admin team rename|delete` for server managers."""
    group = app_commands.Group(name="team", description="Rename or delete a team", parent=admin)

    @group.command(name="rename", description="Rename a team; its members and points stay")
    @app_commands.describe(name="The team's name now", new_name="Its new name")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def rename(
        interaction: discord.Interaction,
        name: Range[str, 1, TEAM_NAME_MAX],
        new_name: Range[str, 1, TEAM_NAME_MAX],
    ) -> None:
        await commands.manage_team(interaction, name, new_name)

    @group.command(name="delete", description="Delete a team; its members are in no team after it")
    @app_commands.describe(name="The team's name")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def delete(interaction: discord.Interaction, name: Range[str, 1, TEAM_NAME_MAX]) -> None:
        await commands.manage_team(interaction, name, None)


def add_daily(tree: QuizTree, admin: app_commands.Group, daily: DailyCommands) -> None:
    """`/quiz-admin daily on|off|status` for server managers, `/quiz-daily` for everyone."""
    group = app_commands.Group(name="daily", description="The question of the day here", parent=admin)

    @group.command(name="on", description="Post a question of the day in this channel")
    @app_commands.describe(
        time="When to post it, HH:MM on a 24-hour clock, e.g. 09:00",
        topic="A topic such as ecs, or all (the default)",
        timezone="The time zone of the time, e.g. Europe/Berlin (default: the server's)",
        weekdays="Which days: every day (the default), weekdays, weekends, or e.g. mon,wed,fri",
        reveal="When to reveal the answer, HH:MM (default: with the next question)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def on(
        interaction: discord.Interaction,
        time: Range[str, 1, 20],
        topic: Range[str, 1, 100] | None = None,
        timezone: Range[str, 1, 100] | None = None,
        weekdays: Range[str, 1, 100] | None = None,
        reveal: Range[str, 1, 20] | None = None,
    ) -> None:
        await daily.on(interaction, topic, time, timezone, weekdays, reveal)

    @on.autocomplete("topic")
    async def complete_topic(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return offered(interaction, await daily.complete_topic(interaction, typed))

    @on.autocomplete("timezone")
    async def complete_zone(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return offered(interaction, complete_timezone(typed))

    @on.autocomplete("weekdays")
    async def complete_days(interaction: discord.Interaction, typed: str) -> list[Choice[str]]:
        return offered(interaction, complete_weekdays(typed))

    @group.command(name="off", description="Stop the question of the day in this channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def off(interaction: discord.Interaction) -> None:
        await daily.off(interaction)

    @group.command(name="status", description="The question of the day in this channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def status(interaction: discord.Interaction) -> None:
        await daily.status(interaction)

    @tree.command(name="quiz-daily", description="When the next question of the day comes here")
    async def everyone(interaction: discord.Interaction) -> None:
        await daily.status(interaction)


def add_exam(tree: QuizTree, exam: ExamCommands) -> None:
    """`/quiz-exam start [topic] [questions] [minutes]`, `/quiz-exam stop`, `/quiz-exam history`."""
    group = app_commands.Group(name="quiz-exam", description="A private, timed mock exam")

    @group.command(name="start", description="Start a mock exam (65 questions in 90 minutes), or see yours")
    @app_commands.describe(
        topic="A topic such as ecs, or all (the default)",
        questions=f"How many questions ({MIN_QUESTIONS} to {EXAM_QUESTIONS}); the time keeps the exam's pace",
        minutes="How long, in minutes (default: the exam's pace)",
    )
    async def start(
        interaction: discord.Interaction,
        topic: Range[str, 1, 100] | None = None,
        questions: Range[int, MIN_QUESTIONS, EXAM_QUESTIONS] | None = None,
        minutes: Range[int, 1, MAX_MINUTES] | None = None,
    ) -> None:
        await exam.start(interaction, topic, questions, minutes)

    @group.command(name="stop", description="Abandon your exam in progress")
    async def stop(interaction: discord.Interaction) -> None:
        await exam.stop(interaction)

    @group.command(name="history", description="Your past exam scores and trend")
    async def history(interaction: discord.Interaction) -> None:
        await exam.history(interaction)

    tree.add_command(group)
